import type { LabelSet } from '../../geometry/types.js';

/**
 * Nearest label-set prototype decoding (the paper's 1-NN idea): one prototype per label set seen in training, and
 * each test feature is assigned the label set of its nearest prototype. Pure, no tfjs. Features are row-major.
 *
 * Every decoder works on features centred by the training global mean μ_G (the mean of the multiplicity-1 training
 * features), because the theory's geometry lives around μ_G (h_S − μ_G = ρ_m·(1/m)·Σ_{k∈S}(μ_k − μ_G)):
 * - `classifier`: p_S = Σ_{k∈S} w_k (rows of the classifier), nearest by cosine to h − μ_G;
 * - `classMeans`: p_S = Σ_{k∈S} (μ_k − μ_G) (multiplicity-1 class means), nearest by cosine to h − μ_G;
 * Cosine makes the unknown scale γ_m/ρ_m of a multiplicity irrelevant, so neither decoder needs the theory's ρ.
 * - `labelSetMeans`: p_S = the mean training feature of label set S, nearest by Euclidean distance (an empirical check
 *   that needs no tag-wise structure at all).
 */
export interface PrototypeInput {
  K: number;
  d: number;
  trainFeatures: ArrayLike<number>;
  trainLabels: readonly LabelSet[];
  testFeatures: ArrayLike<number>;
  testLabels: readonly LabelSet[];
  /** K×d classifier rows; the `classifier` decoder is skipped (null) without it. */
  classifier?: ArrayLike<number>;
}

export interface PrototypeAccuracy {
  classifier: number | null;
  classMeans: number;
  labelSetMeans: number;
  /** Number of distinct training label sets (= prototypes). */
  prototypes: number;
}

const key = (S: LabelSet) => S.join(',');

/** Multiplicity-1 class means (K×d) and their sample mean μ_G; throws when a class has no single-label sample. */
export function singleLabelMeans(features: ArrayLike<number>, labels: readonly LabelSet[], K: number, d: number): { means: Float64Array; global: Float64Array } {
  if (features.length !== labels.length * d) throw new Error(`features have ${features.length} entries, expected ${labels.length}×${d}`);
  const means = new Float64Array(K * d);
  const counts = new Float64Array(K);
  const global = new Float64Array(d);
  let n1 = 0;
  labels.forEach((S, i) => {
    if (S.length !== 1) return;
    const k = S[0];
    counts[k]++;
    n1++;
    for (let j = 0; j < d; j++) {
      means[k * d + j] += features[i * d + j];
      global[j] += features[i * d + j];
    }
  });
  for (let k = 0; k < K; k++) {
    if (counts[k] === 0) throw new Error(`class ${k} has no single-label training sample, so its mean is undefined`);
    for (let j = 0; j < d; j++) means[k * d + j] /= counts[k];
  }
  for (let j = 0; j < d; j++) global[j] /= n1;
  return { means, global };
}

function nearestAccuracy(
  protos: Float64Array, sets: LabelSet[], d: number, test: ArrayLike<number>, testLabels: readonly LabelSet[],
  centre: Float64Array, metric: 'cosine' | 'euclidean',
): number {
  const P = sets.length;
  const norms = new Float64Array(P);
  for (let p = 0; p < P; p++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += protos[p * d + j] ** 2;
    norms[p] = Math.sqrt(s);
  }
  const h = new Float64Array(d);
  let hits = 0;
  testLabels.forEach((S, i) => {
    for (let j = 0; j < d; j++) h[j] = test[i * d + j] - centre[j];
    let best = -1;
    let bestScore = -Infinity;
    for (let p = 0; p < P; p++) {
      let score: number;
      if (metric === 'cosine') {
        let dot = 0;
        for (let j = 0; j < d; j++) dot += h[j] * protos[p * d + j];
        score = norms[p] > 0 ? dot / norms[p] : -Infinity; // ‖h‖ is common to every prototype
      } else {
        let dist = 0;
        for (let j = 0; j < d; j++) dist += (h[j] - protos[p * d + j]) ** 2;
        score = -dist;
      }
      if (score > bestScore) {
        bestScore = score;
        best = p;
      }
    }
    if (best >= 0 && key(sets[best]) === key(S)) hits++;
  });
  return hits / testLabels.length;
}

export function prototypeAccuracy(input: PrototypeInput): PrototypeAccuracy {
  const { K, d, trainFeatures, trainLabels, testFeatures, testLabels } = input;
  if (testFeatures.length !== testLabels.length * d) throw new Error(`test features have ${testFeatures.length} entries, expected ${testLabels.length}×${d}`);
  if (testLabels.length === 0) throw new Error('prototypeAccuracy: no test samples');
  const { means, global } = singleLabelMeans(trainFeatures, trainLabels, K, d);
  // Distinct training label sets with their feature sums.
  const index = new Map<string, number>();
  const sets: LabelSet[] = [];
  const sums: number[][] = [];
  const counts: number[] = [];
  trainLabels.forEach((S, i) => {
    let p = index.get(key(S));
    if (p === undefined) {
      p = sets.length;
      index.set(key(S), p);
      sets.push(S);
      sums.push(new Array<number>(d).fill(0));
      counts.push(0);
    }
    counts[p]++;
    for (let j = 0; j < d; j++) sums[p][j] += trainFeatures[i * d + j];
  });
  const P = sets.length;
  const fromMeans = new Float64Array(P * d);
  const fromSets = new Float64Array(P * d);
  const fromW = new Float64Array(P * d);
  sets.forEach((S, p) => {
    for (const k of S) {
      for (let j = 0; j < d; j++) {
        fromMeans[p * d + j] += means[k * d + j] - global[j];
        if (input.classifier) fromW[p * d + j] += input.classifier[k * d + j];
      }
    }
    for (let j = 0; j < d; j++) fromSets[p * d + j] = sums[p][j] / counts[p] - global[j];
  });
  if (input.classifier && input.classifier.length !== K * d) throw new Error(`classifier has ${input.classifier.length} entries, expected ${K}×${d}`);
  return {
    classifier: input.classifier ? nearestAccuracy(fromW, sets, d, testFeatures, testLabels, global, 'cosine') : null,
    classMeans: nearestAccuracy(fromMeans, sets, d, testFeatures, testLabels, global, 'cosine'),
    labelSetMeans: nearestAccuracy(fromSets, sets, d, testFeatures, testLabels, global, 'euclidean'),
    prototypes: P,
  };
}
