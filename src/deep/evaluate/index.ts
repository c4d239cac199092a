import type { LabelSet } from '../../geometry/types.js';
import { prototypeAccuracy, type PrototypeAccuracy } from './prototypes.js';
import { largestGapMetrics, topMExactMatch, trueSetSoftmaxMass, type DecisionMetrics } from './setMetrics.js';

export * from './setMetrics.js';
export * from './prototypes.js';

export interface TestMetrics {
  /** The public code's "IoU": mean softmax mass on the true set. */
  trueSetSoftmaxMass: number;
  /** Exact-set match of top-m decoding with the ORACLE multiplicity m = |S|. */
  topMExactMatchOracleM: number;
  /** Exact match, Hamming loss, micro/macro F1 of largest-gap decoding (no oracle; see largestGapDecode). */
  largestGap: DecisionMetrics;
  /** Nearest label-set prototype accuracy (exact set) for each prototype kind. */
  prototypes: PrototypeAccuracy;
  n: number;
}

export interface TestMetricsInput {
  K: number;
  d: number;
  testLogits: ArrayLike<number>;
  testFeatures: ArrayLike<number>;
  testLabels: readonly LabelSet[];
  trainFeatures: ArrayLike<number>;
  trainLabels: readonly LabelSet[];
  classifier?: ArrayLike<number>;
}

/** Every test-set metric at once. */
export function testSetMetrics(input: TestMetricsInput): TestMetrics {
  const { K, testLogits, testLabels } = input;
  return {
    trueSetSoftmaxMass: trueSetSoftmaxMass(testLogits, testLabels, K),
    topMExactMatchOracleM: topMExactMatch(testLogits, testLabels, K),
    largestGap: largestGapMetrics(testLogits, testLabels, K),
    prototypes: prototypeAccuracy(input),
    n: testLabels.length,
  };
}
