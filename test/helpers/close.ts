import { expect } from 'vitest';

/**
 * Elementwise |a − e| ≤ rel·max|e| + abs, for float32 results summed in another order than their reference's. The
 * message names the first offending index; NaN never passes.
 */
export function expectAllClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  what: string,
  tol: { rel?: number; abs?: number } = {},
): void {
  const rel = tol.rel ?? 1e-4;
  const abs = tol.abs ?? 1e-5;
  expect(actual.length, `${what} length`).toBe(expected.length);
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i] - expected[i]);
    if (!(err <= rel * scale + abs)) throw new Error(`${what}[${i}]: got ${actual[i]}, expected ${expected[i]} (|err| ${err}, scale ${scale})`);
  }
}
