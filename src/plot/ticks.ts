/** Tick values and labels, DOM-free. Log axes label powers of ten as 10⁻³ (Unicode superscripts render in DejaVu Sans). */
import * as d3 from 'd3';

const SUPERSCRIPT: Record<string, string> = {
  '-': '⁻', '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹',
};

/** 10^e written as "10⁻³"; e = 0 and 1 as "1" and "10". */
export function formatPow10(e: number): string {
  if (e === 0) return '1';
  if (e === 1) return '10';
  return `10${String(e).split('').map((c) => SUPERSCRIPT[c] ?? c).join('')}`;
}

/** 10^e exactly as written in decimal: 10 ** -4 is 0.00009999999999999999 in floating point, 1e-4 is not. */
export function pow10(e: number): number {
  return Number(`1e${e}`);
}

/** Domain of a log axis covering [lo, hi] (both > 0), widened to whole decades. */
export function logDomain(lo: number, hi: number): [number, number] {
  if (!(lo > 0) || !(hi > 0)) throw new Error(`logDomain needs positive bounds, got ${lo}, ${hi}`);
  const a = Math.floor(Math.log10(lo) + 1e-9);
  let b = Math.ceil(Math.log10(hi) - 1e-9);
  if (a === b) b = a + 1;
  return [pow10(a), pow10(b)];
}

/** Powers of ten inside the domain; with more decades than maxTicks, every step-th decade (multiples of step). */
export function logTicks(domain: readonly [number, number], maxTicks = 6): number[] {
  const a = Math.round(Math.log10(Math.min(domain[0], domain[1])));
  const b = Math.round(Math.log10(Math.max(domain[0], domain[1])));
  const step = Math.max(1, Math.ceil((b - a) / Math.max(1, maxTicks - 1)));
  const out: number[] = [];
  for (let e = Math.ceil(a / step) * step; e <= b; e += step) out.push(pow10(e));
  return out;
}

/** Label for a log-axis tick: powers of ten as superscripts, anything else in short general notation. */
export function formatLogTick(v: number): string {
  const e = Math.log10(v);
  if (Math.abs(e - Math.round(e)) < 1e-9) return formatPow10(Math.round(e));
  return d3.format('.2~g')(v);
}

/** Label for a linear tick: trims trailing zeros, uses a true minus sign (d3 default), SI suffix for big counts. */
export function formatLinearTick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e3) return d3.format('.3~s')(v);
  if (a < 1e-3) return d3.format('.1~e')(v);
  return d3.format('.4~g')(v);
}

/** A number for a table cell or bar label: fixed significant digits, scientific when very small/large. */
export function formatValue(v: number, digits = 4): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return d3.format(`.${Math.max(1, digits - 1)}~e`)(v);
  return d3.format(`.${digits}~g`)(v);
}

/** Clamp for log scales: values below the floor (including exact zeros) are drawn at the floor. */
export function clampToFloor(v: number, floor: number): number {
  return v < floor ? floor : v;
}
