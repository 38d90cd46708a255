/** `tpcvision oasis train | evaluate`: the group of overlap-separation (OASIS U-Net) commands. */
import type { Command } from 'commander';
import { registerOasisTrain } from './oasis-train.js';
import { registerOasisEvaluate } from './oasis-evaluate.js';

export function registerOasis(program: Command): Command {
  const oasis = program.command('oasis').description('overlap separation (OASIS): segmentation-regression U-Net for overlapping ER/NR tracks');
  registerOasisTrain(oasis);
  registerOasisEvaluate(oasis);
  return oasis;
}
