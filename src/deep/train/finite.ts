/**
 * Copies a JSON value with every non-finite number replaced by null, listing where that happened, so that a metric that
 * is undefined (e.g. NC1 of collapsed-to-zero features) is written as an explicit null instead of aborting the write.
 */
export function nullNonFinite(value: unknown, path = '', found: string[] = []): { value: unknown; nonFinite: string[] } {
  const walk = (v: unknown, p: string): unknown => {
    if (typeof v === 'number') {
      if (Number.isFinite(v)) return v;
      found.push(p || '(root)');
      return null;
    }
    if (Array.isArray(v)) return v.map((x, i) => walk(x, `${p}[${i}]`));
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = walk(x, p ? `${p}.${k}` : k);
      return out;
    }
    return v;
  };
  return { value: walk(value, path), nonFinite: found };
}
