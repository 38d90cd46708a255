/**
 * The tpcvision command line: a thin commander adapter over the library, one module per command in
 * commands/. This file only builds the program and maps errors to exit codes (exit-codes.ts).
 */
import { Command } from 'commander';
import { toolVersion } from '../core/version.js';
import { registerSimulate } from './commands/simulate.js';
import { registerPedestals } from './commands/pedestals.js';
import { registerCalibrate } from './commands/calibrate.js';
import { registerTrigger } from './commands/trigger.js';
import { registerEvaluate } from './commands/evaluate.js';
import { registerTrain } from './commands/train.js';
import { registerModel } from './commands/model.js';
import { registerOasis } from './commands/oasis.js';
import { registerDemo } from './commands/demo.js';
import { registerInspect } from './commands/inspect.js';
import { registerExport } from './commands/export.js';
import { exitFor } from './exit-codes.js';

export function buildProgram(): Command {
  const program = new Command('tpcvision')
    .description('ROI trigger and overlap separation for optical TPC camera frames (CYGNO, MIGDAL)')
    .version(toolVersion())
    .showHelpAfterError()
    .exitOverride();
  // the order here is the order of `tpcvision --help`
  for (const register of [registerSimulate, registerPedestals, registerCalibrate, registerTrigger, registerEvaluate, registerTrain, registerModel, registerOasis, registerDemo, registerInspect, registerExport]) {
    register(program);
  }
  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    const { code, message } = exitFor(err);
    if (message !== null) console.error(message);
    process.exitCode = code;
  }
}
