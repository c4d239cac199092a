import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createParallelUfmObjective, sampleBounds, type ParallelUfmObjective } from '../../src/parallel/parallelUfmObjective.js';
import { ufmObjective, type UfmProblem } from '../../src/ufm/objective.js';
import type { PalLoss } from '../../src/ufm/pal.js';
import { Rng } from '../../src/util/rng.js';

/** A random small problem: N samples with random non-empty sorted label sets. */
function randomProblem(K: number, d: number, N: number, loss: PalLoss, seed: number): UfmProblem {
  const rng = new Rng(seed);
  const labels = Array.from({ length: N }, () => {
    const S = [...new Set(Array.from({ length: 1 + rng.int(Math.min(K, 3)) }, () => rng.int(K)))];
    return S.sort((a, b) => a - b);
  });
  return { K, d, labels, loss, lambdaW: 1e-3 + rng.uniform() * 0.1, lambdaH: rng.uniform() * 0.1, lambdaB: rng.uniform() * 0.1 };
}

function randomPoint(size: number, seed: number, scale: number, into: Float64Array = new Float64Array(size)): Float64Array {
  const rng = new Rng(seed);
  for (let j = 0; j < size; j++) into[j] = scale * rng.normal();
  return into;
}

/** max_j |a_j − b_j| over [from, to). */
function maxDiff(a: Float64Array, b: Float64Array, from = 0, to = a.length): number {
  let m = 0;
  for (let j = from; j < to; j++) m = Math.max(m, Math.abs(a[j] - b[j]));
  return m;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let j = 0; j < a.length; j++) m = Math.max(m, Math.abs(a[j]));
  return m;
}

const opened: ParallelUfmObjective[] = [];
async function open(problem: UfmProblem, threads: number): Promise<ParallelUfmObjective> {
  const obj = createParallelUfmObjective(problem, { threads });
  opened.push(obj);
  await obj.init();
  return obj;
}
afterAll(async () => {
  await Promise.all(opened.map((o) => o.dispose()));
});

describe('sampleBounds', () => {
  it('splits [0, N) into contiguous ranges that start at even samples', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 5 }), (N, threads) => {
        const b = sampleBounds(N, threads);
        expect(b.length).toBe(threads + 1);
        expect(b[0]).toBe(0);
        expect(b[threads]).toBe(N);
        for (let t = 0; t < threads; t++) {
          expect(b[t + 1]).toBeGreaterThanOrEqual(b[t]);
          expect(b[t] % 2).toBe(0);
        }
      }),
      { numRuns: 100, seed: 11 },
    );
  });
});

describe('createParallelUfmObjective', () => {
  it('equals the single-threaded objective (f and ∇f to 1e-12 relative, ∇H rows exactly), both losses, 2–3 threads', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          K: fc.integer({ min: 2, max: 6 }),
          d: fc.integer({ min: 1, max: 7 }),
          N: fc.integer({ min: 1, max: 13 }),
          loss: fc.constantFrom<PalLoss>('pal', 'pal-n'),
          threads: fc.constantFrom(2, 3),
          seed: fc.integer({ min: 0, max: 1e6 }),
          scale: fc.constantFrom(0.1, 1, 3),
        }),
        async ({ K, d, N, loss, threads, seed, scale }) => {
          const problem = randomProblem(K, d, N, loss, seed);
          const single = ufmObjective(problem);
          const par = await open(problem, threads);
          expect(par.size).toBe(single.size);
          const x = randomPoint(single.size, seed + 1, scale);
          const g = new Float64Array(single.size);
          const f = single.evaluate(x, g);
          const tol = 1e-12 * Math.max(1, maxAbs(g));
          // Shared buffers (no copies) and ordinary arrays (copied in and out) give the same result.
          const xs = par.allocate();
          xs.set(x);
          const gs = par.allocate();
          const fs = par.evaluate(xs, gs);
          const gp = new Float64Array(single.size);
          const fp = par.evaluate(x, gp);
          for (const [fv, gv] of [[fs, gs], [fp, gp]] as const) {
            expect(Math.abs(fv - f)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(f)));
            expect(maxDiff(gv, g)).toBeLessThanOrEqual(tol);
            // Each thread writes its own ∇h_i rows with the single pass's arithmetic: identical.
            expect(maxDiff(gv, g, single.offsetH, single.offsetB)).toBe(0);
          }
          expect(Array.from(gp)).toEqual(Array.from(gs));
          await par.dispose();
        },
      ),
      { numRuns: 12, seed: 2024 },
    );
  });

  it('with one thread is bit-identical to ufmObjective (no workers)', async () => {
    const problem = randomProblem(5, 4, 9, 'pal-n', 3);
    const single = ufmObjective(problem);
    const par = await open(problem, 1);
    const x = randomPoint(single.size, 4, 1);
    const g1 = new Float64Array(single.size), g2 = new Float64Array(single.size);
    expect(par.evaluate(x, g2)).toBe(single.evaluate(x, g1));
    expect(Array.from(g2)).toEqual(Array.from(g1));
  });

  it('is deterministic across repeated calls, and across x/grad buffers swapped between calls (as L-BFGS does)', async () => {
    const problem = randomProblem(4, 6, 11, 'pal', 5);
    const par = await open(problem, 3);
    const n = par.size;
    // Two x buffers, one of them a view at an offset into a larger shared buffer.
    const xa = randomPoint(n, 6, 1, par.allocate());
    const xb = randomPoint(n, 7, 1, new Float64Array(new SharedArrayBuffer(8 * (n + 5)), 8 * 3, n));
    const ga = par.allocate(), gb = par.allocate();
    const fa = par.evaluate(xa, ga);
    const gaFirst = Float64Array.from(ga);
    const fb = par.evaluate(xb, gb);
    expect(fb).not.toBe(fa);
    const single = ufmObjective(problem);
    const gref = new Float64Array(n);
    expect(Math.abs(fb - single.evaluate(xb, gref))).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(fb)));
    expect(maxDiff(gb, gref)).toBeLessThanOrEqual(1e-12 * Math.max(1, maxAbs(gref)));
    for (let r = 0; r < 3; r++) {
      const g = r % 2 === 0 ? gb : ga;
      expect(par.evaluate(xa, g)).toBe(fa);
      expect(Array.from(g)).toEqual(Array.from(gaFirst));
    }
  });

  it('rejects bad input with a one-line error', async () => {
    const problem = randomProblem(3, 2, 4, 'pal', 8);
    expect(() => createParallelUfmObjective(problem, { threads: 0 })).toThrow(/threads must be an integer ≥ 1/);
    expect(() => createParallelUfmObjective({ ...problem, K: 1 }, { threads: 2 })).toThrow(/K must be an integer ≥ 2/);
    const par = createParallelUfmObjective(problem, { threads: 2 });
    opened.push(par);
    const x = new Float64Array(par.size);
    expect(() => par.evaluate(x, new Float64Array(par.size))).toThrow(/init\(\)/);
    await par.init();
    expect(() => par.evaluate(x, new Float64Array(par.size - 1))).toThrow(/must have length/);
  });

  it('dispose terminates the workers: evaluate and init refuse afterwards, dispose is idempotent', async () => {
    const problem = randomProblem(3, 3, 6, 'pal-n', 9);
    const par = await open(problem, 2);
    const x = randomPoint(par.size, 10, 1);
    const g = new Float64Array(par.size);
    expect(Number.isFinite(par.evaluate(x, g))).toBe(true);
    await par.dispose();
    await par.dispose();
    expect(() => par.evaluate(x, g)).toThrow(/after dispose/);
    await expect(par.init()).rejects.toThrow(/after dispose/);
  });
});
