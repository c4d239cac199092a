/**
 * Angle in degrees between two vectors. Equals arccos(⟨a,b⟩/(‖a‖‖b‖)) with the cosine clamped to [−1, 1],
 * but is computed as 2·atan2(‖â − b̂‖, ‖â + b̂‖) (Kahan), which stays accurate for nearly parallel vectors where
 * arccos loses half the digits, and never returns NaN. Throws if either vector is zero.
 * @example
 * angleDeg([1, 0], [1, 1]); // ≈ 45.000000
 * angleDeg([1, 0], [3, 0]); // → 0
 */
export function angleDeg(a: ArrayLike<number>, b: ArrayLike<number>, what = 'angle'): number {
  const n = a.length;
  if (b.length !== n) throw new Error(`${what}: vectors have lengths ${n} and ${b.length}`);
  let na = 0, nb = 0;
  for (let i = 0; i < n; i++) { na += a[i] * a[i]; nb += b[i] * b[i]; }
  if (na === 0 || nb === 0) throw new Error(`${what}: a vector is zero, the angle is undefined`);
  const ia = 1 / Math.sqrt(na), ib = 1 / Math.sqrt(nb);
  let dm = 0, dp = 0;
  for (let i = 0; i < n; i++) {
    const x = a[i] * ia, y = b[i] * ib;
    dm += (x - y) * (x - y);
    dp += (x + y) * (x + y);
  }
  return (2 * Math.atan2(Math.sqrt(dm), Math.sqrt(dp)) * 180) / Math.PI;
}
