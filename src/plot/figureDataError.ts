import { UserError } from '../util/userError.js';

/** Bad figure input gets a one-line error that names the problem, never a blank or NaN-filled figure. */
export class FigureDataError extends UserError {}

/** Throws unless v is a finite number. */
export function requireFinite(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new FigureDataError(`${what} must be a finite number, got ${String(v)}`);
  }
  return v;
}

/** A finite number or null (a gap); undefined counts as null. NaN/±Infinity are errors, not gaps. */
export function requireFiniteOrNull(v: unknown, what: string): number | null {
  if (v === null || v === undefined) return null;
  return requireFinite(v, what);
}

export function requireNonEmpty<T>(a: readonly T[] | undefined, what: string): readonly T[] {
  if (!Array.isArray(a) || a.length === 0) throw new FigureDataError(`${what} is empty`);
  return a;
}

export function requireSameLength(a: readonly unknown[], b: readonly unknown[], what: string): void {
  if (a.length !== b.length) {
    throw new FigureDataError(`${what}: lengths differ (${a.length} vs ${b.length})`);
  }
}

/** A rectangular table of finite numbers (rows × cols), e.g. features or classifier rows. */
export function requireMatrix(rows: readonly (readonly number[])[], what: string, cols?: number): number {
  requireNonEmpty(rows, what);
  const c = cols ?? rows[0].length;
  if (c === 0) throw new FigureDataError(`${what} has rows of length 0`);
  rows.forEach((r, i) => {
    if (r.length !== c) throw new FigureDataError(`${what}: row ${i} has ${r.length} entries, expected ${c}`);
    r.forEach((v, j) => requireFinite(v, `${what}[${i}][${j}]`));
  });
  return c;
}
