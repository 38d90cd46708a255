/** `tpcvision model …`: the group of ROI-autoencoder inspection commands. */
import type { Command } from 'commander';
import { registerModelSummary } from './model-summary.js';

export function registerModel(program: Command): Command {
  const model = program.command('model').description('inspect the ROI autoencoder');
  registerModelSummary(model);
  return model;
}
