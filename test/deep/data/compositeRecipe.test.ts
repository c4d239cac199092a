import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildComposites, combinations, planComposites, renderComposites, type CompositeSpec,
} from '../../../src/deep/data/compositeRecipe.js';
import { Rng } from '../../../src/util/rng.js';
import { countByKey, key, referenceComposite, sameBytes, syntheticSource } from './helpers.js';

function binom(n: number, k: number): number {
  let r = 1;
  for (let i = 0; i < k; i++) r = (r * (n - i)) / (i + 1);
  return r;
}

const specArb = fc.record({
  K: fc.integer({ min: 4, max: 6 }),
  placement: fc.constantFrom('roll' as const, 'offset' as const),
  s: fc.integer({ min: 3, max: 8 }),
  C: fc.constantFrom(1, 3),
  counts: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 4 }),
  perClass: fc.integer({ min: 1, max: 12 }),
  seed: fc.integer({ min: 0, max: 2 ** 31 }),
}).chain((r) => fc.record({ r: fc.constant(r), maxShift: fc.integer({ min: 0, max: r.s - 1 }) }));

describe('combinations', () => {
  it('lists every m-subset once, sorted, in lexicographic order', () => {
    for (let K = 1; K <= 6; K++) {
      for (let m = 1; m <= K; m++) {
        const cs = combinations(K, m);
        expect(cs.length).toBe(binom(K, m));
        expect(new Set(cs.map(key)).size).toBe(cs.length);
        for (const c of cs) for (let j = 1; j < c.length; j++) expect(c[j]).toBeGreaterThan(c[j - 1]);
        const sorted = cs.map(key).slice().sort((a, b) => {
          const x = a.split(',').map(Number); const y = b.split(',').map(Number);
          for (let j = 0; j < m; j++) if (x[j] !== y[j]) return x[j] - y[j];
          return 0;
        });
        expect(cs.map(key)).toEqual(sorted);
      }
    }
  });
});

describe('MLab composite recipe (property tests)', () => {
  it('counts per label set, shapes, and every composite = element-wise max of its padded, shifted parts', () => {
    fc.assert(
      fc.property(specArb, ({ r, maxShift }) => {
        const src = syntheticSource(r.K, r.perClass, r.s, r.C, r.seed);
        const spec: CompositeSpec = { K: r.K, placement: r.placement, maxShift, countsPerSet: r.counts };
        const { images, labels, samples, side } = buildComposites(src, spec, r.seed);
        expect(side).toBe(2 * r.s);
        const N = r.counts.reduce((acc, n, mi) => acc + n * binom(r.K, mi + 1), 0);
        expect(labels.length).toBe(N);
        expect(images.length).toBe(N * side * side * r.C);
        // Counts per label set: exactly countsPerSet[m−1] for each of the C(K, m) sets.
        const counts = countByKey(labels);
        r.counts.forEach((n, mi) => {
          for (const set of combinations(r.K, mi + 1)) expect(counts.get(key(set)) ?? 0).toBe(n);
        });
        const stride = side * side * r.C;
        samples.forEach((sample, i) => {
          const m = sample.label.length;
          // Parts: one per class of the label set, each drawn from that class.
          expect(sample.parts.map((p) => p.cls).sort((a, b) => a - b)).toEqual([...sample.label]);
          for (const p of sample.parts) expect(src.classes[p.source]).toBe(p.cls);
          const quads = sample.parts.map((p) => p.quadrant);
          expect(new Set(quads).size).toBe(m);
          if (m === 1) expect(quads).toEqual(['BR']);
          if (m === 2) expect([...quads].sort()).toEqual(['BR', 'TL']);
          const ref = referenceComposite(src, sample, r.placement, maxShift);
          expect(sameBytes(images.subarray(i * stride, (i + 1) * stride), ref)).toBe(true);
        });
      }),
      { numRuns: 40, seed: 20240611 },
    );
  });

  it('is deterministic for a seed and differs for another seed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 }), fc.constantFrom('roll' as const, 'offset' as const), (seed, placement) => {
        const src = syntheticSource(5, 20, 8, 1, 7);
        const spec: CompositeSpec = { K: 5, placement, maxShift: 3, countsPerSet: [4, 2, 1] };
        const a = buildComposites(src, spec, seed);
        const b = buildComposites(src, spec, seed);
        expect(sameBytes(b.images, a.images)).toBe(true);
        expect(b.samples).toEqual(a.samples);
        const c = buildComposites(src, spec, seed + 1);
        expect(Buffer.from(c.images).equals(Buffer.from(a.images))).toBe(false);
      }),
      { numRuns: 10, seed: 42 },
    );
  });

  it('draws sources without replacement while a class has unused images, then reuses them evenly', () => {
    const K = 4;
    const src = syntheticSource(K, 10, 4, 1, 3);
    // Per class: 3 singles + 3 pairs × 2 = 9 draws ≤ 10 available → all distinct.
    const few = planComposites(src, { K, placement: 'roll', maxShift: 1, countsPerSet: [3, 2] }, new Rng(5));
    const used = few.flatMap((s) => s.parts.map((p) => p.source));
    expect(new Set(used).size).toBe(used.length);
    // Per class: 25 draws from 10 images → each image used 2 or 3 times.
    const many = planComposites(src, { K, placement: 'roll', maxShift: 1, countsPerSet: [25] }, new Rng(5));
    const uses = new Map<number, number>();
    for (const s of many) for (const p of s.parts) uses.set(p.source, (uses.get(p.source) ?? 0) + 1);
    expect(uses.size).toBe(K * 10);
    for (const u of uses.values()) expect(u === 2 || u === 3).toBe(true);
  });

  it('uses every roll shift 0..maxShift and both orders of a pair (the recipe is random, not fixed)', () => {
    const src = syntheticSource(4, 30, 6, 1, 11);
    const samples = planComposites(src, { K: 4, placement: 'roll', maxShift: 2, countsPerSet: [20, 20] }, new Rng(1));
    const shifts = new Set<number>();
    const tlClass = new Map<string, Set<number>>();
    for (const s of samples) {
      for (const p of s.parts) shifts.add(p.y % 6);
      if (s.label.length === 2) {
        const tl = s.parts.find((p) => p.quadrant === 'TL')!;
        if (!tlClass.has(key(s.label))) tlClass.set(key(s.label), new Set());
        tlClass.get(key(s.label))!.add(tl.cls);
      }
    }
    expect([...shifts].sort()).toEqual([0, 1, 2]);
    for (const set of tlClass.values()) expect(set.size).toBe(2);
  });

  it('render is the max of parts even where parts overlap (offset placement with large p)', () => {
    const src = syntheticSource(3, 4, 4, 3, 9);
    const samples = planComposites(src, { K: 3, placement: 'offset', maxShift: 3, countsPerSet: [0, 30] }, new Rng(2));
    expect(samples.some((s) => s.parts[0].y === 3)).toBe(true); // an overlapping case (p = 3 > 0) occurs
    const images = renderComposites(src, samples);
    const stride = 8 * 8 * 3;
    samples.forEach((s, i) => expect(sameBytes(images.subarray(i * stride, (i + 1) * stride), referenceComposite(src, s, 'offset', 3))).toBe(true));
  });

  it('rejects multiplicity above 4, bad shifts and counts', () => {
    const src = syntheticSource(6, 3, 4, 1, 1);
    expect(() => planComposites(src, { K: 6, placement: 'roll', maxShift: 1, countsPerSet: [1, 1, 1, 1, 1] }, new Rng(1))).toThrow(/supports 1\.\.4/);
    expect(() => planComposites(src, { K: 6, placement: 'roll', maxShift: 4, countsPerSet: [1] }, new Rng(1))).toThrow(/maxShift/);
    expect(() => planComposites(src, { K: 6, placement: 'roll', maxShift: 1, countsPerSet: [1.5] }, new Rng(1))).toThrow(/count/);
  });

  it('names the missing class when a source has none of it', () => {
    const src = syntheticSource(3, 2, 4, 1, 1); // classes 0..2 only
    expect(() => planComposites(src, { K: 4, placement: 'roll', maxShift: 1, countsPerSet: [1] }, new Rng(1), 'tiny'))
      .toThrow(/tiny: no source image of class 3/);
  });
});
