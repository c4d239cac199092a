import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { createProgram } from '../../src/cli/main.js';
import { formatEpochLine } from '../../src/cli/train.js';
import { runCli } from '../helpers/runCli.js';

/** Every command of the program, depth first. */
const commandsOf = (c: Command): Command[] => [c, ...c.commands.flatMap(commandsOf)];

describe('the mlnc command line', () => {
  it('mlnc --version prints the version of package.json', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const r = await runCli([flag]);
      expect(r.code).toBe(0);
      expect(r.stdout.trim()).toBe(version);
    }
  });

  // Regression (issue 10): `mlnc frobnicate` said "too many arguments".
  it('an unknown command is named, with the valid ones; exit 2', async () => {
    const r = await runCli(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/unknown command 'frobnicate' \(the commands are ufm, train, validate, compare, figures, grid; see --help\)/);
    const sub = await runCli(['ufm', 'frobnicate']);
    expect(sub.code).toBe(2);
    expect(sub.stderr).toMatch(/unknown command 'frobnicate' \(the subcommands of ufm are sweep; see --help\)/);
  });

  it('speaks in one voice: every command, option and argument is described in lower case (acronyms aside), without a final period', () => {
    const texts: string[] = [];
    for (const c of commandsOf(createProgram())) {
      texts.push(c.description(), ...c.options.map((o) => o.description), ...c.registeredArguments.map((a) => a.description));
    }
    expect(texts.length).toBeGreaterThan(60);
    const offVoice = texts.filter((t) => t === '' || /^[A-Z][a-z]/.test(t) || t.endsWith('.'));
    expect(offVoice).toEqual([]);
  });
});

describe('formatEpochLine', () => {
  it('prints ρ̂ as a number per multiplicity, not as JSON', () => {
    const line = formatEpochLine({
      epoch: 30, trainLoss: 0.9073, trainAccuracy: 0.993, seconds: 1.6, nc1: 0.1535, nc2W: 0.257, nc2H: 0.559, nc3: 0.306,
      tagAngle: 0.174, rho: { 2: 1.7863865278664528, 3: null }, test: { topMExactMatchOracleM: 0.939 },
    });
    expect(line).toBe('epoch 30: loss 0.9073 acc 0.993 1.60s | NC1 0.1535 NC2_W 0.257 NC2_H 0.559 NC3 0.306 tag 0.174 ρ̂_2 1.786 ρ̂_3 n/a | test top-m 0.939');
    expect(formatEpochLine({ epoch: 1, trainLoss: 2, seconds: 0.5 })).toBe('epoch 1: loss 2.000 0.500s');
  });
});
