import * as tf from '@tensorflow/tfjs';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Matrix as MlMatrix, pseudoInverse } from 'ml-matrix';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpointModel } from '../../../src/deep/checkpoint/checkpoint.js';
import { buildModel, CLASSIFIER_LAYER, etfKernel } from '../../../src/deep/models/index.js';
import { DEFAULT_TRAIN_CONFIG } from '../../../src/deep/train/config.js';
import { classifierOf, extractAll } from '../../../src/deep/train/extract.js';
import { TrainingError } from '../../../src/deep/train/errors.js';
import { runTraining } from '../../../src/deep/train/run.js';
import { cosineLr } from '../../../src/deep/train/schedule.js';
import { syntheticImages } from './synthetic.js';
import { ncMetrics } from '../../../src/geometry/index.js';
import { matrix } from '../../../src/geometry/types.js';
import { RunDirError, type TrainConfig } from '../../../src/run/index.js';

const train = syntheticImages({ K: 3, perClass: 6, perPair: 3, seed: 1 });
const test = syntheticImages({ K: 3, perClass: 2, perPair: 1, seed: 2 });
const config: TrainConfig = { ...DEFAULT_TRAIN_CONFIG, width: 4, epochs: 4, ncEvery: 2, batchSize: 9, lr: 0.05, evalBatchSize: 16 };
const root = mkdtempSync(join(tmpdir(), 'mlnc-train-'));
const dir = (name: string) => join(root, name);
/** Fields of a metrics line that depend on the computation only (not on wall-clock time). */
const deterministic = (l: Record<string, unknown>) => {
  const { seconds: _s, elapsedSeconds: _e, imagesPerSecond: _i, ...rest } = l;
  return rest;
};
const readLines = (d: string) => readFileSync(join(d, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

let full: Awaited<ReturnType<typeof runTraining>>;

beforeAll(async () => {
  await tf.setBackend('cpu');
  full = await runTraining({ config, train, test, runDir: dir('full'), backend: 'cpu' });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('training loop (tiny synthetic data, cpu backend)', () => {
  it('lowers the loss and writes config, one metrics line per epoch and checkpoints every nc-every epochs', () => {
    const lines = readLines(dir('full'));
    expect(lines.map((l) => l.epoch)).toEqual([0, 1, 2, 3, 4]);
    for (const l of lines) {
      expect(typeof l.trainLoss).toBe('number');
      expect(typeof l.seconds).toBe('number');
    }
    expect(lines[4].trainLoss as number).toBeLessThan(lines[1].trainLoss as number);
    for (const e of [0, 2, 4]) {
      for (const key of ['nc1', 'nc2W', 'nc2H', 'nc3', 'tagAngle', 'rho', 'test']) expect(lines[e]).toHaveProperty(key);
      expect(existsSync(join(dir('full'), 'checkpoints', `epoch-000${e}`, 'state.json'))).toBe(true);
    }
    expect(lines[1]).not.toHaveProperty('nc1');
    expect(existsSync(join(dir('full'), 'checkpoints', 'last'))).toBe(false);
    const cfg = JSON.parse(readFileSync(join(dir('full'), 'config.json'), 'utf8'));
    expect(cfg).toMatchObject({ backend: 'cpu', loss: 'pal', trainableParams: full.trainableParams, totalParams: full.totalParams });
    expect(cfg.lambdaHConvention).toMatch(/summed/);
  });

  it('a reloaded checkpoint gives identical features: its NC metrics equal the logged ones, and agree with a direct d×d computation', async () => {
    const model = await loadCheckpointModel(join(dir('full'), 'checkpoints', 'epoch-0004'));
    const x = await extractAll(model, train, 16);
    const { W, K, d } = await classifierOf(model);
    const line = readLines(dir('full'))[4];
    // Identical predictions: the geometry module on the reloaded features reproduces the logged metrics bit for bit.
    const again = ncMetrics({ features: matrix(x.n, d, x.features), labels: train.labels, K, classifier: matrix(K, d, W), bias: (await classifierOf(model)).b });
    expect(again.nc1).toBe(line.nc1);
    expect(again.nc3).toBe(line.nc3);
    // Direct NC1 = tr(Σ_W Σ_B⁺)/K with explicit d×d covariances and a pseudo-inverse (multiplicity-1 samples).
    const ones = train.labels.map((S, i) => [S, i] as const).filter(([S]) => S.length === 1);
    const mu = Array.from({ length: K }, () => new Array<number>(d).fill(0));
    const cnt = new Array<number>(K).fill(0);
    for (const [S, i] of ones) {
      cnt[S[0]]++;
      for (let j = 0; j < d; j++) mu[S[0]][j] += x.features[i * d + j];
    }
    mu.forEach((m, k) => m.forEach((_, j) => (m[j] /= cnt[k])));
    const muG = new Array<number>(d).fill(0).map((_, j) => mu.reduce((s, m) => s + m[j], 0) / K);
    const SW = MlMatrix.zeros(d, d);
    for (const [S, i] of ones) {
      const v = MlMatrix.columnVector(Array.from({ length: d }, (_, j) => x.features[i * d + j] - mu[S[0]][j]));
      SW.add(v.mmul(v.transpose()));
    }
    SW.div(ones.length);
    const M = new MlMatrix(mu.map((m) => m.map((v, j) => v - muG[j])));
    const SB = M.transpose().mmul(M).div(K);
    const nc1Direct = SW.mmul(pseudoInverse(SB, 1e-10)).trace() / K;
    expect(Math.abs((line.nc1 as number) - nc1Direct) / nc1Direct).toBeLessThan(1e-4);
    // Direct NC2_W: ‖WWᵀ/‖WWᵀ‖_F − (I − 11ᵀ/K)/√(K−1)‖_F.
    const Wm = new MlMatrix(Array.from({ length: K }, (_, k) => Array.from(W.subarray(k * d, (k + 1) * d))));
    const G = Wm.mmul(Wm.transpose());
    G.div(G.norm('frobenius'));
    const E = MlMatrix.eye(K, K).sub(MlMatrix.ones(K, K).div(K)).div(Math.sqrt(K - 1));
    expect(line.nc2W as number).toBeCloseTo(G.sub(E).norm('frobenius'), 5);
    model.dispose();
  });

  it('resumes exactly: a run stopped after epoch 3 (or 2) and resumed logs the same metrics as the uninterrupted run', async () => {
    for (const stopAt of [3, 2]) {
      const d = dir(`resumed${stopAt}`);
      const first = await runTraining({ config, train, test, runDir: d, backend: 'cpu', stopAfterEpochs: stopAt });
      expect(first.lastEpoch).toBe(stopAt);
      const again = await runTraining({ config, train, test, runDir: d, backend: 'cpu', resume: true });
      expect(again.lastEpoch).toBe(4);
      expect(readLines(d).map(deterministic)).toEqual(readLines(dir('full')).map(deterministic));
    }
  });

  it('resume after a kill mid-epoch drops the partial epoch line and redoes the epoch', async () => {
    const d = dir('killed');
    await runTraining({ config, train, test, runDir: d, backend: 'cpu', stopAfterEpochs: 3 });
    // Simulate a crash after the epoch-3 line was written but before its checkpoint: remove `last`.
    rmSync(join(d, 'checkpoints', 'last'), { recursive: true });
    const again = await runTraining({ config, train, test, runDir: d, backend: 'cpu', resume: true });
    expect(again.lastEpoch).toBe(4);
    expect(readLines(d).map(deterministic)).toEqual(readLines(dir('full')).map(deterministic));
  });

  it('--fixed-etf keeps the classifier kernel exactly at the ETF while the bias trains', async () => {
    const d = dir('etf');
    await runTraining({ config: { ...config, fixedEtf: true, epochs: 2, ncEvery: 2 }, train, test, runDir: d, backend: 'cpu' });
    const model = await loadCheckpointModel(join(d, 'checkpoints', 'epoch-0002'));
    const weights = model.getLayer(CLASSIFIER_LAYER).weights;
    const kernel = weights.find((w) => w.originalName.endsWith('/kernel'))!.read();
    const bias = weights.find((w) => w.originalName.endsWith('/bias'))!.read();
    expect(Array.from(kernel.dataSync())).toEqual(Array.from(etfKernel(3, kernel.shape[0] as number)));
    expect(Array.from(bias.dataSync()).some((v) => v !== 0)).toBe(true);
    model.dispose();
    const cfg = JSON.parse(readFileSync(join(d, 'config.json'), 'utf8'));
    const free = buildModel({ arch: config.arch, inputShape: [8, 8, 1], K: 3, width: config.width });
    free.model.dispose();
    expect(cfg.totalParams).toBe(free.totalParams);
    expect(cfg.trainableParams).toBe(free.trainableParams - 3 * cfg.featureDim);
  });

  it('a NaN loss stops the run with a one-line message to lower the learning rate and keeps the last good checkpoint', async () => {
    const d = dir('nan');
    const err = await runTraining({ config: { ...config, lr: 1e12 }, train, test, runDir: d, backend: 'cpu' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TrainingError);
    expect((err as Error).message).toMatch(/lower the learning rate/);
    expect((err as Error).message).not.toMatch(/\n/);
    expect(existsSync(join(d, 'checkpoints', 'epoch-0000', 'state.json'))).toBe(true);
    expect(readLines(d)[0].epoch).toBe(0);
  });

  it('finite weights whose inference-mode features overflow (lr 1000) stop the run like a NaN loss, not with a stack trace', async () => {
    const d = dir('overflow');
    const err = await runTraining({ config: { ...config, lr: 1000, ncEvery: 1, epochs: 2 }, train, test, runDir: d, backend: 'cpu' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TrainingError);
    expect((err as Error).message).toMatch(/non-finite.*lower the learning rate/);
    expect((err as Error).message).not.toMatch(/\n/);
    expect(existsSync(join(d, 'checkpoints', 'epoch-0000', 'state.json'))).toBe(true);
    expect(existsSync(join(d, 'checkpoints', 'epoch-0001'))).toBe(false);
    expect(readLines(d).map((l) => l.epoch)).toEqual([0]);
  });

  // Regression: `--resume` could not extend --epochs (the fingerprint check rejected the new total).
  it('resume with a larger epoch total extends a finished run; the cosine schedule is recomputed over the new total', async () => {
    const d = dir('extended');
    cpSync(dir('full'), d, { recursive: true });
    const logs: string[] = [];
    const r = await runTraining({ config: { ...config, epochs: 6 }, train, test, runDir: d, backend: 'cpu', resume: true, hooks: { log: (m) => logs.push(m) } });
    expect(r.lastEpoch).toBe(6);
    const lines = readLines(d);
    expect(lines.map((l) => l.epoch)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    // The trained epochs are kept as they were; the new ones follow the cosine over 6 epochs (a restart from the floor).
    expect(lines.slice(0, 5).map(deterministic)).toEqual(readLines(dir('full')).map(deterministic));
    const lr = (e: number, total: number) => cosineLr(e, total, config.lr);
    expect(lines.map((l) => l.lr)).toEqual([lr(0, 4), lr(0, 4), lr(1, 4), lr(2, 4), lr(3, 4), lr(4, 6), lr(5, 6)]);
    expect(lines[6]).toHaveProperty('nc1');
    expect(existsSync(join(d, 'checkpoints', 'epoch-0006', 'state.json'))).toBe(true);
    expect(logs.join('\n')).toMatch(/from 4 to 6 epochs at epoch 4: the cosine learning-rate schedule is recomputed over 6 epochs from epoch 5 on/);
    const cfg = JSON.parse(readFileSync(join(d, 'config.json'), 'utf8'));
    expect(cfg.train.epochs).toBe(6);
    expect(cfg.fingerprint.epochs).toBe(6);
    expect(cfg.epochsChanges).toEqual([expect.objectContaining({ atEpoch: 4, from: 4, to: 6 })]);

    // Interrupted after one new epoch and resumed (now with the recorded total), it ends exactly where the
    // uninterrupted extension did: the schedule depends on the total only.
    const d2 = dir('extended-interrupted');
    cpSync(dir('full'), d2, { recursive: true });
    expect((await runTraining({ config: { ...config, epochs: 6 }, train, test, runDir: d2, backend: 'cpu', resume: true, stopAfterEpochs: 1 })).lastEpoch).toBe(5);
    expect((await runTraining({ config: { ...config, epochs: 6 }, train, test, runDir: d2, backend: 'cpu', resume: true })).lastEpoch).toBe(6);
    expect(readLines(d2).map(deterministic)).toEqual(lines.map(deterministic));
    expect(JSON.parse(readFileSync(join(d2, 'config.json'), 'utf8')).epochsChanges).toHaveLength(1);
  });

  it('resume with fewer epochs than already trained is a one-line error that changes nothing', async () => {
    const d = dir('shrunk');
    cpSync(dir('full'), d, { recursive: true });
    const before = readFileSync(join(d, 'config.json'), 'utf8');
    const err = await runTraining({ config: { ...config, epochs: 3 }, train, test, runDir: d, backend: 'cpu', resume: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TrainingError);
    expect((err as Error).message).toBe(`--epochs 3 is below the 4 epochs ${d} has already trained; give at least 4`);
    expect(readFileSync(join(d, 'config.json'), 'utf8')).toBe(before);
    expect(readLines(d)).toHaveLength(5);
  });

  // Regression: the message read "checkpoint X: checkpoint X is corrupt: optimizer.bin has ...".
  it('a wrong-size optimizer.bin on resume is one line that names the checkpoint once', async () => {
    const d = dir('bad-optimizer');
    await runTraining({ config, train, test, runDir: d, backend: 'cpu', stopAfterEpochs: 2 });
    const ckpt = join(d, 'checkpoints', 'epoch-0002');
    truncateSync(join(ckpt, 'optimizer.bin'), 8);
    const err = await runTraining({ config, train, test, runDir: d, backend: 'cpu', resume: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RunDirError);
    const msg = (err as Error).message;
    expect(msg).toBe(`checkpoint ${ckpt} is corrupt: optimizer.bin has 8 bytes, expected ${msg.match(/expected (\d+)$/)?.[1]}`);
    expect(msg.split(`checkpoint ${ckpt}`)).toHaveLength(2);
  });

  it('refuses to overwrite a run, and rejects a corrupt or mismatched checkpoint on resume', async () => {
    await expect(runTraining({ config, train, test, runDir: dir('full'), backend: 'cpu' })).rejects.toThrow(/already holds a run/);
    await expect(runTraining({ config: { ...config, lr: 0.2 }, train, test, runDir: dir('full'), backend: 'cpu', resume: true }))
      .rejects.toThrow(/does not match/);
    const d = dir('corrupt');
    await runTraining({ config, train, test, runDir: d, backend: 'cpu', stopAfterEpochs: 2 });
    truncateSync(join(d, 'checkpoints', 'epoch-0002', 'weights.bin'), 10);
    await expect(runTraining({ config, train, test, runDir: d, backend: 'cpu', resume: true })).rejects.toThrow(/epoch-0002 is corrupt/);
    writeFileSync(join(d, 'checkpoints', 'epoch-0002', 'state.json'), '{"format":');
    await expect(runTraining({ config, train, test, runDir: d, backend: 'cpu', resume: true })).rejects.toThrow(/corrupt|unreadable/);
    await expect(runTraining({ config, train, test, runDir: dir('nothing'), backend: 'cpu', resume: true })).rejects.toThrow(/holds no run/);
  });
});
