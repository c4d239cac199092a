import type { Command } from 'commander';
import { registerSweep } from './sweep.js';
import { registerUfm } from './ufm.js';
import { rejectUnknownSubcommands } from './unknownCommand.js';
import { registerTrain } from './train.js';
import { registerValidate } from './validate.js';
import { registerCompare } from './compare.js';
import { registerFigures } from './figures.js';
import { registerGrid } from './grid.js';

/** Registers every subcommand on the root program. */
export function registerCommands(program: Command): void {
  registerSweep(rejectUnknownSubcommands(registerUfm(program)));
  registerTrain(program);
  registerValidate(program);
  registerCompare(program);
  registerFigures(program);
  registerGrid(program);
}
