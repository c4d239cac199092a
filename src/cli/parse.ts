import { BACKEND_PREFERENCES } from '../deep/backend/initBackend.js';
import { UsageError } from './usageError.js';

/** Small parsers for CLI flag values; each throws a UsageError naming the flag. */

export function parseNumberFlag(flag: string, raw: string | number, opts: { min?: number; integer?: boolean; positive?: boolean } = {}): number {
  const v = typeof raw === 'number' ? raw : raw.trim() === '' ? Number.NaN : Number(raw);
  if (!Number.isFinite(v)) throw new UsageError(`${flag} must be a finite number, got "${raw}"`);
  if (opts.integer && !Number.isInteger(v)) throw new UsageError(`${flag} must be an integer, got "${raw}"`);
  if (opts.positive && !(v > 0)) throw new UsageError(`${flag} must be positive, got "${raw}"`);
  if (opts.min !== undefined && v < opts.min) throw new UsageError(`${flag} must be at least ${opts.min}, got "${raw}"`);
  return v;
}

export function parseChoice<T extends string>(flag: string, raw: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(raw)) {
    throw new UsageError(`unknown ${flag} "${raw}" (choose one of: ${choices.join(', ')})`);
  }
  return raw as T;
}

/**
 * Parses `--per-set 1:3,2:2` (samples per label set, for each multiplicity) into { 1: 3, 2: 2 }.
 * Multiplicity bounds (1..K) are checked by the design, which knows K.
 */
export function parsePerSet(raw: string): Record<number, number> {
  const out: Record<number, number> = {};
  const parts = raw.split(',').map((p) => p.trim());
  for (const part of parts) {
    const m = /^(\d+):(\d+)$/.exec(part);
    if (!m) {
      throw new UsageError(`malformed --per-set "${raw}": expected comma-separated multiplicity:count pairs such as 1:3,2:2`);
    }
    const mult = Number(m[1]);
    const count = Number(m[2]);
    if (mult in out) throw new UsageError(`malformed --per-set "${raw}": multiplicity ${mult} appears twice`);
    out[mult] = count;
  }
  return out;
}

/** Help text of every command's --backend flag. */
export const BACKEND_HELP =
  `tfjs backend: ${BACKEND_PREFERENCES.join(', ')} (auto: the first of the others that loads, in this order, webgpu only on ` +
  'a hardware GPU); also MLNC_BACKEND. On wasm, MLNC_NATIVE=0 turns the native kernels off';
