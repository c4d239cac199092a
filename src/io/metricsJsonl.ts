import { readFileSync } from 'node:fs';

/**
 * The one reader of a run's metrics.jsonl (written by `mlnc train`: one JSON object per epoch, each with an integer
 * `epoch`), shared by train --resume, validate, compare and figures so that all of them accept and reject the same
 * files. Only empty lines at the end are allowed; anything else that is not such an object is a damaged file, reported
 * with its path and 1-based line number.
 */
export type MetricsLine = Record<string, unknown>;

/** A damaged or unreadable metrics.jsonl: the user's to fix (or delete), so the CLI prints one line and exits with 2. */
export class MetricsFileError extends Error {
  override readonly name = 'MetricsFileError';
  readonly exitCode = 2;
}

/** Parses the text of a metrics.jsonl; `path` only names the file in errors. */
export function parseMetricsJsonl(text: string, path: string): MetricsLine[] {
  const raw = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  let end = raw.length;
  while (end > 0 && raw[end - 1].trim() === '') end--;
  const lines: MetricsLine[] = [];
  for (let i = 0; i < end; i++) {
    const where = `${path} line ${i + 1}`;
    if (raw[i].trim() === '') throw new MetricsFileError(`${where} is empty; the run directory is damaged`);
    let value: unknown;
    try {
      value = JSON.parse(raw[i]);
    } catch {
      throw new MetricsFileError(`${where} is not JSON; the run directory is damaged`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new MetricsFileError(`${where} is not a JSON object; the run directory is damaged`);
    }
    const epoch = (value as MetricsLine).epoch;
    if (typeof epoch !== 'number' || !Number.isInteger(epoch) || epoch < 0) {
      throw new MetricsFileError(`${where} has no epoch (a non-negative integer); the run directory is damaged`);
    }
    lines.push(value as MetricsLine);
  }
  return lines;
}

/** Reads and parses a metrics.jsonl; an unreadable file is a MetricsFileError too. */
export function readMetricsJsonl(path: string): MetricsLine[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new MetricsFileError(`cannot read ${path} (${(err as Error).message.split('\n')[0]})`);
  }
  return parseMetricsJsonl(text, path);
}
