/** Marker and arrow path strings, DOM-free (d3-style: data in, path `d` attribute out). */

export type MarkerShape = 'circle' | 'square' | 'triangle' | 'diamond' | 'cross';

const r3 = (v: number) => Math.round(v * 1000) / 1000;

/** A closed marker of "radius" r centred at (x, y). */
export function markerPath(shape: MarkerShape, x: number, y: number, r: number): string {
  switch (shape) {
    case 'circle':
      return `M${r3(x - r)},${r3(y)}A${r3(r)},${r3(r)},0,1,0,${r3(x + r)},${r3(y)}A${r3(r)},${r3(r)},0,1,0,${r3(x - r)},${r3(y)}Z`;
    case 'square': {
      const s = r * 0.9;
      return `M${r3(x - s)},${r3(y - s)}H${r3(x + s)}V${r3(y + s)}H${r3(x - s)}Z`;
    }
    case 'triangle': {
      const h = r * 1.15;
      return `M${r3(x)},${r3(y - h)}L${r3(x + h)},${r3(y + h * 0.8)}L${r3(x - h)},${r3(y + h * 0.8)}Z`;
    }
    case 'diamond': {
      const h = r * 1.2;
      return `M${r3(x)},${r3(y - h)}L${r3(x + h)},${r3(y)}L${r3(x)},${r3(y + h)}L${r3(x - h)},${r3(y)}Z`;
    }
    case 'cross': {
      const a = r * 0.35;
      return `M${r3(x - r)},${r3(y - a)}H${r3(x - a)}V${r3(y - r)}H${r3(x + a)}V${r3(y - a)}H${r3(x + r)}V${r3(y + a)}H${r3(x + a)}V${r3(y + r)}H${r3(x - a)}V${r3(y + a)}H${r3(x - r)}Z`;
    }
  }
}

/**
 * An arrow from (x0,y0) to (x1,y1) as two paths: the shaft (stopping at the head's base) and a filled triangular head.
 * Zero-length arrows give empty strings (nothing to point at).
 */
export function arrowPaths(x0: number, y0: number, x1: number, y1: number, head = 9): { shaft: string; head: string } {
  const dx = x1 - x0;
  const dy = y1 - y0;
  const len = Math.hypot(dx, dy);
  if (len < 1e-9) return { shaft: '', head: '' };
  const ux = dx / len;
  const uy = dy / len;
  const h = Math.min(head, len * 0.6);
  const bx = x1 - ux * h;
  const by = y1 - uy * h;
  const wx = -uy * h * 0.45;
  const wy = ux * h * 0.45;
  return {
    shaft: `M${r3(x0)},${r3(y0)}L${r3(bx)},${r3(by)}`,
    head: `M${r3(x1)},${r3(y1)}L${r3(bx + wx)},${r3(by + wy)}L${r3(bx - wx)},${r3(by - wy)}Z`,
  };
}
