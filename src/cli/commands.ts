import type { Command } from 'commander';
import { registerUfm } from './ufm.js';

/** Registers every subcommand on the root program. */
export function registerCommands(program: Command): void {
  registerUfm(program);
}
