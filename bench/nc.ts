/**
 * Speed and memory of `ncMetrics` at the scale of MLab-MNIST's training set (Li et al. 2024): N = 40,000 float32
 * features of dimension d = 512, K = 10, 3100 single-label samples per class and 200 per unordered pair.
 * Features are an ETF-structured collapse (h_S = γ_m Σ_{k∈S} w_k) plus Gaussian noise, so every metric is non-trivial.
 * Prints one JSON line. If python3 with numpy is available, also times the textbook route (d×d Σ_W, Σ_B, pinv) on
 * the same features for a ratio and a cross-check of the NC1 value.
 *   npm run build && node dist/bench/nc.js [--repeats 5] [--no-numpy] [--large]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Rng } from '../src/util/rng.js';
import { etfEmbedding, labelSet, ncMetrics, type LabelSet } from '../src/geometry/index.js';

const args = process.argv.slice(2);
// --large: N = 100,000 (7750 per class, 500 per pair), d = 2048, the memory check at ResNet50's feature size.
const large = args.includes('--large');
const K = 10, d = large ? 2048 : 512, perClass = large ? 7750 : 3100, perPair = large ? 500 : 200;
const repeatsArg = args.indexOf('--repeats');
const repeats = repeatsArg >= 0 ? Number(args[repeatsArg + 1]) : large ? 1 : 5;
if (!Number.isInteger(repeats) || repeats < 1) throw new Error(`--repeats must be a positive integer`);
const useNumpy = !args.includes('--no-numpy') && !large;

const rng = new Rng(20240601);
const W = etfEmbedding(K, d, rng);
for (let i = 0; i < W.data.length; i++) W.data[i] *= 3;
const gamma1 = 1, gamma2 = 0.8, noise = 0.5;

const labels: LabelSet[] = [];
const singles = Array.from({ length: K }, (_, k) => labelSet([k]));
for (let k = 0; k < K; k++) for (let r = 0; r < perClass; r++) labels.push(singles[k]);
for (let a = 0; a < K; a++) {
  for (let b = a + 1; b < K; b++) {
    const S = labelSet([a, b]);
    for (let r = 0; r < perPair; r++) labels.push(S);
  }
}
rng.shuffle(labels);
const N = labels.length;
const data = new Float32Array(N * d);
for (let i = 0; i < N; i++) {
  const S = labels[i];
  const g = S.length === 1 ? gamma1 : gamma2;
  for (let t = 0; t < d; t++) {
    let s = 0;
    for (const k of S) s += W.data[k * d + t];
    data[i * d + t] = g * s + noise * rng.normal();
  }
}
const features = { rows: N, cols: d, data };
const bias = new Float64Array(K);

const mem0 = process.memoryUsage();
const rss0 = process.resourceUsage().maxRSS;
const times: number[] = [];
const cpuTimes: number[] = [];
let report = ncMetrics({ features, labels, K, classifier: W, bias, theoryRho: { 2: 2 * gamma2 / gamma1 } }); // warm-up
for (let r = 0; r < repeats; r++) {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  report = ncMetrics({ features, labels, K, classifier: W, bias, theoryRho: { 2: 2 * gamma2 / gamma1 } });
  const c1 = process.cpuUsage(c0);
  times.push((performance.now() - t0) / 1000);
  cpuTimes.push((c1.user + c1.system) / 1e6);
}
const mem1 = process.memoryUsage();
const rss1 = process.resourceUsage().maxRSS;
times.sort((a, b) => a - b);
cpuTimes.sort((a, b) => a - b);

let numpy: Record<string, unknown> | null = null;
if (useNumpy) numpy = runNumpy();

const MiB = 1024 * 1024;
console.log(JSON.stringify({
  bench: 'nc', N, d, K, dtype: 'float32', repeats,
  seconds: { min: times[0], median: times[Math.floor(times.length / 2)], max: times[times.length - 1] },
  // CPU seconds of this process: less disturbed than wall time on a shared machine.
  cpuSeconds: { min: cpuTimes[0], median: cpuTimes[Math.floor(cpuTimes.length / 2)] },
  loadAverage1m: loadavg()[0],
  memory: {
    featuresMiB: data.byteLength / MiB,
    heapUsedBeforeMiB: mem0.heapUsed / MiB, heapUsedAfterMiB: mem1.heapUsed / MiB,
    arrayBuffersBeforeMiB: mem0.arrayBuffers / MiB, arrayBuffersAfterMiB: mem1.arrayBuffers / MiB,
    maxRssBeforeMetricsMiB: rss0 / 1024, maxRssAfterMetricsMiB: rss1 / 1024,
  },
  report,
  numpy,
}));

/** Textbook NC1 with numpy: d×d Σ_W and Σ_B and np.linalg.pinv; null if python3/numpy is missing. */
function runNumpy(): Record<string, unknown> | null {
  const dir = mkdtempSync(join(tmpdir(), 'mlnc-bench-nc-'));
  try {
    const y = new Int32Array(N).map((_, i) => (labels[i].length === 1 ? labels[i][0] : -1));
    writeFileSync(join(dir, 'x.f32'), data);
    writeFileSync(join(dir, 'y.i32'), y);
    const script = `
import sys, time, json
import numpy as np
N, d, K = ${N}, ${d}, ${K}
X = np.fromfile(sys.argv[1] + '/x.f32', dtype=np.float32).reshape(N, d)
y = np.fromfile(sys.argv[1] + '/y.i32', dtype=np.int32)
def nc1():
    m = y >= 0
    Xs = X[m].astype(np.float64); ys = y[m]
    mu = np.stack([Xs[ys == k].mean(0) for k in range(K)])
    muG = mu.mean(0)
    D = Xs - mu[ys]
    SW = D.T @ D / Xs.shape[0]
    Mt = mu - muG
    SB = Mt.T @ Mt / K
    return float(np.trace(SW @ np.linalg.pinv(SB)) / K)
v = nc1()
ts = []
for _ in range(${repeats}):
    t0 = time.perf_counter(); v = nc1(); ts.append(time.perf_counter() - t0)
print(json.dumps({'nc1': v, 'secondsMin': min(ts), 'numpy': np.__version__}))
`;
    const res = spawnSync('python3', ['-c', script, dir], { encoding: 'utf8', timeout: 600_000 });
    if (res.status !== 0) return res.error ? null : { error: res.stderr.trim().split('\n').pop() };
    const out = JSON.parse(res.stdout.trim()) as { nc1: number; secondsMin: number; numpy: string };
    return { ...out, nc1Only: true, ratioToOursMin: out.secondsMin / times[0], nc1RelDiff: Math.abs(out.nc1 - report.nc1) / out.nc1 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
