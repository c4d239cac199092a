import { join, resolve } from 'node:path';
import { openRunDir, RUN_FILES } from '../run/index.js';
import { UsageError } from './usageError.js';

/** Runs one mlnc command line and returns its exit code (main() itself, injected to keep the import graph acyclic). */
export type RunCommand = (argv: string[]) => Promise<number>;

export const DEFAULT_JOB_ROOT = 'runs/default';

/**
 * `mlnc` with no arguments: the whole story on built-in defaults, each step an ordinary mlnc command whose outputs
 * the next step reads —
 *   1. the UFM optimum against the theory solver (and the λ_H sweep behind the ρ_m figure),
 *   2. two short training runs of the default recipe, learned and fixed-ETF classifier,
 *   3. the comparison of the learned run with the UFM's prediction,
 *   4. every figure.
 * Training runs that already exist under the root are resumed (a finished one is left as it is), so running the job
 * again after an interruption picks up where it stopped.
 */
export async function runDefaultJob(run: RunCommand, root = DEFAULT_JOB_ROOT): Promise<void> {
  const t0 = performance.now();
  const path = (...parts: string[]) => join(root, ...parts);
  const step = async (title: string, argv: string[]) => {
    process.stdout.write(`\n== ${title} ==\n$ mlnc ${argv.join(' ')}\n`);
    const code = await run(argv);
    if (code !== 0) throw new UsageError(`the main job stopped at "${title}" (exit code ${code})`);
  };
  const train = (name: string, extra: string[]) => {
    const out = path(name);
    return [...['train', '--out', out], ...extra, ...(openRunDir(out).holdsRun() ? ['--resume'] : [])];
  };

  await step('1. UFM optimum vs theory', ['ufm', '--out', path('ufm.json')]);
  await step('1b. UFM sweep over λ_H (theory curve and optimizer points)', ['ufm', 'sweep', '--out', path('ufm-sweep.json')]);
  await step('2. Training, learned classifier', train('learned', []));
  await step('2b. Training, fixed simplex-ETF classifier', train('fixed-etf', ['--fixed-etf']));
  await step('3. Trained network vs UFM prediction', ['compare', path('learned')]);
  await step('4. Figures', [
    'figures', path('learned'), path('fixed-etf'), '--out', path('figures'), '--sweep', path('ufm-sweep.json'),
  ]);

  const minutes = (performance.now() - t0) / 60_000;
  const learned = openRunDir(path('learned'));
  process.stdout.write(
    `\n== Done in ${minutes.toFixed(1)} min. Outputs ==\n` +
    `UFM report:         ${resolve(path('ufm.json'))}\n` +
    `UFM sweep:          ${resolve(path('ufm-sweep.json'))}\n` +
    `training runs:      ${resolve(path('learned'))}, ${resolve(path('fixed-etf'))} (${RUN_FILES.config}, ${RUN_FILES.metrics}, ${RUN_FILES.checkpoints}/)\n` +
    `comparison:         ${learned.file('compareJson')}, ${learned.file('compareSvg')}\n` +
    `figures:            ${resolve(path('figures'))}\n`,
  );
}
