import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_TRAIN_CONFIG } from '../../src/deep/train/config.js';
import { CHECKPOINT_FILES, CHECKPOINT_FORMAT, epochDirName, openRunDir, RUN_FILES, RunDirError } from '../../src/run/index.js';

const root = mkdtempSync(join(tmpdir(), 'mlnc-rundir-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const fresh = (name: string) => {
  mkdirSync(join(root, name));
  return openRunDir(join(root, name));
};

describe('RunDir', () => {
  it('names every file of the layout under its directory', () => {
    const run = openRunDir(join(root, 'layout'));
    for (const [key, name] of Object.entries(RUN_FILES)) expect(run.file(key as keyof typeof RUN_FILES)).toBe(join(root, 'layout', name));
    expect(run.epochCheckpointDir(5)).toBe(join(root, 'layout', 'checkpoints', 'epoch-0005'));
  });

  it('reads config.json back as written, keeping fields this version does not know', () => {
    const run = fresh('roundtrip');
    run.writeConfig({ train: DEFAULT_TRAIN_CONFIG, K: 10, dataOptions: { counts: { train: [3, 1], test: [1, 1] } } });
    writeFileSync(run.file('config'), readFileSync(run.file('config'), 'utf8').replace('{', '{"futureField":7,'));
    const c = run.readConfig();
    expect(c.train).toEqual(DEFAULT_TRAIN_CONFIG);
    expect(run.readDataOptions()).toEqual({ counts: { train: [3, 1], test: [1, 1] } });
    expect((c as Record<string, unknown>).futureField).toBe(7);
  });

  it('reports a missing, unparsable or foreign config.json as one RunDirError naming the path', () => {
    const run = fresh('bad-config');
    const message = () => {
      try {
        run.readConfig();
      } catch (e) {
        expect(e).toBeInstanceOf(RunDirError);
        return (e as Error).message;
      }
      throw new Error('expected a RunDirError');
    };
    expect(message()).toBe(`${run.path} holds no run (no config.json)`);
    writeFileSync(run.file('config'), '{"train":');
    expect(message()).toMatch(/config\.json is not valid JSON/);
    writeFileSync(run.file('config'), JSON.stringify({ train: { ...DEFAULT_TRAIN_CONFIG, arch: 'lenet' } }));
    expect(message()).toMatch(/config\.json holds no valid training config under "train"$/);
    writeFileSync(run.file('config'), JSON.stringify({ train: DEFAULT_TRAIN_CONFIG, K: 'ten' }));
    expect(message()).toMatch(/config\.json: K is malformed/);
    expect(() => openRunDir(join(root, 'nowhere')).requireDirectory()).toThrow(/run directory .*nowhere does not exist/);
  });

  it('lists complete checkpoints by epoch, the newest last, and ignores partial ones', () => {
    const run = fresh('checkpoints');
    const put = (name: string, epoch: number) => {
      mkdirSync(run.checkpointDir(name), { recursive: true });
      writeFileSync(join(run.checkpointDir(name), CHECKPOINT_FILES.state), JSON.stringify({
        format: CHECKPOINT_FORMAT, epoch, rng: [1, 2, 3, 4], fingerprint: {}, optimizer: [], savedAt: '',
      }));
    };
    put(epochDirName(5), 5);
    put(epochDirName(0), 0);
    put('last', 7);
    mkdirSync(`${run.checkpointDir(epochDirName(10))}.tmp-123`, { recursive: true });
    expect(run.checkpoints().map((c) => c.name)).toEqual(['epoch-0000', 'epoch-0005', 'last']);
    expect(run.epochCheckpoints().map((c) => c.epoch)).toEqual([0, 5]);
    expect(run.newestCheckpoint()?.epoch).toBe(7);
    run.removeLastCheckpoint();
    expect(run.newestCheckpoint()?.name).toBe('epoch-0005');
  });

  it('writes and reads the JSON outputs of other commands; a damaged one is a RunDirError', () => {
    const run = fresh('outputs');
    expect(run.readJson('validate')).toBeUndefined();
    expect(run.writeJson('validate', { ok: 1 })).toBe(run.file('validate'));
    expect(run.readJson('validate')).toEqual({ ok: 1 });
    writeFileSync(run.file('compareJson'), '{');
    expect(() => run.readJson('compareJson')).toThrow(RunDirError);
  });
});
