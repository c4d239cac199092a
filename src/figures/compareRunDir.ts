/** `mlnc compare RUN_DIR`'s I/O edge: snapshot in, RUN_DIR/compare.json and RUN_DIR/compare.svg out. */
import { compareToUfm, comparisonTableInput, type ComparisonReport, type NetworkSnapshot } from '../compare/index.js';
import { assertWritableFile } from '../io/outputPath.js';
import { comparisonTableFigure } from '../plot/index.js';
import { COMPARE_FIGURE, openRunDir, RunDirError } from '../run/index.js';
import { readTrainingRun, type TrainingRun } from './runDir.js';
import { compareSettingsOf, loadRunSnapshot, type SnapshotOptions } from './snapshot.js';
import { writeFigure } from './writeFigure.js';
import { withRunLock } from '../run/lock.js';

export interface CompareOutput {
  readonly run: TrainingRun;
  readonly report: ComparisonReport;
  readonly json: string;
  readonly svg: string;
  readonly snapshotSource: string;
  readonly snapshot: NetworkSnapshot;
}

/** Fails fast (one-line WriteError) when compare.json or compare.svg cannot be written into the run directory. */
export function assertWritableOutputs(runDir: string): void {
  const run = openRunDir(runDir);
  for (const name of ['compareJson', 'compareSvg'] as const) assertWritableFile(run.file(name));
}

export async function compareRunDir(runDir: string, opts: SnapshotOptions = {}): Promise<CompareOutput> {
  const run = readTrainingRun(runDir);
  // compare.json and compare.svg go into the run directory: no other writer may be at work there.
  return withRunLock(run.dir, () => compareLocked(run, opts));
}

async function compareLocked(run: TrainingRun, opts: SnapshotOptions): Promise<CompareOutput> {
  // Before the (possibly tfjs) feature extraction: the outputs must be writable.
  assertWritableOutputs(run.dir);
  const snap = await loadRunSnapshot(run, opts);
  let report: ComparisonReport;
  try {
    report = compareToUfm(snap, compareSettingsOf(run));
  } catch (err) {
    // Bad numbers in the run (NaN features, a class without single-label samples) are the run's problem: one line.
    throw new RunDirError(`${run.dir}: ${(err as Error).message.split('\n')[0]}`);
  }
  const json = run.files.writeJson('compareJson', { runDir: run.dir, snapshot: snap.source, ...report });
  const svg = comparisonTableFigure(comparisonTableInput(report, `UFM prediction vs trained network: ${run.name} (epoch ${snap.epoch})`));
  const written = writeFigure(run.dir, COMPARE_FIGURE, svg, { png: false });
  return { run, report, json, svg: written.svg, snapshotSource: snap.source, snapshot: snap };
}
