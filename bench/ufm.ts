/**
 * Speed of the multi-label UFM code (src/ufm), one JSON line per item and a final summary line:
 *  (i)  time to certify an optimum, max|∇f| ≤ 1e-9, by L-BFGS: K = 10, d = 32, n1 = 20, n2 = 2 (N = 290),
 *       λ_W = λ_H = 5e-3, λ_b = 1e-2, pal. Target ≈ 0.07 s (scipy L-BFGS-B on the same problem); when python3 has
 *       scipy, it is timed here too, in the same run, and the ratio printed.
 *  (ii) one objective + gradient evaluation at MLab-MNIST scale: K = 10, d = 512, n1 = 3100, n2 = 200 (N = 40,000),
 *       best of several. Target: within 2× of numpy float64 doing the same computation, timed in the same run when
 *       python3 has numpy (default BLAS threads and single-threaded), with a cross-check of the objective value.
 *       Timed single-threaded (ufmObjective) and on 2 threads (src/parallel/parallelUfmObjective.ts) in interleaved
 *       rounds, the latter both on shared x/grad buffers (no copies) and on ordinary arrays (copied in and out).
 *  (iii) NC metrics at that scale: see bench/nc.ts (npm run build && node dist/bench/nc.js).
 *   npm run bench:ufm            (= npm run build && node dist/bench/ufm.js [--repeats 5] [--no-python])
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createParallelUfmObjective } from '../src/parallel/parallelUfmObjective.js';
import { balancedDesign, minimizeLbfgs, randomUfmPoint, solveUfmTheory, ufmObjective } from '../src/ufm/index.js';
import { Rng } from '../src/util/rng.js';

const args = process.argv.slice(2);
const repeatsArg = args.indexOf('--repeats');
const repeats = repeatsArg >= 0 ? Number(args[repeatsArg + 1]) : 5;
if (!Number.isInteger(repeats) || repeats < 1) throw new Error('--repeats must be a positive integer');
const usePython = !args.includes('--no-python');

const dir = mkdtempSync(join(tmpdir(), 'mlnc-bench-ufm-'));
const python = usePython ? probePython() : { numpy: false, scipy: false };

function probePython(): { numpy: boolean; scipy: boolean } {
  const probe = (mod: string) => spawnSync('python3', ['-c', `import ${mod}`], { encoding: 'utf8' }).status === 0;
  return { numpy: probe('numpy'), scipy: probe('scipy') };
}

function runPython(script: string, env: Record<string, string> = {}): Record<string, unknown> | null {
  const file = join(dir, 'bench.py');
  writeFileSync(file, script);
  const r = spawnSync('python3', [file], { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 1 << 24 });
  if (r.status !== 0) {
    console.error(`python3 failed: ${r.stderr}`);
    return null;
  }
  return JSON.parse(r.stdout.trim().split('\n').pop() as string) as Record<string, unknown>;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** numpy code for the UFM objective and gradient (labels: balanced design, singles then pairs, lexicographic). */
const PY_UFM = `
import numpy as np, itertools, json, time
def design(K, n1, n2):
    sets = [(k,) for k in range(K) for _ in range(n1)] + [p for p in itertools.combinations(range(K), 2) for _ in range(n2)]
    Y = np.zeros((len(sets), K))
    for i, S in enumerate(sets): Y[i, list(S)] = 1
    return Y
def make_fg(K, d, Y, lw, lh, lb):
    N = Y.shape[0]; m = Y.sum(1); c = np.ones(N)
    def fg(x):
        W = x[:K*d].reshape(K, d); H = x[K*d:K*d+N*d].reshape(N, d); b = x[K*d+N*d:]
        Z = H @ W.T + b
        zmax = Z.max(1, keepdims=True); E = np.exp(Z - zmax); s = E.sum(1, keepdims=True)
        lse = zmax[:, 0] + np.log(s[:, 0])
        f = (c * (m * lse - (Y * Z).sum(1))).sum() / N
        G = (c[:, None] * (m[:, None] * E / s - Y)) / N
        g = np.empty_like(x)
        g[:K*d] = (G.T @ H + lw * W).ravel(); g[K*d:K*d+N*d] = (G @ W + lh * H).ravel(); g[K*d+N*d:] = G.sum(0) + lb * b
        f += 0.5 * (lw * (W * W).sum() + lh * (H * H).sum() + lb * (b @ b))
        return f, g
    return fg
`;

/** (i) Time to certify an optimum from random starts (the first run, with JIT compilation, reported apart). */
function certifyBench() {
  const K = 10, d = 32, perSetCount = { 1: 20, 2: 2 }, lambda = 5e-3, lambdaB = 1e-2;
  const des = balancedDesign(K, perSetCount);
  const problem = { K, d, labels: des.labels, loss: 'pal' as const, lambdaW: lambda, lambdaH: lambda, lambdaB };
  const theory = solveUfmTheory({ K, perSetCount, loss: 'pal', lambdaW: lambda, lambdaH: lambda });
  const runs: { seconds: number; iterations: number; evaluations: number; maxAbsGrad: number; objective: number; stopReason: string }[] = [];
  for (let seed = 1; seed <= repeats + 1; seed++) {
    const t0 = performance.now();
    // Setup (objective buffers) counts: it is part of certifying from scratch.
    const obj = ufmObjective(problem);
    const x0 = randomUfmPoint(problem, new Rng(seed));
    const r = minimizeLbfgs(obj.evaluate, x0, { tol: 1e-9, history: 10 });
    const seconds = (performance.now() - t0) / 1000;
    runs.push({ seconds, iterations: r.iterations, evaluations: r.evaluations, maxAbsGrad: r.maxAbsGrad, objective: r.objective, stopReason: r.stopReason });
  }
  const warm = runs.slice(1); // the first run includes JIT compilation
  let scipy: Record<string, unknown> | null = null;
  if (python.scipy) {
    scipy = runPython(`${PY_UFM}
from scipy.optimize import minimize
K, d = ${K}, ${d}
Y = design(K, 20, 2); N = Y.shape[0]
fg = make_fg(K, d, Y, ${lambda}, ${lambda}, ${lambdaB})
P = K*d + N*d + K
times = []; res = None
for seed in range(1, ${repeats + 2}):
    x0 = np.random.default_rng(seed).normal(0, 0.1, P)
    t0 = time.perf_counter()
    res = minimize(fg, x0, jac=True, method='L-BFGS-B', options={'gtol': 1e-9, 'ftol': 0.0, 'maxiter': 100000, 'maxfun': 100000, 'maxcor': 10})
    times.append(time.perf_counter() - t0)
    _, g = fg(res.x)
    out = {'maxAbsGrad': float(np.abs(g).max()), 'objective': float(res.fun), 'iterations': int(res.nit), 'evaluations': int(res.nfev), 'message': str(res.message)}
warm = sorted(times[1:])
print(json.dumps({'medianSeconds': warm[len(warm)//2], 'minSeconds': warm[0], 'firstSeconds': times[0], 'last': out}))
`);
  }
  const jsMedian = median(warm.map((r) => r.seconds));
  const item = {
    bench: 'ufm-certify', K, d, N: des.N, perSetCount, lambdaW: lambda, lambdaH: lambda, lambdaB, loss: 'pal', tol: 1e-9,
    theoryObjective: theory.objective,
    seconds: { median: jsMedian, min: Math.min(...warm.map((r) => r.seconds)), firstIncludingJit: runs[0].seconds },
    runs,
    targetSeconds: 0.07,
    scipy,
    ratioToScipy: scipy ? jsMedian / (scipy.medianSeconds as number) : null,
  };
  return item;
}

/** (ii) One objective + gradient evaluation at N = 40,000, against numpy on the same point. */
async function evaluateBench() {
  const K = 10, d = 512, perSetCount = { 1: 3100, 2: 200 }, lambda = 5e-3, lambdaB = 1e-2;
  const des = balancedDesign(K, perSetCount);
  const obj = ufmObjective({ K, d, labels: des.labels, loss: 'pal', lambdaW: lambda, lambdaH: lambda, lambdaB });
  // The same deterministic point in both languages: x_j = 0.1·sin(0.7 j).
  const x = Float64Array.from({ length: obj.size }, (_, j) => 0.1 * Math.sin(0.7 * j));
  const g = new Float64Array(obj.size);
  const par = createParallelUfmObjective(obj.problem, { threads: 2 });
  await par.init();
  const xs = par.allocate();
  xs.set(x);
  const gs = par.allocate();
  const gc = new Float64Array(obj.size);
  const loadBefore = loadavg();
  let f = obj.evaluate(x, g); // warm-up
  let fShared = par.evaluate(xs, gs);
  let fCopied = par.evaluate(x, gc);
  const times: number[] = [], timesShared: number[] = [], timesCopied: number[] = [];
  const time = (into: number[], run: () => number): number => {
    const t0 = performance.now();
    const v = run();
    into.push((performance.now() - t0) / 1000);
    return v;
  };
  // Interleaved rounds, so that a burst of load elsewhere on the machine hits all three alike.
  for (let r = 0; r < repeats; r++) {
    f = time(times, () => obj.evaluate(x, g));
    fShared = time(timesShared, () => par.evaluate(xs, gs));
    fCopied = time(timesCopied, () => par.evaluate(x, gc));
  }
  const loadAfter = loadavg();
  await par.dispose();
  let parallelGradMaxDiff = 0, gmax = 0;
  for (let j = 0; j < g.length; j++) {
    parallelGradMaxDiff = Math.max(parallelGradMaxDiff, Math.abs(gs[j] - g[j]), Math.abs(gc[j] - g[j]));
    gmax = Math.max(gmax, Math.abs(g[j]));
  }
  let gsum = 0;
  for (let j = 0; j < g.length; j++) gsum += Math.abs(g[j]);
  const numpyScript = `${PY_UFM}
K, d = ${K}, ${d}
Y = design(K, 3100, 200); N = Y.shape[0]
fg = make_fg(K, d, Y, ${lambda}, ${lambda}, ${lambdaB})
x = 0.1 * np.sin(0.7 * np.arange(K*d + N*d + K))
f, g = fg(x); times = []
for _ in range(${repeats}):
    t0 = time.perf_counter(); f, g = fg(x); times.append(time.perf_counter() - t0)
print(json.dumps({'bestSeconds': min(times), 'objective': float(f), 'sumAbsGrad': float(np.abs(g).sum())}))
`;
  const numpy = python.numpy ? runPython(numpyScript) : null;
  const numpy1 = python.numpy ? runPython(numpyScript, { OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' }) : null;
  const best = Math.min(...times);
  const bestShared = Math.min(...timesShared);
  const bestCopied = Math.min(...timesCopied);
  const np = numpy ? (numpy.bestSeconds as number) : null;
  const np1 = numpy1 ? (numpy1.bestSeconds as number) : null;
  const item = {
    bench: 'ufm-evaluate', K, d, N: des.N, parameters: obj.size, loss: 'pal', repeats,
    seconds: { best, median: median(times) },
    twoThreads: {
      sharedBuffers: { best: bestShared, median: median(timesShared) },
      copiedBuffers: { best: bestCopied, median: median(timesCopied) },
      speedupShared: best / bestShared,
      objectiveRelDiffToSingle: Math.max(Math.abs(fShared - f), Math.abs(fCopied - f)) / Math.abs(f),
      gradientMaxDiffRelToMax: parallelGradMaxDiff / gmax,
      ratioToNumpy: np ? bestShared / np : null,
      ratioToNumpySingleThread: np1 ? bestShared / np1 : null,
      ratioToNumpyCopied: np ? bestCopied / np : null,
    },
    loadAverage: { before: loadBefore, after: loadAfter },
    objective: f,
    sumAbsGrad: gsum,
    numpy,
    numpySingleThread: numpy1,
    objectiveRelDiffToNumpy: numpy ? Math.abs(f - (numpy.objective as number)) / Math.abs(numpy.objective as number) : null,
    gradientRelDiffToNumpy: numpy ? Math.abs(gsum - (numpy.sumAbsGrad as number)) / (numpy.sumAbsGrad as number) : null,
    ratioToNumpy: np ? best / np : null,
    ratioToNumpySingleThread: np1 ? best / np1 : null,
    targetRatio: 2,
  };
  return item;
}

const certify = certifyBench();
console.log(JSON.stringify(certify));
const evaluate = await evaluateBench();
console.log(JSON.stringify(evaluate));
console.log(JSON.stringify({
  bench: 'ufm-summary',
  certifySeconds: certify.seconds.median,
  certifyTargetSeconds: 0.07,
  certifyRatioToScipy: certify.ratioToScipy,
  evaluateSeconds: evaluate.seconds.best,
  evaluateRatioToNumpy: evaluate.ratioToNumpy,
  evaluateRatioToNumpySingleThread: evaluate.ratioToNumpySingleThread,
  evaluateTwoThreadsSeconds: evaluate.twoThreads.sharedBuffers.best,
  evaluateTwoThreadsRatioToNumpy: evaluate.twoThreads.ratioToNumpy,
  evaluateTwoThreadsRatioToNumpySingleThread: evaluate.twoThreads.ratioToNumpySingleThread,
  loadAverage: evaluate.loadAverage.after,
  evaluateTargetRatio: 2,
  ncMetrics: 'see bench/nc.ts',
}));
rmSync(dir, { recursive: true, force: true });
