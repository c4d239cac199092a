/** Plain-text formatting for the CLI's tables. */

/** A number for a table: `digits` significant digits, or exponential when `exp`; null/undefined as '–'. */
export function fmt(v: number | null | undefined, digits: number, exp = false): string {
  if (v === null || v === undefined) return '–';
  if (!Number.isFinite(v)) return String(v);
  if (exp) return v === 0 ? '0' : v.toExponential(digits);
  return v.toPrecision(digits);
}

/** Left-aligned columns separated by two spaces, with a rule under the header row. */
export function formatTable(rows: readonly (readonly string[])[]): string {
  const widths = rows[0].map((_, j) => Math.max(...rows.map((r) => [...(r[j] ?? '')].length)));
  const line = (r: readonly string[]) => r.map((c, j) => c + ' '.repeat(widths[j] - [...c].length)).join('  ').trimEnd();
  return [line(rows[0]), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}
