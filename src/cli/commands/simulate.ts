/** `tpcvision simulate <detector>`: the group of simulators (LIME frames, MIGDAL events). */
import type { Command } from 'commander';
import { registerSimulateLime } from './simulate-lime.js';
import { registerSimulateMigdal } from './simulate-migdal.js';

export function registerSimulate(program: Command): Command {
  const simulate = program.command('simulate').description('simulate detector runs with per-event truth');
  registerSimulateLime(simulate);
  registerSimulateMigdal(simulate);
  return simulate;
}
