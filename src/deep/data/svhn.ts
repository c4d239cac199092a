/**
 * SVHN multi-digit label sets from a user folder. Format (no PNG decoder ships with the project, so images are netpbm):
 *
 *   <dataDir>/train/labels.csv   <dataDir>/test/labels.csv
 *   labels.csv: header line exactly `file,labels`, then one line per image `<path>,<digits>`: <path> relative to the
 *     split folder (no commas), <digits> the house number's digits 0–9 separated by spaces, e.g. `img/12.ppm,1 5 9`
 *     (repeats allowed: the label set is the distinct digits). Blank lines are ignored.
 *   images: binary PPM (P6, maxval 255, RGB); every image of both splits the same width × height.
 *   Convert e.g. with ImageMagick `convert 12.png 12.ppm` or PIL `Image.open(p).convert('RGB').save(q)`.
 *
 * Label-set rule of the public code: digit 0 is dropped (K = 9, class index = digit − 1); a sample whose set becomes
 * empty is dropped; samples with more than `maxMultiplicity` (default 3) distinct classes are dropped; single-label
 * samples are capped at `maxSinglePerClass` (default 543) per class, keeping the first ones in file order. The cap
 * applies to both splits. Samples keep file order (no seed involved).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { labelSet, type LabelSet } from '../../geometry/types.js';
import { DatasetError } from './errors.js';
import type { SplitName } from './types.js';

export const SVHN_K = 9;
export const SVHN_MAX_SINGLE_PER_CLASS = 543;
export const SVHN_MAX_MULTIPLICITY = 3;

export interface SvhnRecord {
  file: string;
  digits: number[];
}

/** Pure: parses labels.csv text. */
export function parseSvhnCsv(text: string, where: string): SvhnRecord[] {
  const lines = text.split(/\r?\n/);
  if (lines[0].trim() !== 'file,labels') {
    throw new DatasetError(`${where}: first line must be the header "file,labels", found "${lines[0].slice(0, 40)}"`);
  }
  const out: SvhnRecord[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    const parts = line.split(',');
    if (parts.length !== 2 || parts[0].trim() === '') {
      throw new DatasetError(`${where}:${i + 1}: expected "<file>,<digits>", found "${line.slice(0, 60)}"`);
    }
    const tokens = parts[1].trim().split(/\s+/).filter((t) => t !== '');
    if (tokens.length === 0) throw new DatasetError(`${where}:${i + 1}: no digits for ${parts[0].trim()}`);
    const digits = tokens.map((t) => {
      if (!/^[0-9]$/.test(t)) throw new DatasetError(`${where}:${i + 1}: "${t}" is not a digit 0–9`);
      return Number(t);
    });
    out.push({ file: parts[0].trim(), digits });
  }
  return out;
}

/** Pure: applies the label-set rule; returns the kept record indices and their label sets (classes = digit − 1). */
export function selectSvhn(
  records: readonly SvhnRecord[],
  maxSinglePerClass = SVHN_MAX_SINGLE_PER_CLASS,
  maxMultiplicity = SVHN_MAX_MULTIPLICITY,
): { index: number[]; labels: LabelSet[] } {
  const singles = new Array<number>(SVHN_K).fill(0);
  const index: number[] = [];
  const labels: LabelSet[] = [];
  records.forEach((r, i) => {
    const classes = [...new Set(r.digits)].filter((d) => d !== 0).map((d) => d - 1);
    if (classes.length === 0 || classes.length > maxMultiplicity) return;
    const set = labelSet(classes, SVHN_K);
    if (set.length === 1) {
      if (singles[set[0]] >= maxSinglePerClass) return;
      singles[set[0]]++;
    }
    index.push(i);
    labels.push(set);
  });
  return { index, labels };
}

/** Pure: parses a binary PPM (P6, maxval 255) into H×W×3 bytes. */
export function parsePpm(bytes: Uint8Array, where: string): { width: number; height: number; pixels: Uint8Array } {
  let pos = 0;
  const token = (): string => {
    // Skip whitespace and # comments, then read a run of non-whitespace.
    for (;;) {
      while (pos < bytes.length && isSpace(bytes[pos])) pos++;
      if (bytes[pos] === 0x23) { while (pos < bytes.length && bytes[pos] !== 0x0a) pos++; continue; }
      break;
    }
    const start = pos;
    while (pos < bytes.length && !isSpace(bytes[pos]) && bytes[pos] !== 0x23) pos++;
    return String.fromCharCode(...bytes.subarray(start, pos));
  };
  if (token() !== 'P6') throw new DatasetError(`${where}: not a binary PPM image (expected magic P6)`);
  const width = Number(token());
  const height = Number(token());
  const maxval = Number(token());
  if (!Number.isInteger(width) || width < 1 || !Number.isInteger(height) || height < 1) {
    throw new DatasetError(`${where}: bad PPM size ${width}×${height}`);
  }
  if (maxval !== 255) throw new DatasetError(`${where}: PPM maxval ${maxval} is not 255 (8-bit)`);
  pos++; // exactly one whitespace byte before the raster
  const size = width * height * 3;
  if (bytes.length - pos !== size) {
    throw new DatasetError(`${where}: PPM raster has ${bytes.length - pos} bytes, expected ${width}×${height}×3 = ${size}`);
  }
  return { width, height, pixels: bytes.subarray(pos) };
}

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d || b === 0x0b || b === 0x0c;
}

export interface SvhnSplit {
  height: number;
  width: number;
  images: Uint8Array;
  labels: LabelSet[];
}

export function svhnSplitDir(dataDir: string, split: SplitName): string {
  return join(dataDir, split);
}

/** Checks the folder layout without reading images; returns a recipe description. */
export function locateSvhn(dataDir: string | undefined): Record<string, unknown> {
  if (dataDir === undefined) {
    throw new DatasetError('svhn: no data directory given (pass a folder with train/labels.csv and test/labels.csv plus P6 PPM images)');
  }
  if (!existsSync(dataDir) || !statSync(dataDir).isDirectory()) throw new DatasetError(`svhn: data directory not found: ${dataDir}`);
  const files: Record<string, number> = {};
  for (const split of ['train', 'test'] as const) {
    const csv = join(svhnSplitDir(dataDir, split), 'labels.csv');
    if (!existsSync(csv)) throw new DatasetError(`svhn: ${dataDir} is not in the expected format: missing ${csv}`);
    files[csv] = statSync(csv).size;
  }
  return { kind: 'svhn-ppm', dir: dataDir, files };
}

/** Reads one split: labels.csv, the rule above, then only the kept images. */
export function readSvhnSplit(
  dataDir: string,
  split: SplitName,
  maxSinglePerClass = SVHN_MAX_SINGLE_PER_CLASS,
  maxMultiplicity = SVHN_MAX_MULTIPLICITY,
): SvhnSplit {
  const dir = svhnSplitDir(dataDir, split);
  const csv = join(dir, 'labels.csv');
  const records = parseSvhnCsv(readFileSync(csv, 'utf8'), csv);
  const { index, labels } = selectSvhn(records, maxSinglePerClass, maxMultiplicity);
  if (index.length === 0) throw new DatasetError(`svhn: ${csv} has no sample left after dropping digit 0 and multiplicity > ${maxMultiplicity}`);
  let height = 0;
  let width = 0;
  let images = new Uint8Array(0);
  index.forEach((r, n) => {
    const p = join(dir, records[r].file);
    if (!existsSync(p)) throw new DatasetError(`svhn: missing image ${p} (listed in ${csv})`);
    const img = parsePpm(readFileSync(p), p);
    if (n === 0) {
      height = img.height;
      width = img.width;
      images = new Uint8Array(index.length * height * width * 3);
    } else if (img.height !== height || img.width !== width) {
      throw new DatasetError(`svhn: ${p} is ${img.width}×${img.height}, expected ${width}×${height} like the first image (resize all images to one size)`);
    }
    images.set(img.pixels, n * height * width * 3);
  });
  return { height, width, images, labels };
}
