/** The types of `mlnc compare`'s report: the network snapshot it reads, the settings, and the report it writes. */
import type { FloatArray, LabelSet } from '../geometry/types.js';
import type { PalLoss } from '../ufm/pal.js';
import type { ComparisonRow } from '../plot/comparisonTable.js';
import type { UfmLambdas } from './lambdaMapping.js';
import type { UfmPrediction } from './ufmPrediction.js';

/** Nearest-prototype decoding accuracy on the test set (src/deep/evaluate's prototypeAccuracy). */
export interface DecodingAccuracy {
  readonly classMeans: number;
  readonly classifier: number | null;
  readonly labelSetMeans: number;
  readonly n: number;
}

/** The network at the end of training: training-set features (inference mode), logits, classifier. */
export interface NetworkSnapshot {
  readonly K: number;
  readonly d: number;
  /** N×d row-major. */
  readonly features: FloatArray;
  readonly labels: readonly LabelSet[];
  /** N×K row-major. */
  readonly logits: ArrayLike<number>;
  /** K×d row-major. */
  readonly W: ArrayLike<number>;
  readonly b: ArrayLike<number>;
  readonly epoch?: number;
  readonly testDecoding?: DecodingAccuracy | null;
}

export interface CompareSettings {
  readonly loss: PalLoss;
  readonly lambdaH: number;
  readonly weightDecay: number;
  readonly batchSize: number;
  readonly fixedEtf: boolean;
  /** The feature-penalty convention text the run recorded. */
  readonly convention: string | undefined;
}

export interface NetworkGeometry {
  readonly nc1: number;
  readonly nc2W: number | null;
  readonly nc2H: number;
  readonly nc3: number | null;
  readonly tagAngle: number | null;
  readonly rho: Readonly<Record<string, { mean: number; std: number; count: number; directionErrorDeg: number }>>;
  readonly logitGap: Readonly<Record<string, number>>;
  readonly rowNorm: number;
  /** α = mean‖w_k‖²·K/(K−1) (WWᵀ = α(I − 11ᵀ/K) for an exact ETF). */
  readonly alpha: number;
  readonly bNorm: number;
  readonly decoding: DecodingAccuracy | null;
}

export interface ComparisonReport {
  readonly K: number;
  readonly N: number;
  readonly d: number;
  readonly loss: PalLoss;
  /** The classifier was frozen to the simplex ETF during training (the run's `fixedEtf`). */
  readonly fixedEtf: boolean;
  readonly epoch: number | null;
  readonly design: { balanced: boolean; perSetCount: Readonly<Record<number, number>> | null; imbalance: string | null; samplesPerMultiplicity: Readonly<Record<string, number>>; labelSets: number };
  readonly mapping: { lambdas: UfmLambdas | null; reason: string | null };
  readonly network: NetworkGeometry;
  readonly mapped: UfmPrediction | null;
  readonly fitted: UfmPrediction | null;
  readonly fittedReason: string | null;
  readonly rows: readonly ComparisonRow[];
  readonly verdict: string;
}
