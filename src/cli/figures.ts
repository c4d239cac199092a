import { Option, type Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { assertWritableOutputs, discoverRuns, makeFigures, pickDefaultPair, readTrainingRun, trainShortRuns } from '../figures/index.js';
import { writeJsonAtomic } from '../io/atomicWrite.js';
import { assertWritableDir, assertWritableFile } from '../io/outputPath.js';
import { DEFAULT_UFM_CONFIG } from '../ufm/experiment.js';
import type { SweepResult } from '../ufm/sweep.js';
import { BACKEND_HELP, parseNumberFlag } from './parse.js';
import { DEFAULT_SWEEP_OUT, runSweep } from './sweep.js';
import { UsageError } from './usageError.js';

export interface FiguresFlags {
  out: string;
  sweep: string;
  runsDir: string;
  epochs: string;
  backend: string;
  png: boolean;
}

/** The flags' defaults, for callers such as the main job: `figuresCommand([runDir], DEFAULT_FIGURES_FLAGS)`. */
export const DEFAULT_FIGURES_FLAGS: FiguresFlags = { out: 'figures', sweep: DEFAULT_SWEEP_OUT, runsDir: 'runs', epochs: '6', backend: 'auto', png: true };

function readSweep(path: string): SweepResult {
  try {
    const s = JSON.parse(readFileSync(path, 'utf8')) as SweepResult;
    if (!Array.isArray(s.theory) || !Array.isArray(s.ufm) || !s.base) throw new Error('not a sweep result');
    return s;
  } catch (err) {
    throw new UsageError(`${path} is not an mlnc ufm sweep result (${(err as Error).message.split('\n')[0]})`);
  }
}

export async function figuresCommand(runDirs: string[], f: FiguresFlags): Promise<void> {
  const log = (m: string) => process.stderr.write(`${m}\n`);
  const t0 = performance.now();
  let dirs = runDirs.map((d) => readTrainingRun(d).dir); // fail fast, one line, before any work
  // Every place this command writes, checked before any work: the figures folder, the sweep when it has to be
  // computed, each run's compare.json/svg, and the runs folder when short runs have to be trained.
  const outDir = resolve(f.out);
  const sweepPath = resolve(f.sweep);
  assertWritableDir(outDir);
  if (!existsSync(sweepPath)) assertWritableFile(sweepPath);
  for (const d of dirs) assertWritableOutputs(d);
  if (dirs.length === 0) {
    const pair = pickDefaultPair(discoverRuns(f.runsDir));
    if (pair) {
      dirs = pair.map((r) => r.dir);
      for (const d of dirs) assertWritableOutputs(d);
      log(`using the runs found under ${f.runsDir}: ${dirs.join(', ')}`);
    } else {
      const epochs = parseNumberFlag('--epochs', f.epochs, { integer: true, min: 1 });
      assertWritableDir(resolve(f.runsDir));
      dirs = await trainShortRuns({ root: f.runsDir, epochs, backend: f.backend, log });
    }
  }
  let sweep: SweepResult;
  if (existsSync(sweepPath)) {
    sweep = readSweep(sweepPath);
  } else {
    log(`no sweep at ${sweepPath}: running mlnc ufm sweep on its defaults (6 optimizer points)`);
    sweep = await runSweep(DEFAULT_UFM_CONFIG, { param: 'lambda-h', from: 1e-4, to: 3e-2, points: 6, theoryPoints: 60, tieLambdaW: true });
    writeJsonAtomic(sweepPath, sweep);
    log(`sweep: ${sweepPath}`);
  }
  const written = await makeFigures({ runDirs: dirs, outDir, sweep, backend: f.backend, png: f.png, log });
  const lines = written.map((w) => `${w.name.padEnd(20)} ${w.svg}${w.png ? `  ${w.png}` : ''}`);
  process.stdout.write(`${lines.join('\n')}\n${written.length} figures in ${outDir} (${((performance.now() - t0) / 1000).toFixed(0)} s)\n`);
}

export function registerFigures(program: Command): void {
  program
    .command('figures')
    .description('regenerate every figure (SVG + PNG) from run directories; without arguments, from the runs under runs/ or two short training runs')
    .argument('[run-dirs...]', 'directories written by mlnc train (learned and/or fixed-ETF classifier)')
    .option('--out <dir>', 'output folder', DEFAULT_FIGURES_FLAGS.out)
    .option('--sweep <file>', 'mlnc ufm sweep result for the ρ figure (run on defaults when missing)', DEFAULT_FIGURES_FLAGS.sweep)
    .option('--runs-dir <dir>', 'where to look for (or train) runs when none are given', DEFAULT_FIGURES_FLAGS.runsDir)
    .option('--epochs <n>', 'epochs of the short runs trained when none are found', DEFAULT_FIGURES_FLAGS.epochs)
    .addOption(new Option('--backend <name>', BACKEND_HELP).default(DEFAULT_FIGURES_FLAGS.backend))
    .option('--no-png', 'write SVG only')
    .action(async (runDirs: string[], f: FiguresFlags) => figuresCommand(runDirs, f));
}
