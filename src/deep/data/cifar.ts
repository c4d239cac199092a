/**
 * CIFAR-10 binary version (the `cifar-10-batches-bin` folder of the official tarball): data_batch_1..5.bin (train) and
 * test_batch.bin (test); every record is 1 label byte (0..9) followed by 3072 bytes: the 32×32 red plane, then green,
 * then blue (CHW). We convert to HWC. `parseCifarRecords` is pure; `locateCifar` adds the file system.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DatasetError } from './errors.js';
import { chwToHwc } from './imageOps.js';
import type { LocatedSource } from './mnistSources.js';
import type { SourceImages, SplitName } from './types.js';

export const CIFAR_SIDE = 32;
export const CIFAR_RECORD = 1 + 3 * CIFAR_SIDE * CIFAR_SIDE;
export const CIFAR_FILES: Record<SplitName, string[]> = {
  train: ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'],
  test: ['test_batch.bin'],
};

/** Parses the concatenated records of one or more batch files (each already checked to be whole records). */
export function parseCifarRecords(chunks: { bytes: Uint8Array; where: string }[]): Omit<SourceImages, 'origin'> {
  let count = 0;
  for (const { bytes, where } of chunks) {
    if (bytes.length === 0 || bytes.length % CIFAR_RECORD !== 0) {
      throw new DatasetError(
        `${where}: not a CIFAR-10 binary batch (${bytes.length} bytes is not a positive multiple of the ${CIFAR_RECORD}-byte record)`,
      );
    }
    count += bytes.length / CIFAR_RECORD;
  }
  const plane = CIFAR_SIDE * CIFAR_SIDE;
  const pixels = new Uint8Array(count * 3 * plane);
  const classes = new Uint8Array(count);
  let n = 0;
  for (const { bytes, where } of chunks) {
    for (let off = 0; off < bytes.length; off += CIFAR_RECORD, n++) {
      const label = bytes[off];
      if (label > 9) throw new DatasetError(`${where}: record ${off / CIFAR_RECORD} has label byte ${label}, expected 0..9 (is this CIFAR-100?)`);
      classes[n] = label;
      chwToHwc(bytes, off + 1, CIFAR_SIDE, CIFAR_SIDE, 3, pixels, n * 3 * plane);
    }
  }
  return { count, height: CIFAR_SIDE, width: CIFAR_SIDE, channels: 3, pixels, classes };
}

/** Accepts the folder holding the .bin files or its parent holding `cifar-10-batches-bin/`. */
export function locateCifar(dataDir: string | undefined): LocatedSource {
  if (dataDir === undefined) {
    throw new DatasetError('mlab-cifar10: no data directory given (pass the folder with the CIFAR-10 binary batches, data_batch_1.bin .. test_batch.bin)');
  }
  if (!existsSync(dataDir) || !statSync(dataDir).isDirectory()) throw new DatasetError(`mlab-cifar10: data directory not found: ${dataDir}`);
  const nested = join(dataDir, 'cifar-10-batches-bin');
  const dir = !existsSync(join(dataDir, 'test_batch.bin')) && existsSync(nested) ? nested : dataDir;
  const files: Record<string, number> = {};
  for (const name of [...CIFAR_FILES.train, ...CIFAR_FILES.test]) {
    const p = join(dir, name);
    if (!existsSync(p)) {
      throw new DatasetError(`mlab-cifar10: ${dir} is not a CIFAR-10 binary folder: missing ${name} (the Python pickle version is not supported)`);
    }
    const size = statSync(p).size;
    if (size === 0 || size % CIFAR_RECORD !== 0) {
      throw new DatasetError(`mlab-cifar10: ${p}: ${size} bytes is not a positive multiple of the ${CIFAR_RECORD}-byte CIFAR-10 record`);
    }
    files[p] = size;
  }
  const read = (split: SplitName): SourceImages => ({
    ...parseCifarRecords(CIFAR_FILES[split].map((name) => ({ bytes: readFileSync(join(dir, name)), where: join(dir, name) }))),
    origin: { kind: 'cifar10-bin', dir, split },
  });
  return { origin: { kind: 'cifar10-bin', dir, files }, load: () => ({ train: read('train'), test: read('test') }) };
}
