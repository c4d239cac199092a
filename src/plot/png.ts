/**
 * SVG → PNG with @resvg/resvg-js (a devDependency), loaded lazily so that importing the figure code never needs it.
 * Loaded with require() through createRequire — a native CommonJS addon — so the call stays synchronous.
 */
import { createRequire } from 'node:module';

interface ResvgModule {
  Resvg: new (svg: string, opts?: Record<string, unknown>) => { render(): { asPng(): Uint8Array | Buffer } };
}

let cached: ResvgModule | null = null;

function loadResvg(): ResvgModule {
  if (cached) return cached;
  try {
    cached = createRequire(import.meta.url)('@resvg/resvg-js') as ResvgModule;
    return cached;
  } catch (e) {
    throw new Error(`svgToPng needs the package @resvg/resvg-js (npm i @resvg/resvg-js): ${(e as Error).message}`);
  }
}

export interface PngOptions {
  /** Zoom factor (2 = twice the SVG's pixel size). Default 2. */
  scale?: number;
}

/** Renders an SVG string to PNG bytes; text uses the system fonts (DejaVu Sans by default). */
export function svgToPng(svg: string, opts: PngOptions = {}): Uint8Array {
  const { Resvg } = loadResvg();
  const r = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: opts.scale ?? 2 },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
    background: 'white',
  });
  return new Uint8Array(r.render().asPng());
}
