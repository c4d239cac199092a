/** Writes one figure as SVG and PNG (same base name) through the atomic writer. */
import { join } from 'node:path';
import { writeFileAtomic } from '../io/atomicWrite.js';
import { svgToPng } from '../plot/png.js';

export interface WrittenFigure {
  readonly name: string;
  readonly svg: string;
  readonly png: string | null;
}

export function writeFigure(dir: string, name: string, svg: string, opts: { png?: boolean } = {}): WrittenFigure {
  const svgPath = join(dir, `${name}.svg`);
  writeFileAtomic(svgPath, svg);
  let pngPath: string | null = null;
  if (opts.png ?? true) {
    pngPath = join(dir, `${name}.png`);
    writeFileAtomic(pngPath, svgToPng(svg));
  }
  return { name, svg: svgPath, png: pngPath };
}
