/**
 * A synthetic run directory without tfjs: config.json and metrics.jsonl like `mlnc train` writes them, and a
 * final-features.json whose features, classifier and logits are exactly the UFM theory's optimum.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { logitsOf } from '../../src/compare/index.js';
import { DEFAULT_TRAIN_CONFIG } from '../../src/deep/train/config.js';
import { snapshotToJson } from '../../src/figures/index.js';
import { balancedDesign } from '../../src/ufm/design.js';
import { unpackUfm } from '../../src/ufm/objective.js';
import { solveUfmTheory, type TheoryOptimum } from '../../src/ufm/theory.js';
import { theoryPoint } from '../../src/ufm/theoryPoint.js';
import type { TrainConfig } from '../../src/run/index.js';
import { Rng } from '../../src/util/rng.js';

/** Copied from the run config's recorded convention (src/deep/palLoss.ts). */
export const SUMMED = 'lambdaH * sum_i ||h_i||^2 over the batch (summed, not averaged, no 1/2), as the public code';

export interface SyntheticRunSpec {
  K: number;
  d: number;
  perSet: Record<number, number>;
  /** The UFM λ (= λ_W = λ_H) the features are the optimum of. */
  lambda: number;
  fixedEtf?: boolean;
  epochs?: number;
  seed?: number;
  /** metrics.jsonl lines override (e.g. to plant bad values). */
  lines?: Record<string, unknown>[];
}

export function writeSyntheticRun(dir: string, spec: SyntheticRunSpec): { theory: TheoryOptimum; config: TrainConfig } {
  const { K, d, perSet, lambda } = spec;
  const epochs = spec.epochs ?? 3;
  const theory = solveUfmTheory({ K, perSetCount: perSet, loss: 'pal', lambdaW: lambda, lambdaH: lambda });
  const design = balancedDesign(K, perSet);
  const x = theoryPoint(theory, design.labels, d, new Rng(spec.seed ?? 1));
  const { W, H, b } = unpackUfm({ K, d }, design.N, x);
  const B = 8;
  // Summed convention: λ_H^UFM = 2·λ_H·B/N, so the run's λ_H = λ·N/(2B); weight decay = λ_W.
  const config: TrainConfig = { ...DEFAULT_TRAIN_CONFIG, batchSize: B, lambdaH: (lambda * design.N) / (2 * B), weightDecay: lambda, epochs, fixedEtf: spec.fixedEtf ?? false };
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.json'), JSON.stringify({
    train: config, K, inputShape: [8, 8, 1], backend: 'none', loss: 'pal', lambdaHConvention: SUMMED, featureDim: d,
    trainableParams: spec.fixedEtf ? 900 : 1000, totalParams: 1100, trainSamples: design.N, testSamples: 10, dataOptions: {},
  }));
  const test = (e: number) => ({
    loss: 1, trueSetSoftmaxMass: 0.9, topMExactMatchOracleM: 0.8 + 0.05 * e, n: 10,
    largestGap: { exactMatch: 0.7 + 0.05 * e, hammingLoss: 0.05, microF1: 0.9, macroF1: 0.88 },
    prototypes: { classifier: 0.9, classMeans: 0.85 + 0.03 * e, labelSetMeans: 0.8, prototypes: design.sets.length },
  });
  const lines = spec.lines ?? Array.from({ length: epochs + 1 }, (_, e) => ({
    epoch: e, trainLoss: 2 / (e + 1), seconds: 1, nc1: 2 / (e + 1) ** 2, nc2W: 0.5 / (e + 1), nc2H: 0.6 / (e + 1), nc3: 0.7 / (e + 1),
    tagAngle: 0.3 / (e + 1), rho: { 2: theory.rho[2] * (1 + 0.2 / (e + 1)) }, test: test(e),
  }));
  writeFileSync(join(dir, 'metrics.jsonl'), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  const snap = snapshotToJson({
    K, d, epoch: epochs, labels: design.labels, features: H.data, W: W.data, b, logits: logitsOf(H.data, design.N, d, W.data, b, K),
    testDecoding: { classMeans: 0.94, classifier: 0.93, labelSetMeans: 0.9, n: 10 },
  });
  writeFileSync(join(dir, 'final-features.json'), JSON.stringify(snap));
  return { theory, config };
}
