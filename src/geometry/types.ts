/** Shared value types of the geometry module. Features are always row-major N×d typed arrays. */
export type FloatArray = Float32Array | Float64Array;

/** A dense row-major matrix: element (i, j) is data[i * cols + j]. */
export interface Matrix<T extends FloatArray = FloatArray> {
  readonly rows: number;
  readonly cols: number;
  readonly data: T;
}

/**
 * A label set: the distinct class indices (0-based) of one sample, sorted ascending.
 * A structured value, never a parsed string; build one with `labelSet(...)`.
 */
export type LabelSet = readonly number[];

/**
 * A row-major rows×cols matrix over `data` (not copied); throws when the length does not match.
 * @example
 * const A = matrix(2, 3, Float64Array.of(1, 2, 3, 4, 5, 6));
 * A.data[1 * A.cols + 0]; // → 4
 */
export function matrix<T extends FloatArray>(rows: number, cols: number, data: T): Matrix<T> {
  if (data.length !== rows * cols) {
    throw new Error(`matrix: data has ${data.length} entries, expected ${rows}×${cols} = ${rows * cols}`);
  }
  return { rows, cols, data };
}

/**
 * A rows×cols float64 matrix of zeros.
 * @example
 * zeros(2, 3); // → { rows: 2, cols: 3, data: [0, 0, 0, 0, 0, 0] }
 */
export function zeros(rows: number, cols: number): Matrix<Float64Array> {
  return { rows, cols, data: new Float64Array(rows * cols) };
}

/**
 * A sorted, duplicate-free label set over classes 0..K-1; throws on bad input.
 * @example
 * labelSet([2, 0, 2]); // → [0, 2]
 */
export function labelSet(classes: Iterable<number>, K?: number): LabelSet {
  const s = [...new Set(classes)].sort((a, b) => a - b);
  if (s.length === 0) throw new Error('a label set needs at least one class');
  for (const k of s) {
    if (!Number.isInteger(k) || k < 0 || (K !== undefined && k >= K)) {
      throw new Error(`label ${k} is not a class index in 0..${K === undefined ? 'K' : K - 1}`);
    }
  }
  return Object.freeze(s);
}
