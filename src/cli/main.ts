/**
 * The tpcvision command line: a thin commander adapter over the library. Each command parses its
 * flags, resolves the configuration, calls one library function and sets the exit code.
 */
import { Command, CommanderError } from 'commander';
import { toolVersion } from '../core/version.js';
import { ConfigError, InputError } from '../core/errors.js';
import { registerPipelineCommands, summaryTable } from './commands-pipeline.js';
import { registerModelCommands } from './commands-model.js';
import { registerOasis } from './oasis.js';
import { registerSimulate } from './simulate.js';
import { terminalProgress } from './progress-bar.js';

export function buildProgram(): Command {
  const program = new Command('tpcvision')
    .description('ROI trigger and overlap separation for optical TPC camera frames (CYGNO, MIGDAL)')
    .version(toolVersion())
    .showHelpAfterError()
    .exitOverride();

  registerSimulate(program);
  registerPipelineCommands(program);
  registerModelCommands(program);
  registerOasis(program);

  program
    .command('demo')
    .description('simulate a small LIME run and run the whole chain: statistics, calibration, trigger, evaluation, report')
    .option('--out <dir>', 'output directory', 'runs/demo')
    .option('--seed <n>', 'random seed (same seed, same bytes)', '1')
    .option('--ae-epochs <n>', 'epochs of each autoencoder training (0 skips the autoencoders)', '4')
    .option('--no-oasis', 'skip the overlap-separation part')
    .option('--json', 'print the summary as JSON')
    .action(async (o) => {
      const seed = Number(o.seed);
      const autoencoderEpochs = Number(o.aeEpochs);
      if (!Number.isInteger(autoencoderEpochs) || autoencoderEpochs < 0) throw new ConfigError(`--ae-epochs must be a non-negative integer, got '${o.aeEpochs}'`);
      if (!Number.isInteger(seed)) throw new ConfigError(`--seed must be an integer, got '${o.seed}'`);
      const log = o.json ? () => {} : (line: string) => console.error(`· ${line}`);
      const { runDemo } = await import('../demo/run-demo.js');
      const r = await runDemo({ outDir: o.out, seed, autoencoderEpochs, oasis: o.oasis, progress: terminalProgress(o.json), log });
      if (o.json) {
        console.log(
          JSON.stringify({ report: r.report, evaluation: `${r.outDir}/evaluation.json`, seconds: r.seconds, methods: r.evaluation.methods.map(({ sweep: _s, ...m }) => m), oasis: r.oasis }, null, 2),
        );
      } else {
        console.log(summaryTable(r.evaluation.methods));
        console.log(`\n${r.evaluation.containedEvents} contained events in ${r.evaluation.frames} frames; trigger kept ${(100 * r.trigger.keptFractionRaw).toFixed(2)}% of raw pixels`);
        for (const e of r.oasis as { preset: string; medianDeltaI_4to5keV: number | null; iou: number | null; nrOnlyFpRate: number | null }[]) {
          const f = (v: number | null, d = 3) => (v === null || Number.isNaN(v) ? '–' : v.toFixed(d));
          console.log(`overlap separation ${e.preset.padEnd(11)} ΔI(4–5 keV) median ${f(e.medianDeltaI_4to5keV)}  IoU ${f(e.iou)}  NR-only FP ${f(e.nrOnlyFpRate)}`);
        }
        console.log(`demo finished in ${r.seconds.toFixed(0)} s\nreport: ${r.report}`);
      }
    });
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode;
      return;
    }
    if (err instanceof InputError || err instanceof ConfigError) {
      console.error(`tpcvision: ${err.message}`);
      process.exitCode = 2;
      return;
    }
    throw err;
  }
}
