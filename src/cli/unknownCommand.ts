import type { Command } from 'commander';

/**
 * For a command that has both an action and subcommands (`mlnc`, `mlnc ufm`): a first argument that names no
 * subcommand is reported as an unknown command, with the valid ones, instead of commander's "too many arguments".
 */
export function rejectUnknownSubcommands(cmd: Command): Command {
  cmd.allowExcessArguments(true);
  return cmd.hook('preAction', (_hooked, actionCommand) => {
    if (actionCommand !== cmd || cmd.args.length === 0) return;
    const names = cmd.commands.map((c) => c.name());
    const what = cmd.parent ? `subcommands of ${cmd.name()}` : 'commands';
    cmd.error(`error: unknown command '${cmd.args[0]}' (the ${what} are ${names.join(', ')}; see --help)`, { code: 'commander.unknownCommand', exitCode: 2 });
  });
}
