import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { trainFlagSet } from '../../src/cli/grid.js';
import { expandPlan, runName } from '../../src/grid/expand.js';
import { GridError } from '../../src/grid/gridError.js';
import { parsePlan, readPlan } from '../../src/grid/plan.js';

const flags = trainFlagSet();
const root = mkdtempSync(join(tmpdir(), 'mlnc-plan-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function expand(plan: unknown) {
  return expandPlan(parsePlan(plan, 'plan.json'), 'plan.json', flags);
}

function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(GridError);
    const msg = (err as Error).message;
    expect(msg).not.toMatch(/\n/);
    return msg;
  }
  throw new Error('expected a GridError');
}

describe('grid plan: validated up front, one line per problem', () => {
  it('names unknown flags, bad values, empty axes and flags the grid owns', () => {
    expect(errorOf(() => expand({ axes: { 'learning-rate': [0.1] } }))).toMatch(/axes.learning-rate: unknown mlnc train flag "learning-rate"; known flags: .*lambda-h/);
    expect(errorOf(() => expand({ axes: { '--seed': [0] } }))).toMatch(/write flag names without dashes: "seed"/);
    expect(errorOf(() => expand({ axes: { loss: ['pal', 'bce'] } }))).toMatch(/run loss=bce: unknown --loss "bce"/);
    expect(errorOf(() => expand({ train: { epochs: 2.5 } }))).toMatch(/--epochs must be an integer/);
    expect(errorOf(() => expand({ axes: { dataset: ['imagenet'] } }))).toMatch(/run: option '--dataset <name>' argument 'imagenet' is invalid/);
    expect(errorOf(() => expand({ axes: { seed: [] } }))).toMatch(/plan.json: axes.seed: an axis needs at least one value/);
    expect(errorOf(() => expand({ axes: { seed: [0, 0] } }))).toMatch(/axes.seed lists 0 twice/);
    expect(errorOf(() => expand({ train: { out: 'x' } }))).toMatch(/"out" is set by the grid/);
    expect(errorOf(() => expand({ train: { 'fixed-etf': 'yes' } }))).toMatch(/"fixed-etf" is a switch: give true or false/);
    expect(errorOf(() => expand({ train: { epochs: true } }))).toMatch(/"epochs" takes a value/);
    expect(errorOf(() => expand({ train: { counts: '' } }))).toMatch(/"counts" is empty/);
    expect(errorOf(() => expand({ axes: { seed: [0] }, exclude: [{ loss: 'pal' }] }))).toMatch(/exclude.0: "loss" is not set by any axis/);
    expect(errorOf(() => expand({ axes: { seed: [0] }, exclude: [{ seed: 0 }] }))).toMatch(/the plan has no runs/);
    expect(errorOf(() => expand({ axes: { seed: [0] }, typo: 1 }))).toMatch(/plan.json: the plan: Unrecognized key/);
    expect(errorOf(() => expand({ name: 'a b' }))).toMatch(/name: letters, digits/);
    expect(errorOf(() => expand({ slurm: { extra: ['constraint=a100'] } }))).toMatch(/slurm.extra.0: an sbatch option/);
  });

  it('reads JSON and YAML alike, and says which file is malformed', () => {
    const plan = { name: 'p', train: { epochs: 2, counts: [3, 1] }, axes: { 'lambda-h': [1e-4, 0.001], seed: [0, 1] } };
    writeFileSync(join(root, 'p.json'), JSON.stringify(plan));
    writeFileSync(join(root, 'p.yaml'), 'name: p\ntrain:\n  epochs: 2\n  counts: [3, 1]\naxes:\n  lambda-h: [1e-4, 0.001]\n  seed: [0, 1]\n');
    expect(readPlan(join(root, 'p.yaml')).plan).toEqual(readPlan(join(root, 'p.json')).plan);
    writeFileSync(join(root, 'bad.yaml'), 'axes: [1, 2\n');
    expect(errorOf(() => readPlan(join(root, 'bad.yaml')))).toMatch(/bad.yaml is not valid YAML/);
    expect(errorOf(() => readPlan(join(root, 'none.json')))).toMatch(/cannot read plan .*none.json \(ENOENT\)/);
    expect(readPlan(join(root, 'p.json')).name).toBe('p');
  });
});

describe('grid plan: deterministic expansion', () => {
  it('is the product of the axes in order, minus exclude, plus include, with readable names', () => {
    const e = expand({
      train: { epochs: 2 },
      axes: { loss: ['pal', 'pal-n'], 'lambda-h': [1e-4, 0.001], seed: [0, 1] },
      exclude: [{ loss: 'pal-n', 'lambda-h': 0.001 }],
      include: [{ loss: 'pal', 'lambda-h': 0.01, seed: 0, 'fixed-etf': true, 'fix-dim': true }],
    });
    expect(e.runs.map((r) => r.name)).toEqual([
      'loss=pal_lambda-h=0.0001_seed=0', 'loss=pal_lambda-h=0.0001_seed=1',
      'loss=pal_lambda-h=0.001_seed=0', 'loss=pal_lambda-h=0.001_seed=1',
      'loss=pal-n_lambda-h=0.0001_seed=0', 'loss=pal-n_lambda-h=0.0001_seed=1',
      'loss=pal_lambda-h=0.01_seed=0_fixed-etf_fix-dim',
    ]);
    // Flags that only the include sets are left at train's defaults in the other runs, whose names do not mention them.
    expect(e.varying).toEqual(['loss', 'lambda-h', 'seed', 'fixed-etf', 'fix-dim']);
    expect(e.runs[6].args).toEqual(['--epochs', '2', '--workers', '1', '--loss', 'pal', '--lambda-h', '0.01', '--seed', '0', '--fixed-etf', '--fix-dim']);
    expect(e.runs[0].args).toEqual(['--epochs', '2', '--workers', '1', '--loss', 'pal', '--lambda-h', '0.0001', '--seed', '0']);
    // Same plan, same expansion.
    expect(expand({
      train: { epochs: 2 },
      axes: { loss: ['pal', 'pal-n'], 'lambda-h': [1e-4, 0.001], seed: [0, 1] },
      exclude: [{ loss: 'pal-n', 'lambda-h': 0.001 }],
      include: [{ loss: 'pal', 'lambda-h': 0.01, seed: 0, 'fixed-etf': true, 'fix-dim': true }],
    })).toEqual(e);
  });

  it('names: booleans as flag / no-flag, lists with +, one run is "run", over-long names hashed but unique', () => {
    const e = expand({ axes: { 'fixed-etf': [false, true], counts: [[3, 1], [6, 2]] } });
    expect(e.runs.map((r) => r.name)).toEqual(['no-fixed-etf_counts=3+1', 'no-fixed-etf_counts=6+2', 'fixed-etf_counts=3+1', 'fixed-etf_counts=6+2']);
    expect(expand({ train: { seed: 3 } }).runs.map((r) => r.name)).toEqual(['run']);
    const long = runName({ 'lambda-h': 'x'.repeat(200) }, ['lambda-h']);
    expect(long.length).toBe(120);
    expect(long).not.toBe(runName({ 'lambda-h': `${'x'.repeat(199)}y` }, ['lambda-h']));
  });

  it('an axis of bundles sets several flags per value (a dataset with its folder) and is named by its own flag', () => {
    const e = expand({
      axes: {
        dataset: [{ dataset: 'mlab-mnist' }, { dataset: 'mlab-cifar10', 'data-dir': 'data/cifar' }],
        classifier: [{ 'fixed-etf': false }, { 'fixed-etf': true, 'fix-dim': true }],
      },
      exclude: [{ dataset: 'mlab-mnist', 'fixed-etf': true }],
    });
    expect(e.runs.map((r) => r.name)).toEqual(['dataset=mlab-mnist_no-fixed-etf', 'dataset=mlab-cifar10_no-fixed-etf', 'dataset=mlab-cifar10_fixed-etf_fix-dim']);
    expect(e.runs[2].args).toEqual(['--workers', '1', '--dataset', 'mlab-cifar10', '--data-dir', 'data/cifar', '--fixed-etf', '--fix-dim']);
    expect(errorOf(() => expand({ axes: { data: [{ dataset: 'mlab-mnist', lr: -1 }] } }))).toMatch(/--lr must be positive/);
    expect(errorOf(() => expand({ axes: { data: [{ datset: 'mlab-mnist' }] } }))).toMatch(/axes.data.0: unknown mlnc train flag "datset"/);
  });

  it('property: the run count is the product of the axis sizes minus the excluded ones, and names are unique', () => {
    fc.assert(fc.property(
      fc.uniqueArray(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 4 }),
      fc.uniqueArray(fc.constantFrom(1e-4, 1e-3, 1e-2, 0.1), { minLength: 1, maxLength: 4 }),
      fc.boolean(),
      (seeds, lambdas, excludeFirst) => {
        const plan = { axes: { 'lambda-h': lambdas, seed: seeds }, exclude: excludeFirst && lambdas.length > 1 ? [{ 'lambda-h': lambdas[0] }] : [] };
        const e = expand(plan);
        const expected = seeds.length * (lambdas.length - (plan.exclude.length ? 1 : 0));
        expect(e.runs).toHaveLength(expected);
        expect(new Set(e.runs.map((r) => r.name)).size).toBe(expected);
        // The last axis varies fastest.
        if (seeds.length > 1) expect(e.runs[1].values.seed).toBe(seeds[1]);
      },
    ), { seed: 12, numRuns: 60 });
  });

  it('the example plans in experiments/ expand without error', () => {
    const dir = join(import.meta.dirname, '../../experiments');
    for (const [file, atLeast] of [['grid-tiny.json', 4], ['paper-fixed-etf.json', 24], ['rho-study.json', 36]] as const) {
      const { plan } = readPlan(join(dir, file));
      const e = expandPlan(plan, file, flags);
      expect(e.runs.length, file).toBeGreaterThanOrEqual(atLeast);
      expect(JSON.parse(readFileSync(join(dir, file), 'utf8')).name).toBeTruthy();
    }
    const paper = expandPlan(readPlan(join(dir, 'paper-fixed-etf.json')).plan, 'paper', flags);
    expect(paper.runs[0].name).toBe('dataset=mlab-mnist_arch=resnet18_no-fixed-etf_seed=0');
    expect(paper.runs[paper.runs.length - 1].name).toBe('dataset=svhn_arch=vgg19_fixed-etf_fix-dim_seed=2');
    const rho = expandPlan(readPlan(join(dir, 'rho-study.json')).plan, 'rho', flags);
    expect(rho.runs.map((r) => r.name)).toContain('loss=pal-n_counts=60+12+4_lambda-h=0.001_seed=2');
  });
});
