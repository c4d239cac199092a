import { Command, Option } from 'commander';
import { resolve } from 'node:path';
import { BACKEND_PREFERENCES, initBackend } from '../deep/backend/initBackend.js';
import { loadRunData } from '../deep/train/runData.js';
import { validateRun } from '../deep/train/validateRun.js';
import { assertWritableFile } from '../io/outputPath.js';
import { openRunDir } from '../run/index.js';
import { BACKEND_HELP, parseChoice } from './parse.js';

interface ValidateFlags {
  backend: string;
  dataDir?: string;
}

export async function validateCommand(runDirArg: string, f: ValidateFlags): Promise<void> {
  const run = openRunDir(runDirArg);
  run.requireDirectory();
  const backendPref = parseChoice('--backend', f.backend, BACKEND_PREFERENCES);
  // validate.json goes into the run directory: check it can, before recomputing every checkpoint.
  assertWritableFile(run.file('validate'));
  const config = run.readTrainConfig();
  const data = run.readDataOptions();
  if (f.dataDir !== undefined) data.dataDir = resolve(f.dataDir);
  const backend = await initBackend(backendPref);
  const splits = await loadRunData(config, data);
  const { summary, path } = await validateRun({
    runDir: run.path, train: splits.train, test: splits.test, backend: backend.name, adapter: backend.adapter,
    onCheckpoint: (epoch, dir) => process.stderr.write(`validating epoch ${epoch} (${dir})\n`),
  });
  for (const r of summary.checkpoints) {
    const t = r.test as { topMExactMatchOracleM?: number } | undefined;
    process.stderr.write(`epoch ${r.epoch}: NC1 ${r.nc1} NC2_W ${r.nc2W} NC3 ${r.nc3} tag ${r.tagAngle}${t ? ` test top-m ${t.topMExactMatchOracleM}` : ''}\n`);
  }
  if (summary.maxDifferenceFromLog !== null) {
    process.stderr.write(`largest difference from the training log: ${summary.maxDifferenceFromLog.toExponential(2)}\n`);
  }
  process.stdout.write(`validated ${summary.checkpoints.length} checkpoints; summary: ${path}\n`);
}

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('recompute every NC and test-set metric over every checkpoint of a run; writes RUN_DIR/validate.json')
    .argument('<run-dir>', 'a directory written by mlnc train')
    .option('--data-dir <path>', 'source images, if they moved since training')
    .addOption(new Option('--backend <name>', BACKEND_HELP).default('auto'))
    .action(async (runDir: string, f: ValidateFlags) => validateCommand(runDir, f));
}
