/** Text measurement without a layout engine: per-glyph advance estimates for DejaVu Sans (em units). */

const NARROW = new Set([...'il.,:;|!\'`ijfrt()[]{} ']);
const WIDE = new Set([...'mwMWÆŒ—%@']);

/** Estimated advance width of a string in pixels (DejaVu Sans metrics, rounded up a little to stay safe). */
export function textWidth(s: string, fontSize: number): number {
  let em = 0;
  for (const ch of s) {
    if (NARROW.has(ch)) em += 0.34;
    else if (WIDE.has(ch)) em += 0.92;
    else if (ch >= 'A' && ch <= 'Z') em += 0.72;
    else if (ch >= '0' && ch <= '9') em += 0.64;
    else em += 0.6;
  }
  return em * fontSize;
}

/** Greedy word wrap to lines no wider than maxWidth (a single over-long word gets a line of its own). */
export function wrapText(s: string, maxWidth: number, fontSize: number): string[] {
  const lines: string[] = [];
  for (const paragraph of s.split('\n')) {
    let line = '';
    for (const word of paragraph.split(/\s+/).filter((w) => w.length > 0)) {
      const candidate = line === '' ? word : `${line} ${word}`;
      if (line !== '' && textWidth(candidate, fontSize) > maxWidth) {
        lines.push(line);
        line = word;
      } else {
        line = candidate;
      }
    }
    lines.push(line);
  }
  return lines;
}

/** Integer in Unicode subscript digits (DejaVu Sans has them), e.g. 2 → "₂". */
export function subscript(n: number): string {
  return String(n).replace(/\d/g, (c) => String.fromCharCode(0x2080 + Number(c)));
}
