/**
 * `tpcvision simulate migdal`: a thin adapter that parses flags, resolves the MIGDAL configuration
 * (defaults ← --config JSON), calls simulateMigdalRun and prints a summary (sentence or --json).
 * The `simulate` parent command lives in simulate.ts; this module only adds the subcommand.
 */
import type { Command } from 'commander';
import { claimOutputDir } from '../output-dir.js';
import { SIMULATE_RUN_DEFAULTS, simulateRunSchema } from '../../config/demo.js';
import { describeDefault } from '../../config/describe-default.js';
import { resolveMigdalLayers } from '../../config/migdal.js';
import { simulateMigdalRun } from '../../simulation/migdal/run.js';
import { fileLayer, parseCount, parseInteger } from '../config-options.js';
import { terminalProgress } from '../progress-bar.js';

export function registerSimulateMigdal(simulate: Command): Command {
  return simulate
    .command('migdal')
    .description('simulate MIGDAL Migdal events (ER + NR at a common vertex) and NR-only events as an overlap-separation dataset (Feather)')
    .requiredOption('--out <dir>', 'output directory (migdal.feather, run.json)')
    .option('--events <n>', describeDefault('hybrid (ER + NR) events', simulateRunSchema, 'migdal.events'))
    .option('--nr-only <m>', 'NR-only events (default: from events.nrOnlyFraction of the config)')
    .option('--seed <s>', 'random seed (same seed, same bytes)', '1')
    .option('--config <file>', 'JSON with the config values to change (docs/MIGDAL.md)')
    .option('--overwrite', "replace an earlier simulation in --out (without it such a directory is refused)")
    .option('--json', 'print the summary as JSON')
    .action((o: { out: string; events?: string; nrOnly?: string; seed: string; config?: string; overwrite?: boolean; json?: boolean }) => {
      claimOutputDir(o.out, ['run.json', 'migdal.feather'], o.overwrite);
      const seed = parseInteger('--seed', o.seed) as number;
      const config = resolveMigdalLayers([fileLayer(o.config)]);
      const r = simulateMigdalRun({
        config,
        outDir: o.out,
        events: o.events === undefined ? SIMULATE_RUN_DEFAULTS.migdal.events : parseCount('--events', o.events),
        nrOnly: o.nrOnly === undefined ? undefined : parseCount('--nr-only', o.nrOnly),
        seed,
        progress: terminalProgress(o.json),
      });
      if (o.json) console.log(JSON.stringify(r, null, 2));
      else {
        console.log(
          `${r.hybrid} hybrid + ${r.nrOnly} NR-only events in ${r.seconds.toFixed(1)} s (${r.eventsPerSecond.toFixed(1)} events/s)\n` +
            `dataset: ${r.feather}\nprovenance: ${r.runJson}`,
        );
      }
    });
}
