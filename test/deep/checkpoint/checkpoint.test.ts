import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  loadCheckpointModel, loadOptimizerArrays, restoreOptimizerState, saveCheckpoint,
} from '../../../src/deep/checkpoint/checkpoint.js';
import { epochDirName, listCheckpoints, readCheckpointState, RunDirError } from '../../../src/run/index.js';
import { fileSystemHandler } from '../../../src/deep/checkpoint/fsHandler.js';
import { buildModel, initWeights } from '../../../src/deep/models/index.js';
import { MomentumSgd } from '../../../src/deep/train/sgd.js';
import { trainableParams } from '../../../src/deep/train/step.js';
import { Rng } from '../../../src/util/rng.js';

const root = mkdtempSync(join(tmpdir(), 'mlnc-ckpt-'));
beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function tinyModel(seed: number) {
  const m = buildModel({ arch: 'resnet-small', inputShape: [6, 6, 2], K: 3, width: 2 });
  initWeights(m.model, new Rng(seed));
  return m.model;
}

describe('fs IOHandler', () => {
  it('round-trips topology and every weight (BatchNorm statistics included) bit for bit', async () => {
    const model = tinyModel(1);
    const dir = join(root, 'h1');
    await model.save(fileSystemHandler(dir));
    expect(readdirSync(dir).sort()).toEqual(['model.json', 'weights.bin']);
    const back = await tf.loadLayersModel(fileSystemHandler(dir));
    const x = tf.randomNormal([2, 6, 6, 2], 0, 1, 'float32', 5);
    const [a] = model.predict(x) as tf.Tensor[];
    const [b] = back.predict(x) as tf.Tensor[];
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    expect(back.weights.map((w) => w.originalName)).toEqual(model.weights.map((w) => w.originalName));
    model.dispose();
    back.dispose();
  });
  it('refuses a truncated weights file or a foreign model.json with a message naming the file', async () => {
    const model = tinyModel(2);
    const dir = join(root, 'h2');
    await model.save(fileSystemHandler(dir));
    model.dispose();
    writeFileSync(join(dir, 'weights.bin'), new Uint8Array(12));
    await expect(fileSystemHandler(dir).load!()).rejects.toThrow(/weights\.bin has 12 bytes/);
    writeFileSync(join(dir, 'model.json'), '{"hello": 1}');
    await expect(fileSystemHandler(dir).load!()).rejects.toThrow(/not a model saved by mlnc/);
  });
});

describe('checkpoints', () => {
  it('save the model, the optimizer velocities and the RNG state; reload all of them', async () => {
    const model = tinyModel(3);
    const sgd = new MomentumSgd(trainableParams(model), { momentum: 0.9, weightDecay: 0.01 });
    const grads: Record<string, tf.Tensor> = {};
    for (const p of sgd.params) grads[p.name] = tf.onesLike(p.variable);
    sgd.step(grads, 0.1);
    const rng = new Rng(9);
    rng.uniform();
    const dir = join(root, 'c', epochDirName(7));
    await saveCheckpoint(dir, model, sgd, { epoch: 7, rng: rng.state(), fingerprint: { a: 1 } });
    const state = readCheckpointState(dir);
    expect(state.epoch).toBe(7);
    expect(new Rng(state.rng).uniform()).toBe(rng.uniform());
    const fresh = new MomentumSgd(trainableParams(model), { momentum: 0.9, weightDecay: 0.01 });
    fresh.loadStateArrays(loadOptimizerArrays(dir, state));
    expect(await fresh.stateArrays()).toEqual(await sgd.stateArrays());
    const back = await loadCheckpointModel(dir);
    expect(back.getWeights().map((t) => Array.from(t.dataSync()))).toEqual(model.getWeights().map((t) => Array.from(t.dataSync())));
    expect(listCheckpoints(join(root, 'c')).map((c) => c.name)).toEqual(['epoch-0007']);
    // Saving again over the same directory replaces it completely and leaves no temporary directories behind.
    await saveCheckpoint(dir, model, sgd, { epoch: 7, rng: rng.state(), fingerprint: { a: 1 } });
    expect(readdirSync(join(root, 'c'))).toEqual(['epoch-0007']);
    writeFileSync(join(dir, 'optimizer.bin'), new Uint8Array(8));
    expect(() => loadOptimizerArrays(dir, state)).toThrow(RunDirError);
    tf.dispose(Object.values(grads));
    [model, back].forEach((m) => m.dispose());
    sgd.dispose();
    fresh.dispose();
  });

  // Regression: the resume path wrapped the loader's error in another "checkpoint X: " prefix, so the message read
  // "checkpoint X: checkpoint X is corrupt: optimizer.bin has ...".
  it('restoreOptimizerState: a wrong-size optimizer.bin or a foreign model is one RunDirError naming the checkpoint once', async () => {
    const model = tinyModel(4);
    const sgd = new MomentumSgd(trainableParams(model), { momentum: 0.9, weightDecay: 0 });
    const dir = join(root, 'r', epochDirName(2));
    await saveCheckpoint(dir, model, sgd, { epoch: 2, rng: new Rng(1).state(), fingerprint: {} });
    const state = readCheckpointState(dir);
    const errorOf = (f: () => void) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(RunDirError);
        return (e as Error).message;
      }
      throw new Error('expected a RunDirError');
    };
    const mentions = (msg: string) => msg.split(`checkpoint ${dir}`).length - 1;
    restoreOptimizerState(dir, state, sgd);

    const other = buildModel({ arch: 'resnet-small', inputShape: [6, 6, 2], K: 4, width: 2 }).model;
    const otherSgd = new MomentumSgd(trainableParams(other), { momentum: 0.9, weightDecay: 0 });
    const foreign = errorOf(() => restoreOptimizerState(dir, state, otherSgd));
    expect(foreign).toMatch(/does not match this run: optimizer state for .* has shape/);
    expect(mentions(foreign)).toBe(1);

    writeFileSync(join(dir, 'optimizer.bin'), new Uint8Array(8));
    const corrupt = errorOf(() => restoreOptimizerState(dir, state, sgd));
    expect(corrupt).toMatch(/is corrupt: optimizer\.bin has 8 bytes, expected \d+/);
    expect(mentions(corrupt)).toBe(1);
    expect(corrupt).not.toMatch(/\n/);
    [model, other].forEach((m) => m.dispose());
    [sgd, otherSgd].forEach((s) => s.dispose());
  });
});
