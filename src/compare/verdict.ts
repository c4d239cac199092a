/**
 * `mlnc compare`'s plain-language verdict, in two steps: the report's numbers are read into structured findings
 * (`verdictFindings`, every cut-off named in VERDICT_THRESHOLDS), and the findings are written out as prose
 * (`writeVerdict`). No hand-written claims: every sentence is chosen by a finding.
 */
import type { ComparisonReport } from './report.js';

/** The report without its table and verdict: what the findings are read from. */
export type VerdictInput = Omit<ComparisonReport, 'rows' | 'verdict'>;

/**
 * Cut-offs of the verdict's words. They are this report's reading conventions, not results of the paper: the ETF
 * distances (NC2_W, NC2_H, NC3) live on [0, 2] (0 = exact simplex ETF / self-duality), so "close" is the bottom 5% of
 * that range and "moderate" the bottom 15%; NC1 = tr(Σ_W Σ_B⁺)/K is 0 at collapse and of order 1 when the
 * within-class spread is as large as the distances between class means.
 */
export const VERDICT_THRESHOLDS = {
  /** ETF distance below which a matrix is "close to" a simplex ETF (and W, M̃ "nearly self-dual" for NC3). */
  etfClose: 0.1,
  /** ETF distance below which it is "moderately far from" one (and W, M̃ "partly aligned"); above: "far". */
  etfModerate: 0.3,
  /** NC1 below which the features of a class have collapsed to their mean. */
  nc1Collapsed: 0.05,
  /**
   * NC1 from which features are "far from collapsed": the within-class spread is at least half the between-class
   * one, so the network is outside the UFM's regime and its logit gap says more about training time than about λ.
   */
  nc1Far: 0.5,
  /** Direction error (degrees) below which multiplicity-m features count as tag-wise averages of their classes. */
  tagwiseDirectionDeg: 10,
  /**
   * Relative difference below which the network's multiplicity-1 logit gap matches the UFM's at the mapped λ (the
   * ratio then prints as "1×", and calling it smaller or larger would read a rounding error as a finding).
   */
  logitGapMatch: 0.05,
} as const;

/** How close a distance is to its ideal 0: below the "close" cut-off, below the "moderate" one, or beyond. */
export type Closeness = 'close' | 'moderate' | 'far';

export interface TagwiseFinding {
  /** Multiplicity m (a key of the report's `rho` record). */
  readonly m: string;
  /** Measured tag-wise scale ρ̂_m (mean over label sets of size m). */
  readonly rho: number;
  readonly directionErrorDeg: number;
  /** Direction error below VERDICT_THRESHOLDS.tagwiseDirectionDeg. */
  readonly tagwise: boolean;
  /** 1 < ρ̂_m < m, the range of the UFM's optimum (Li et al. 2024). */
  readonly inUfmRange: boolean;
  readonly fitted: number | null;
  readonly mapped: number | null;
}

/**
 * The multiplicity-1 logit gap of the network beside the UFM's at the mapped λ, and what it suggests:
 * - `far-from-regime`: NC1 is far from collapse, so the comparison says little about λ;
 * - `matches`: the two gaps agree within VERDICT_THRESHOLDS.logitGapMatch;
 * - `stronger-regularisation`: the network's gap is smaller (backbone weight decay, or not converged);
 * - `weaker-regularisation`: the network's gap is at least the UFM's.
 */
export type LogitGapFinding =
  | { readonly kind: 'compared'; readonly ufm: number; readonly network: number; readonly reading: GapReading }
  | { readonly kind: 'trivial-optimum' }
  | { readonly kind: 'no-mapping'; readonly reason: string }
  | { readonly kind: 'none' };

export type GapReading = 'far-from-regime' | 'matches' | 'stronger-regularisation' | 'weaker-regularisation';

export interface VerdictFindings {
  /** null when the classifier is learned but NC2_W was not measured. */
  readonly classifier: { readonly kind: 'frozen-etf' } | { readonly kind: 'learned'; readonly etf: Closeness; readonly nc2W: number } | null;
  readonly classMeans: { readonly etf: Closeness; readonly nc2H: number };
  readonly selfDuality: { readonly level: Closeness; readonly nc3: number } | null;
  readonly collapse: { readonly level: Closeness; readonly nc1: number };
  readonly tagwise: readonly TagwiseFinding[];
  readonly logitGap: LogitGapFinding;
  /** Test-set nearest-class-mean decoding accuracy, when the run logged it. */
  readonly decoding: { readonly classMeans: number } | null;
}

const T = VERDICT_THRESHOLDS;

function etfCloseness(distance: number): Closeness {
  if (distance < T.etfClose) return 'close';
  return distance < T.etfModerate ? 'moderate' : 'far';
}

function collapseLevel(nc1: number): Closeness {
  if (nc1 < T.nc1Collapsed) return 'close';
  return nc1 < T.nc1Far ? 'moderate' : 'far';
}

function gapReading(collapse: Closeness, networkGap: number, ufmGap: number): GapReading {
  if (collapse === 'far') return 'far-from-regime';
  if (Math.abs(networkGap - ufmGap) <= T.logitGapMatch * Math.abs(ufmGap)) return 'matches';
  return networkGap < ufmGap ? 'stronger-regularisation' : 'weaker-regularisation';
}

/** Reads the report's numbers into findings (pure; every cut-off from VERDICT_THRESHOLDS). */
export function verdictFindings(r: VerdictInput): VerdictFindings {
  const n = r.network;
  const collapse = { level: collapseLevel(n.nc1), nc1: n.nc1 };
  const usableMapped = r.mapped && !r.mapped.trivial ? r.mapped : null;
  const tagwise = Object.entries(n.rho).map(([m, s]): TagwiseFinding => ({
    m, rho: s.mean, directionErrorDeg: s.directionErrorDeg,
    tagwise: s.directionErrorDeg < T.tagwiseDirectionDeg,
    inUfmRange: s.mean > 1 && s.mean < Number(m),
    fitted: r.fitted?.rho[m] ?? null,
    mapped: usableMapped?.rho[m] ?? null,
  }));
  let logitGap: LogitGapFinding = { kind: 'none' };
  const networkGap = n.logitGap['1'];
  const ufmGap = usableMapped?.logitGap['1'];
  if (networkGap !== undefined && ufmGap !== undefined) {
    logitGap = { kind: 'compared', ufm: ufmGap, network: networkGap, reading: gapReading(collapse.level, networkGap, ufmGap) };
  } else if (r.mapped?.trivial) {
    logitGap = { kind: 'trivial-optimum' };
  } else if (r.mapping.reason) {
    logitGap = { kind: 'no-mapping', reason: r.mapping.reason };
  }
  let classifier: VerdictFindings['classifier'] = null;
  if (r.fixedEtf) classifier = { kind: 'frozen-etf' };
  else if (n.nc2W !== null) classifier = { kind: 'learned', etf: etfCloseness(n.nc2W), nc2W: n.nc2W };
  return {
    classifier,
    classMeans: { etf: etfCloseness(n.nc2H), nc2H: n.nc2H },
    selfDuality: n.nc3 === null ? null : { level: etfCloseness(n.nc3), nc3: n.nc3 },
    collapse,
    tagwise,
    logitGap,
    decoding: n.decoding ? { classMeans: n.decoding.classMeans } : null,
  };
}

/** A number for prose: 3 significant digits, or one-digit scientific notation below 1e-3. */
const f = (v: number, digits = 3) => (Math.abs(v) >= 1e-3 || v === 0 ? Number(v.toPrecision(digits)).toString() : v.toExponential(1));

const ETF_WORDS: Record<Closeness, string> = { close: 'close to', moderate: 'moderately far from', far: 'far from' };
const SELF_DUALITY_WORDS: Record<Closeness, string> = {
  close: 'classifier and means are nearly self-dual',
  moderate: 'classifier and means are partly aligned',
  far: 'classifier and means are not yet aligned',
};
const COLLAPSE_WORDS: Record<Closeness, string> = {
  close: 'have collapsed to their mean',
  moderate: 'are partly collapsed',
  far: 'are far from collapsed',
};
const GAP_READING_WORDS: Record<GapReading, string> = {
  'far-from-regime': 'the network is still far from the UFM\'s regime, so the gap says more about training time than about λ',
  matches: 'the UFM at the mapped λ accounts for the network\'s logit gap',
  'stronger-regularisation': 'consistent with more regularisation than the explicit λ (weight decay on the backbone) or with training that has not converged',
  'weaker-regularisation': 'the network\'s effective regularisation is weaker than the mapped λ',
};

/** The verdict paragraph (what `mlnc compare` prints last and compare.json's `verdict`). */
export function writeVerdict(r: VerdictInput): string {
  return renderVerdict(verdictFindings(r));
}

/** Writes findings as prose, one sentence per group of findings. */
export function renderVerdict(v: VerdictFindings): string {
  const shape: string[] = [];
  if (v.classifier?.kind === 'frozen-etf') shape.push('The classifier is frozen to the simplex ETF');
  else if (v.classifier) shape.push(`The classifier is ${ETF_WORDS[v.classifier.etf]} a simplex ETF (NC2_W = ${f(v.classifier.nc2W)})`);
  shape.push(`the class means are ${ETF_WORDS[v.classMeans.etf]} one (NC2_H = ${f(v.classMeans.nc2H)})`);
  if (v.selfDuality) shape.push(`and ${SELF_DUALITY_WORDS[v.selfDuality.level]} (NC3 = ${f(v.selfDuality.nc3)})`);
  const sentences = [`${capitalise(shape.join(', '))}.`];
  const ufmZero = v.collapse.level === 'close' ? '' : '; the UFM predicts 0';
  sentences.push(`Features of a class ${COLLAPSE_WORDS[v.collapse.level]} (NC1 = ${f(v.collapse.nc1)}${ufmZero}).`);
  if (v.tagwise.length > 0) sentences.push(`${capitalise(v.tagwise.map(tagwiseClause).join('; '))}.`);
  const gap = logitGapSentence(v.logitGap);
  if (gap) sentences.push(gap);
  if (v.decoding) {
    sentences.push(`Nearest-prototype decoding gets ${(100 * v.decoding.classMeans).toFixed(1)}% of test label sets exactly right (class-mean prototypes; the UFM's optimum decodes 100%).`);
  }
  return sentences.join(' ');
}

function tagwiseClause(t: TagwiseFinding): string {
  const ufm: string[] = [];
  if (t.fitted !== null) ufm.push(`${f(t.fitted)} with the fitted scale`);
  if (t.mapped !== null) ufm.push(`${f(t.mapped)} with the mapped λ`);
  return `the multiplicity-${t.m} features are ${t.tagwise ? '' : 'only roughly '}tag-wise averages (direction error ${t.directionErrorDeg.toFixed(1)}°)` +
    ` with scale ρ̂_${t.m} = ${f(t.rho)}${ufm.length ? ` vs the UFM's ${ufm.join(' and ')}` : ''}` +
    `${t.inUfmRange ? '' : ` (outside the UFM's range 1 < ρ < ${t.m})`}`;
}

function logitGapSentence(g: LogitGapFinding): string | null {
  switch (g.kind) {
    case 'compared':
      return `With λ mapped from the training loss the UFM predicts a logit gap of ${f(g.ufm)} for single labels, the network has ${f(g.network)}` +
        ` (${g.reading === 'matches' ? `equal within ${100 * T.logitGapMatch}%` : gapRatioWords(g.network, g.ufm)}): ${GAP_READING_WORDS[g.reading]}.`;
    case 'trivial-optimum':
      return 'With λ mapped from the training loss the UFM\'s optimum is W = H = 0, while the network learned non-zero features.';
    case 'no-mapping':
      return `No λ mapping: ${g.reason}.`;
    case 'none':
      return null;
  }
}

/** "2.2× larger" / "1.4× smaller"; a network gap ≤ 0 has no meaningful ratio to the UFM's positive gap. */
function gapRatioWords(network: number, ufm: number): string {
  const ratio = network / ufm;
  if (ratio > 1) return `${f(ratio, 2)}× larger`;
  if (ratio > 0) return `${f(1 / ratio, 2)}× smaller`;
  return 'not positive: the network does not rank the true label first';
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
