/**
 * Figure 5's input from training runs: test metrics of the final logged epoch and NC histories. Metric names:
 * exact (top-m) = exact-set match of top-m decoding with the true m; exact (gap) and micro-F1 = largest-gap decoding
 * (no oracle m); prototype = nearest label-set prototype from the class means.
 */
import type { ClassifierRun, FixedVsLearnedInput } from '../plot/index.js';
import { RunDirError } from '../run/index.js';
import { recordsFromMetrics } from './ncRecords.js';
import { runLabel, type TrainingRun } from './runDir.js';

export const TEST_METRIC_NAMES = ['exact (top-m)', 'exact (gap)', 'micro-F1', 'prototype'] as const;

export function classifierRunOf(run: TrainingRun): ClassifierRun {
  const line = [...run.lines].reverse().find((l) => l.test && typeof l.test === 'object');
  const t = line?.test;
  if (!line || !t) throw new RunDirError(`${run.files.file('metrics')} has no test metrics`);
  const values = [t.topMExactMatchOracleM, t.largestGap?.exactMatch, t.largestGap?.microF1, t.prototypes?.classMeans];
  if (values.some((v) => typeof v !== 'number')) throw new RunDirError(`${run.files.file('metrics')}: the last test metrics lack a field the figure shows`);
  const params = run.meta.trainableParams;
  if (typeof params !== 'number') throw new RunDirError(`${run.files.file('config')} has no trainableParams`);
  return {
    label: `${runLabel(run)}, test at epoch ${line.epoch}`,
    trainableParams: params,
    testMetrics: Object.fromEntries(TEST_METRIC_NAMES.map((n, i) => [n, values[i] as number])),
    history: recordsFromMetrics(run.lines),
  };
}

export function fixedVsLearnedInput(runs: readonly TrainingRun[]): FixedVsLearnedInput | null {
  const fixed = runs.filter((r) => r.config.fixedEtf);
  const learned = runs.filter((r) => !r.config.fixedEtf);
  if (fixed.length === 0 || learned.length === 0) return null;
  return {
    title: 'Fixed ETF vs learned classifier',
    xLabel: 'epoch',
    runs: [...learned, ...fixed].map(classifierRunOf),
    metrics: [...TEST_METRIC_NAMES],
    ncMetrics: ['nc1', 'nc2H', 'nc3', 'tagAngle'],
  };
}
