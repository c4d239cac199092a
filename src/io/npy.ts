/**
 * NumPy `.npy` files (what `numpy.save` writes), so that features and labels dumped from Python can be measured with
 * src/geometry. Format: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html — the magic string
 * "\x93NUMPY", a version, a little-endian header length (2 bytes in version 1, 4 in versions 2 and 3), a Python dict
 * literal `{'descr': '<f4', 'fortran_order': False, 'shape': (N, d), }` padded to 64 bytes, then the raw data.
 * Numeric dtypes only (no objects, strings or structured records).
 */
import { readFileSync } from 'node:fs';
import { labelSet, matrix, type LabelSet, type Matrix } from '../geometry/types.js';
import { UserError } from '../util/userError.js';
import { writeFileAtomic } from './atomicWrite.js';

/** The typed arrays an .npy file's data is returned in (64-bit integers become Float64Array, exactly or not at all). */
export type NpyData = Float64Array | Float32Array | Int32Array | Int16Array | Int8Array | Uint32Array | Uint16Array | Uint8Array;

export interface NpyArray {
  /** Dimensions, outermost first; [] for a scalar. */
  readonly shape: readonly number[];
  /** The file's dtype descriptor, e.g. "<f4", "|u1", "|b1". */
  readonly dtype: string;
  /** The values in C (row-major) order, whatever order the file stored them in, in this machine's byte order. */
  readonly data: NpyData;
}

/** A file that is not a readable .npy array: the one-line message says what is wrong with it. */
export class NpyFormatError extends UserError {}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

interface DtypeInfo {
  readonly size: number;
  read(view: DataView, offset: number, littleEndian: boolean): number;
  make(n: number): NpyData;
}

const DTYPES: Record<string, DtypeInfo> = {
  f8: { size: 8, read: (v, o, le) => v.getFloat64(o, le), make: (n) => new Float64Array(n) },
  f4: { size: 4, read: (v, o, le) => v.getFloat32(o, le), make: (n) => new Float32Array(n) },
  i8: { size: 8, read: (v, o, le) => exactInt(v.getBigInt64(o, le)), make: (n) => new Float64Array(n) },
  u8: { size: 8, read: (v, o, le) => exactInt(v.getBigUint64(o, le)), make: (n) => new Float64Array(n) },
  i4: { size: 4, read: (v, o, le) => v.getInt32(o, le), make: (n) => new Int32Array(n) },
  u4: { size: 4, read: (v, o, le) => v.getUint32(o, le), make: (n) => new Uint32Array(n) },
  i2: { size: 2, read: (v, o, le) => v.getInt16(o, le), make: (n) => new Int16Array(n) },
  u2: { size: 2, read: (v, o, le) => v.getUint16(o, le), make: (n) => new Uint16Array(n) },
  i1: { size: 1, read: (v, o) => v.getInt8(o), make: (n) => new Int8Array(n) },
  u1: { size: 1, read: (v, o) => v.getUint8(o), make: (n) => new Uint8Array(n) },
  b1: { size: 1, read: (v, o) => (v.getUint8(o) === 0 ? 0 : 1), make: (n) => new Uint8Array(n) },
};

function exactInt(v: bigint): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new NpyFormatError(`a 64-bit integer ${v} is too large to hold exactly in a double`);
  return n;
}

/**
 * Parses the bytes of an .npy file.
 * @example
 * const a = parseNpy(encodeNpy(Float32Array.of(1, 2, 3, 4, 5, 6), [2, 3]));
 * // a.shape = [2, 3], a.dtype = '<f4', a.data = Float32Array [1, 2, 3, 4, 5, 6]
 */
export function parseNpy(bytes: Uint8Array): NpyArray {
  if (bytes.length < 10 || !MAGIC.every((b, i) => bytes[i] === b)) throw new NpyFormatError('not an .npy file (no \\x93NUMPY magic string)');
  const major = bytes[6];
  if (major < 1 || major > 3) throw new NpyFormatError(`unsupported .npy format version ${major}.${bytes[7]}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerStart = major === 1 ? 10 : 12;
  if (bytes.length < headerStart) throw new NpyFormatError('the .npy header is cut short');
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataStart = headerStart + headerLength;
  if (bytes.length < dataStart) throw new NpyFormatError('the .npy header is cut short');
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, dataStart));
  const { descr, fortranOrder, shape } = parseHeader(header);

  const byteOrder = descr[0];
  const info = DTYPES[descr.slice(1)];
  if (!'<>|='.includes(byteOrder) || !info) throw new NpyFormatError(`unsupported dtype '${descr}' (numeric dtypes only: f4, f8, i1–i8, u1–u8, b1)`);
  const littleEndian = byteOrder === '<' || byteOrder === '|' || (byteOrder === '=' && nativeLittleEndian());
  const count = shape.reduce((a, b) => a * b, 1);
  if (bytes.length - dataStart < count * info.size) {
    throw new NpyFormatError(`the .npy data is cut short: shape (${shape.join(', ')}) needs ${count * info.size} bytes, the file has ${bytes.length - dataStart}`);
  }
  const data = info.make(count);
  // Fortran order stores the first index fastest; element i (C order) sits at its column-major position.
  const strides = fortranOrder ? fortranStrides(shape) : null;
  const index = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < count; i++) {
    let src = i;
    if (strides) {
      src = 0;
      for (let a = 0; a < shape.length; a++) src += index[a] * strides[a];
      for (let a = shape.length - 1; a >= 0; a--) {
        if (++index[a] < shape[a]) break;
        index[a] = 0;
      }
    }
    data[i] = info.read(view, dataStart + src * info.size, littleEndian);
  }
  return { shape, dtype: descr, data };
}

function parseHeader(header: string): { descr: string; fortranOrder: boolean; shape: number[] } {
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header);
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header);
  const shape = /'shape'\s*:\s*\(([^)]*)\)/.exec(header);
  if (!descr || !fortran || !shape) {
    const structured = /'descr'\s*:\s*\[/.test(header);
    throw new NpyFormatError(structured ? 'structured (record) dtypes are not supported' : `unreadable .npy header ${JSON.stringify(header.trim())}`);
  }
  const dims = shape[1].split(',').map((s) => s.trim()).filter((s) => s !== '').map((s) => {
    const n = Number(s.replace(/L$/, ''));
    if (!Number.isSafeInteger(n) || n < 0) throw new NpyFormatError(`bad dimension '${s}' in the .npy shape`);
    return n;
  });
  return { descr: descr[1], fortranOrder: fortran[1] === 'True', shape: dims };
}

function fortranStrides(shape: readonly number[]): number[] {
  const strides: number[] = [];
  let s = 1;
  for (const n of shape) { strides.push(s); s *= n; }
  return strides;
}

function nativeLittleEndian(): boolean {
  return new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;
}

/**
 * Reads an .npy file.
 * @example
 * const features = readNpy('features.npy'); // saved by numpy.save('features.npy', H) with H of shape (N, d)
 * const [N, d] = features.shape;
 */
export function readNpy(path: string): NpyArray {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new NpyFormatError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    return parseNpy(bytes);
  } catch (err) {
    if (err instanceof NpyFormatError) throw new NpyFormatError(`${path}: ${err.message}`);
    throw err;
  }
}

const DESCR_OF: ReadonlyArray<[new (n: number) => NpyData, string]> = [
  [Float64Array, '<f8'], [Float32Array, '<f4'], [Int32Array, '<i4'], [Int16Array, '<i2'], [Int8Array, '|i1'],
  [Uint32Array, '<u4'], [Uint16Array, '<u2'], [Uint8Array, '|u1'],
];

/**
 * The bytes of an .npy file (format version 1.0, little-endian, C order) holding `data` with the given shape.
 * @example
 * const bytes = encodeNpy(Float64Array.of(0, 1, 1, 0), [2, 2]); // numpy.load reads it as a 2×2 float64 array
 */
export function encodeNpy(data: NpyData, shape: readonly number[]): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (!shape.every((n) => Number.isSafeInteger(n) && n >= 0) || count !== data.length) {
    throw new NpyFormatError(`shape (${shape.join(', ')}) does not hold ${data.length} values`);
  }
  const descr = DESCR_OF.find(([ctor]) => data instanceof ctor)?.[1];
  if (!descr) throw new NpyFormatError('encodeNpy needs a typed array of numbers');
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${dims}), }`;
  // Pad with spaces so that magic + version + length + header + '\n' is a multiple of 64 bytes, as numpy does.
  header += ' '.repeat(64 - ((10 + header.length + 1) % 64)) + '\n';
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  const body = new DataView(out.buffer, 10 + header.length);
  const size = data.BYTES_PER_ELEMENT;
  for (let i = 0; i < data.length; i++) writeValue(body, i * size, data[i], descr);
  return out;
}

function writeValue(v: DataView, o: number, x: number, descr: string): void {
  switch (descr) {
    case '<f8': v.setFloat64(o, x, true); break;
    case '<f4': v.setFloat32(o, x, true); break;
    case '<i4': v.setInt32(o, x, true); break;
    case '<u4': v.setUint32(o, x, true); break;
    case '<i2': v.setInt16(o, x, true); break;
    case '<u2': v.setUint16(o, x, true); break;
    case '|i1': v.setInt8(o, x); break;
    default: v.setUint8(o, x);
  }
}

/**
 * Writes an .npy file atomically (readers never see half a file).
 * @example
 * writeNpy('labels.npy', Uint8Array.of(1, 0, 0, 1, 1, 0), [2, 3]); // a 2×3 multi-hot label matrix
 */
export function writeNpy(path: string, data: NpyData, shape: readonly number[]): void {
  writeFileAtomic(path, encodeNpy(data, shape));
}

/**
 * A 2-D .npy array as the row-major Matrix that src/geometry takes (float32 and float64 data are used as they are,
 * anything else is converted to float64).
 * @example
 * const H = npyMatrix(readNpy('features.npy')); // N×d
 */
export function npyMatrix(a: NpyArray): Matrix {
  if (a.shape.length !== 2) throw new NpyFormatError(`expected a 2-D array, got shape (${a.shape.join(', ')})`);
  const data = a.data instanceof Float32Array || a.data instanceof Float64Array ? a.data : Float64Array.from(a.data);
  return matrix(a.shape[0], a.shape[1], data);
}

/**
 * The label sets of an N×K multi-hot label matrix (entry (i, k) nonzero when sample i has class k), e.g. the targets
 * of a multi-label dataset saved from PyTorch or NumPy. Every sample needs at least one class.
 * @example
 * multiHotLabelSets({ shape: [2, 3], dtype: '|u1', data: Uint8Array.of(1, 0, 0, 0, 1, 1) }); // [[0], [1, 2]]
 */
export function multiHotLabelSets(a: NpyArray): LabelSet[] {
  if (a.shape.length !== 2) throw new NpyFormatError(`expected an N×K multi-hot matrix, got shape (${a.shape.join(', ')})`);
  const [N, K] = a.shape;
  const sets: LabelSet[] = [];
  for (let i = 0; i < N; i++) {
    const classes: number[] = [];
    for (let k = 0; k < K; k++) if (a.data[i * K + k] !== 0) classes.push(k);
    if (classes.length === 0) throw new NpyFormatError(`sample ${i} has no class (row ${i} of the multi-hot matrix is all zeros)`);
    sets.push(labelSet(classes, K));
  }
  return sets;
}
