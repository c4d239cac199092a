import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/runCli.js';
import { parseSvg } from '../plot/svgTestHelpers.js';
import { writeSyntheticRun } from '../figures/syntheticRun.js';

const root = mkdtempSync(join(tmpdir(), 'mlnc-compare-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('mlnc compare on a synthetic run directory built exactly from the theory', () => {
  it('reports ρ̂ = ρ and zero distances, and writes compare.json and a well-formed compare.svg', async () => {
    const dir = join(root, 'theory');
    const { theory } = writeSyntheticRun(dir, { K: 4, d: 6, perSet: { 1: 3, 2: 2 }, lambda: 5e-3 });
    const r = await runCli(['compare', dir]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/ρ₂ tag-wise scale \(UFM, mapped λ\)\s+1\.751\s+1\.751/);
    expect(r.stdout).toMatch(/λ_H\^UFM = 2·λ_H·B\/N/);
    expect(r.stdout).toMatch(/UFM's optimum decodes 100%/);
    const json = JSON.parse(readFileSync(join(dir, 'compare.json'), 'utf8'));
    expect(json.mapped.method).toBe('closed form');
    expect(json.mapped.route).toBe('closed-form');
    expect(json.fixedEtf).toBe(false);
    expect(json.network.rho['2'].mean).toBeCloseTo(theory.rho[2], 8);
    expect(json.mapped.rho['2']).toBeCloseTo(1.7508648, 6);
    expect(json.fitted.rho['2']).toBeCloseTo(1.7508648, 6);
    for (const k of ['nc1', 'nc2W', 'nc2H', 'nc3']) expect(json.network[k]).toBeLessThan(1e-6);
    expect(json.mapping.lambdas.lambdaH).toBeCloseTo(5e-3, 14);
    const svg = parseSvg(readFileSync(join(dir, 'compare.svg'), 'utf8'));
    expect(svg.querySelector('text.figure-title')?.textContent).toMatch(/UFM prediction vs trained network/);
    expect(svg.textContent).toMatch(/1\.751/);
  });

  it('prints the report as JSON with --json', async () => {
    const dir = join(root, 'json');
    writeSyntheticRun(dir, { K: 3, d: 2, perSet: { 1: 2, 2: 1 }, lambda: 5e-3 });
    const r = await runCli(['compare', dir, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).design.balanced).toBe(true);
  });

  it('answers bad input with one line and exit code 2, writing nothing', async () => {
    const missing = await runCli(['compare', join(root, 'nope')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toMatch(/does not exist/);

    const dir = join(root, 'nan');
    writeSyntheticRun(dir, { K: 3, d: 2, perSet: { 1: 2, 2: 1 }, lambda: 5e-3 });
    const f = join(dir, 'final-features.json');
    writeFileSync(f, readFileSync(f, 'utf8').replace(/"features":\[[^,]+,/, '"features":[1e999,'));
    const nan = await runCli(['compare', dir]);
    expect(nan.code).toBe(2);
    expect(nan.stderr.trim().split('\n')).toHaveLength(1);
    expect(nan.stderr).toMatch(/final-features.json is not a mlnc-final-features-1 file \(features.0: .*Infinity\)/);
    expect(existsSync(join(dir, 'compare.json'))).toBe(false);

    // An output that cannot be written (a folder named compare.svg): one line before any work, compare.json not written.
    const blocked = join(root, 'blocked');
    writeSyntheticRun(blocked, { K: 3, d: 2, perSet: { 1: 2, 2: 1 }, lambda: 5e-3 });
    mkdirSync(join(blocked, 'compare.svg'));
    const w = await runCli(['compare', blocked]);
    expect(w.code).toBe(2);
    expect(w.stderr.trim().split('\n')).toHaveLength(1);
    expect(w.stderr).toMatch(/cannot write .*blocked\/compare\.svg: it is a directory/);
    expect(existsSync(join(blocked, 'compare.json'))).toBe(false);
  });
});
