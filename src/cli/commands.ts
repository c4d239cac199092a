import type { Command } from 'commander';

/** Registers every subcommand on the root program. */
export function registerCommands(_program: Command): void {
  // Subcommands are added here as they land (ufm, train, validate, compare, figures).
}
