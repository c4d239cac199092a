import { Command, CommanderError } from 'commander';
import { UserError } from '../util/userError.js';
import { registerCommands } from './commands.js';
import { runDefaultJob } from './defaultJob.js';

/** The `mlnc` command line. Each subcommand lives in its own file and is registered in commands.ts. */
export async function main(argv: string[]): Promise<number> {
  const program = new Command('mlnc')
    .description('Neural collapse in multi-label learning with the pick-all-label loss')
    .exitOverride()
    .enablePositionalOptions()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  registerCommands(program);
  // With no subcommand: the main job on built-in defaults.
  program.action(async () => runDefaultJob((argv) => main(argv)));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // help/version exit with 0; commander has already printed its one-line message for usage errors.
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof UserError) {
      process.stderr.write(`mlnc: ${err.message}\n`);
      return err.exitCode;
    }
    throw err;
  }
}
