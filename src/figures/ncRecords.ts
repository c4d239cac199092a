/** NC-curve records (src/plot NcRecord) from a run's metrics.jsonl or a UFM gradient-descent history. */
import type { NcRecord } from '../plot/index.js';
import type { MetricsLine } from '../run/index.js';
import type { UfmHistoryPoint } from '../ufm/experiment.js';

/** A number passes through (non-finite too: the plot module rejects it with a clear error); anything else is a gap. */
const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);

/**
 * Lines with NC metrics only. ρ's relative error needs a reference: pass the UFM's ρ_m for the run (e.g. compare's
 * fitted prediction); without it the records carry no tag-wise scale error.
 */
export function recordsFromMetrics(lines: readonly MetricsLine[], rhoReference?: Readonly<Record<string, number>>): NcRecord[] {
  const out: NcRecord[] = [];
  for (const l of lines) {
    if (typeof l.epoch !== 'number' || num(l.nc1) === null) continue;
    const rec: NcRecord = { step: l.epoch, nc1: num(l.nc1), nc2W: num(l.nc2W), nc2H: num(l.nc2H), nc3: num(l.nc3), tagAngle: num(l.tagAngle) };
    if (rhoReference && l.rho && typeof l.rho === 'object') {
      const err: Record<number, number | null> = {};
      for (const [m, ref] of Object.entries(rhoReference)) {
        const v = num((l.rho as Record<string, unknown>)[m]);
        err[Number(m)] = v === null ? null : Math.abs(v - ref) / Math.abs(ref);
      }
      rec.rhoRelError = err;
    }
    out.push(rec);
  }
  return out;
}

export function recordsFromUfmHistory(history: readonly UfmHistoryPoint[]): NcRecord[] {
  return history.map((h) => ({
    step: h.iteration, nc1: h.nc1, nc2W: h.nc2W, nc2H: h.nc2H, nc3: h.nc3, tagAngle: h.tagAngle,
    rhoRelError: Object.fromEntries(Object.entries(h.rhoError).map(([m, v]) => [Number(m), v])),
  }));
}
