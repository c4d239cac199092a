import type * as tf from '@tensorflow/tfjs';
import { ncMetrics, type NcReport } from '../../geometry/index.js';
import { matrix } from '../../geometry/types.js';
import type { MetricsLine } from '../../run/index.js';
import { palValue, type PalLoss } from '../../ufm/pal.js';
import { testSetMetrics, type TestMetrics } from '../evaluate/index.js';
import { classifierOf, extractAll, type Extracted } from './extract.js';
import type { TrainingImages } from './types.js';

export interface Measurement {
  /** Mean c_m·PAL of the training set in inference mode (BatchNorm running statistics). */
  trainEvalLoss: number;
  /** Every NC metric of the inference-mode training features, computed by src/geometry's ncMetrics. */
  nc: NcReport;
  /** Test-set metrics (absent without a test set). */
  test?: TestMetrics & { loss: number };
}

function meanPal(x: Extracted, labels: TrainingImages['labels'], loss: PalLoss): number {
  let total = 0;
  for (let i = 0; i < x.n; i++) total += palValue(x.logits.subarray(i * x.K, (i + 1) * x.K), labels[i], loss);
  return total / x.n;
}

/**
 * Inference-mode features or logits that are not finite although every weight is: a large step can leave finite weights
 * (BatchNorm running statistics included) whose forward pass overflows float32. The trainer reports it as a diverged run.
 */
export class NonFiniteOutputError extends Error {
  override readonly name = 'NonFiniteOutputError';
}

function checkFinite(x: Extracted, set: string): void {
  for (const a of [x.features, x.logits]) {
    for (let i = 0; i < a.length; i++) {
      if (!Number.isFinite(a[i])) throw new NonFiniteOutputError(`the ${set}-set features or logits in inference mode are non-finite`);
    }
  }
}

/** Extracts training (and test) features in inference mode and computes every metric. */
export async function measure(model: tf.LayersModel, train: TrainingImages, test: TrainingImages | undefined, batchSize: number, loss: PalLoss): Promise<Measurement> {
  const tr = await extractAll(model, train, batchSize);
  checkFinite(tr, 'training');
  const { W, b, K, d } = await classifierOf(model);
  const nc = ncMetrics({ features: matrix(tr.n, tr.d, tr.features), labels: train.labels, K, classifier: matrix(K, d, W), bias: b });
  const out: Measurement = { trainEvalLoss: meanPal(tr, train.labels, loss), nc };
  if (test) {
    const te = await extractAll(model, test, batchSize);
    checkFinite(te, 'test');
    out.test = {
      loss: meanPal(te, test.labels, loss),
      ...testSetMetrics({
        K, d, testLogits: te.logits, testFeatures: te.features, testLabels: test.labels,
        trainFeatures: tr.features, trainLabels: train.labels, classifier: W,
      }),
    };
  }
  return out;
}

/** The NC fields of a metrics.jsonl line: the headline metrics, ρ̂ as multiplicity → mean, and the full report. */
export function ncLineFields(nc: NcReport): Pick<MetricsLine, 'nc1' | 'nc2W' | 'nc2H' | 'nc3' | 'tagAngle' | 'rho' | 'ncDetail'> {
  const rho: Record<string, number> = {};
  for (const [m, s] of Object.entries(nc.rho)) rho[m] = s.mean;
  return { nc1: nc.nc1, nc2W: nc.nc2W, nc2H: nc.nc2H, nc3: nc.nc3, tagAngle: nc.tagAngle, rho, ncDetail: nc };
}
