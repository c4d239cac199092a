/**
 * IDX files (the MNIST / Fashion-MNIST container, LeCun et al.): 2 zero bytes, a type byte (0x08 = uint8, the only
 * one these datasets use), a dimension count n, n big-endian uint32 sizes, then the values row-major.
 * `parseIdx` is pure; `readIdxFile` adds the file system and transparent gzip (the Debian package ships .gz files).
 */
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { DatasetError } from './errors.js';

export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/** Parses an uint8 IDX buffer; `where` names the file in error messages. Exact size required (no trailing bytes). */
export function parseIdx(bytes: Uint8Array, where: string): IdxArray {
  if (bytes.length < 4) throw new DatasetError(`${where}: not an IDX file (only ${bytes.length} bytes)`);
  if (bytes[0] !== 0 || bytes[1] !== 0) throw new DatasetError(`${where}: not an IDX file (bad magic number)`);
  if (bytes[2] !== 0x08) {
    throw new DatasetError(`${where}: IDX element type 0x${bytes[2].toString(16)} is not uint8 (0x08)`);
  }
  const n = bytes[3];
  if (n < 1 || n > 4) throw new DatasetError(`${where}: IDX dimension count ${n} is not in 1..4`);
  const headerLength = 4 + 4 * n;
  if (bytes.length < headerLength) throw new DatasetError(`${where}: IDX header truncated`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  let size = 1;
  for (let i = 0; i < n; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    dims.push(d);
    size *= d;
  }
  if (bytes.length !== headerLength + size) {
    throw new DatasetError(
      `${where}: IDX size mismatch: header says ${dims.join('×')} = ${size} values, file holds ${bytes.length - headerLength}`,
    );
  }
  // A plain Uint8Array view (not a Buffer subclass), so consumers see one array type.
  return { dims, data: new Uint8Array(bytes.buffer, bytes.byteOffset + headerLength, size) };
}

/** Reads `path`, or `path.gz` when only the gzipped file exists. */
export function readIdxFile(path: string): IdxArray {
  const candidates = [path, `${path}.gz`];
  const found = candidates.find((p) => existsSync(p));
  if (found === undefined) throw new DatasetError(`missing IDX file: ${path} (or ${path}.gz)`);
  let bytes: Uint8Array = readFileSync(found);
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch {
      throw new DatasetError(`${found}: corrupt gzip data`);
    }
  }
  return parseIdx(bytes, found);
}

/** Pairs an images file (N×H×W) with a labels file (N) into one checked single-channel collection. */
export function idxImagesWithLabels(
  images: IdxArray,
  labels: IdxArray,
  where: string,
  numClasses = 10,
): { count: number; height: number; width: number; pixels: Uint8Array; classes: Uint8Array } {
  if (images.dims.length !== 3) throw new DatasetError(`${where}: images file must have 3 dimensions, has ${images.dims.length}`);
  if (labels.dims.length !== 1) throw new DatasetError(`${where}: labels file must have 1 dimension, has ${labels.dims.length}`);
  const [count, height, width] = images.dims;
  if (labels.dims[0] !== count) {
    throw new DatasetError(`${where}: ${count} images but ${labels.dims[0]} labels`);
  }
  for (let i = 0; i < count; i++) {
    if (labels.data[i] >= numClasses) throw new DatasetError(`${where}: label ${labels.data[i]} of image ${i} is not in 0..${numClasses - 1}`);
  }
  return { count, height, width, pixels: images.data, classes: labels.data };
}
