import { Command, CommanderError } from 'commander';
import { packageVersion } from '../io/packageRoot.js';
import { UserError } from '../util/userError.js';
import { missingKernelError } from '../deep/backend/missingKernel.js';
import { registerCommands } from './commands.js';
import { runDefaultJob } from './defaultJob.js';
import { rejectUnknownSubcommands } from './unknownCommand.js';

/**
 * The `mlnc` program: every command (each in its own file, registered in commands.ts) and, with no command, the main
 * job, whose steps run `main` again.
 */
export function createProgram(): Command {
  const program = new Command('mlnc')
    .description('neural collapse in multi-label learning with the pick-all-label loss; without a command, the main job on its defaults')
    .version(packageVersion(), '-V, --version', 'print the version number')
    .helpOption('-h, --help', 'print the help of a command')
    .exitOverride()
    .enablePositionalOptions()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  registerCommands(program);
  // With no subcommand: the main job on built-in defaults.
  return rejectUnknownSubcommands(program).action(async () => runDefaultJob((argv) => main(argv)));
}

/** Runs one mlnc command line; resolves to its exit code (a user error's, printed as one line). */
export async function main(argv: string[]): Promise<number> {
  const program = createProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // help/version exit with 0; commander has already printed its one-line message for usage errors.
      return err.exitCode === 0 ? 0 : 2;
    }
    // A kernel the chosen backend lacks is the user's to route around (another --backend), not a bug.
    const user = err instanceof UserError ? err : missingKernelError(err);
    if (user) {
      process.stderr.write(`mlnc: ${user.message}\n`);
      return user.exitCode;
    }
    throw err;
  }
}
