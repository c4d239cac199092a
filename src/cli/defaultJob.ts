import { runUfmCommand } from './ufm.js';

/**
 * `mlnc` with no arguments: the main job on built-in defaults. Step 1 is the UFM check against the theory;
 * training, comparison and figures join as they land.
 */
export async function runDefaultJob(): Promise<void> {
  process.stdout.write('== 1. UFM optimum vs theory (mlnc ufm) ==\n');
  await runUfmCommand({ out: 'runs/ufm-default.json' });
}
