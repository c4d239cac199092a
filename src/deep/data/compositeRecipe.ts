/**
 * The MLab composite recipe (Li, Li, Wang, Qu 2024, public code): single-label source images of side s are placed on
 * a 2s×2s canvas and combined by element-wise max. Planning (which sources, where) is separate from rendering so a
 * test can recompute every composite from its provenance.
 *
 * Placement rules, with quadrant corners TL = (0,0), TR = (0,s), BL = (s,0), BR = (s,s):
 * - 'roll' (MLab-MNIST / MLab-Fashion): the image is zero-padded into its quadrant and then rolled down and right by
 *   independent uniform dy, dx ∈ 0..maxShift (np.roll, wrap-around); every part of a composite gets its own shifts.
 *   Original: s = 28, canvas 56, maxShift 6.
 * - 'offset' (MLab-CIFAR10): one uniform p ∈ 0..maxShift per sample; each part sits p pixels inward from its
 *   quadrant's outer corner: TL at (p,p), BR at (s−p, s−p) (the mirror image), TR at (p, s−p), BL at (s−p, p).
 *   Original: s = 32, canvas 64, maxShift 7. Parts may overlap by up to 2p pixels; max combines them.
 * Quadrants by multiplicity m:
 * - m = 1: BR (the original puts single digits bottom-right; for CIFAR the natural analogue is the BR slot at offset p).
 * - m = 2: TL and BR, which class goes top-left chosen uniformly (the original recipe).
 * - m = 3, 4 (extension; the original generator for these was broken): m distinct quadrants chosen uniformly, classes
 *   assigned in random order. Distinct quadrants keep the parts distinguishable (shifts ≤ maxShift ≪ s). A 2s×2s canvas
 *   has only 4 quadrants, so multiplicity above 4 is refused rather than overlapping parts.
 * Samples are ordered by multiplicity, then label set (lexicographic), `countsPerSet[m−1]` samples each.
 */
import { labelSet, type LabelSet } from '../../geometry/types.js';
import { Rng } from '../../util/rng.js';
import { ClassPools } from './classPools.js';
import { maxPasteWrapped } from './imageOps.js';
import type { SourceImages } from './types.js';

export type Placement = 'roll' | 'offset';
export const MAX_COMPOSITE_MULTIPLICITY = 4;

export interface CompositeSpec {
  K: number;
  placement: Placement;
  /** Shift range: roll 0..maxShift ('roll') or inward offset p ∈ 0..maxShift ('offset'). */
  maxShift: number;
  /** countsPerSet[m−1] = samples per label set of multiplicity m (per class for m = 1). */
  countsPerSet: number[];
}

/** One source image on the canvas: top-left corner at (y, x), wrapping around the edges. */
export interface CompositePart {
  source: number;
  cls: number;
  quadrant: 'TL' | 'TR' | 'BL' | 'BR';
  y: number;
  x: number;
}

export interface CompositeSample {
  label: LabelSet;
  parts: CompositePart[];
}

const QUADRANTS = ['TL', 'TR', 'BL', 'BR'] as const;

/** All m-subsets of 0..K−1 in lexicographic order. */
export function combinations(K: number, m: number): number[][] {
  const out: number[][] = [];
  const cur: number[] = [];
  const rec = (start: number): void => {
    if (cur.length === m) { out.push(cur.slice()); return; }
    for (let k = start; k <= K - (m - cur.length); k++) {
      cur.push(k);
      rec(k + 1);
      cur.pop();
    }
  };
  rec(0);
  return out;
}

export function validateSpec(spec: CompositeSpec, side: number): void {
  const { K, maxShift, countsPerSet } = spec;
  if (!Number.isInteger(K) || K < 2) throw new Error(`composite recipe: K = ${K} must be an integer ≥ 2`);
  if (countsPerSet.length < 1 || countsPerSet.length > Math.min(MAX_COMPOSITE_MULTIPLICITY, K)) {
    throw new Error(
      `composite recipe: multiplicities 1..${countsPerSet.length} requested, the quadrant placement supports 1..${Math.min(MAX_COMPOSITE_MULTIPLICITY, K)}`,
    );
  }
  for (const n of countsPerSet) {
    if (!Number.isInteger(n) || n < 0) throw new Error(`composite recipe: sample count ${n} must be a non-negative integer`);
  }
  if (!Number.isInteger(maxShift) || maxShift < 0 || maxShift >= side) {
    throw new Error(`composite recipe: maxShift ${maxShift} must be an integer in 0..${side - 1}`);
  }
}

function quadrantsFor(m: number, rng: Rng): number[] {
  if (m === 1) return [3];
  if (m === 2) return [0, 3];
  const all = [0, 1, 2, 3];
  rng.shuffle(all);
  return all.slice(0, m).sort((a, b) => a - b);
}

/**
 * Plans every composite: label set, source indices, quadrants and positions. Deterministic in `rng`'s state.
 * Class k's source images are `src.classes[i] === k`.
 */
export function planComposites(src: SourceImages, spec: CompositeSpec, rng: Rng, where = 'composite recipe'): CompositeSample[] {
  const s = src.height;
  if (src.width !== s) throw new Error(`composite recipe needs square source images, got ${src.height}×${src.width}`);
  validateSpec(spec, s);
  const pools = new ClassPools(src.classes, spec.K, rng, where);
  const out: CompositeSample[] = [];
  spec.countsPerSet.forEach((n, mi) => {
    const m = mi + 1;
    for (const set of combinations(spec.K, m)) {
      const label = labelSet(set, spec.K);
      for (let j = 0; j < n; j++) {
        const order = rng.shuffle(set.slice()) as number[]; // which class goes to which quadrant
        const quads = quadrantsFor(m, rng);
        const p = spec.placement === 'offset' ? rng.int(spec.maxShift + 1) : 0;
        const parts: CompositePart[] = quads.map((q, t) => {
          const cls = order[t];
          const source = pools.draw(cls);
          const bottom = q >= 2;
          const right = q % 2 === 1;
          let y: number;
          let x: number;
          if (spec.placement === 'roll') {
            y = (bottom ? s : 0) + rng.int(spec.maxShift + 1);
            x = (right ? s : 0) + rng.int(spec.maxShift + 1);
          } else {
            y = bottom ? s - p : p;
            x = right ? s - p : p;
          }
          return { source, cls, quadrant: QUADRANTS[q], y, x };
        });
        out.push({ label, parts });
      }
    }
  });
  return out;
}

/** Renders planned composites onto 2s×2s canvases (NHWC uint8), element-wise max of the placed parts. */
export function renderComposites(src: SourceImages, samples: readonly CompositeSample[]): Uint8Array {
  const side = 2 * src.height;
  const C = src.channels;
  const stride = side * side * C;
  const out = new Uint8Array(samples.length * stride);
  samples.forEach((sample, i) => {
    for (const part of sample.parts) maxPasteWrapped(src, part.source, out, i * stride, side, part.y, part.x);
  });
  return out;
}

/** Plans and renders; returns images, labels and the provenance. */
export function buildComposites(
  src: SourceImages,
  spec: CompositeSpec,
  seed: number,
  where?: string,
): { images: Uint8Array; labels: LabelSet[]; samples: CompositeSample[]; side: number } {
  const samples = planComposites(src, spec, new Rng(seed), where);
  return { images: renderComposites(src, samples), labels: samples.map((x) => x.label), samples, side: 2 * src.height };
}
