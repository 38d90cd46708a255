/**
 * `tpcvision simulate lime`: a thin adapter that parses flags, resolves the LIME configuration
 * (defaults ← --config JSON ← --size / --noise / --events-per-frame), calls simulateLimeRun and
 * prints a summary (a sentence, or --json).
 */
import type { Command } from 'commander';
import { claimOutputDir } from '../output-dir.js';
import { UsageError } from '../../core/errors.js';
import { limeConfigSchema, resolveLimeLayers, type LimeConfig } from '../../config/lime.js';
import { simulateLimeRun } from '../../simulation/lime/run.js';
import { defined, fileLayer, FLAGS, parseCount, parseInteger, parseNumber, parseFrameSize } from '../config-options.js';
import { terminalProgress } from '../progress-bar.js';
import { SIMULATE_RUN_DEFAULTS, simulateRunSchema } from '../../config/demo.js';
import { describeDefault } from '../../config/describe-default.js';

interface LimeFlags {
  out: string;
  pedestals?: string;
  events?: string;
  seed: string;
  size?: string;
  noise?: string;
  eventsPerFrame?: string;
  config?: string;
  json?: boolean;
  overwrite?: boolean;
}

export function registerSimulateLime(simulate: Command): Command {
  return simulate
    .command('lime')
    .description('simulate CYGNO LIME sCMOS frames: a pedestal run (noise only) and a data run with per-event truth (docs/SIMULATION.md)')
    .requiredOption('--out <dir>', 'output directory (pedestals/, data/, run.json)')
    .option('--pedestals <n>', describeDefault('pedestal frames (GEM off)', simulateRunSchema, 'lime.pedestals'))
    .option('--events <m>', describeDefault('events in the data run, over as many frames as it takes', simulateRunSchema, 'lime.events'))
    .option('--seed <s>', 'random seed (same seed, same bytes)', '1')
    .option('--size <size>', 'frame size: full (2304²), half (1152²), quarter (576²), eighth (288²), a side in px, WxH, or cygno04 (4096×2304, CYGNO-04\'s ORCA-Quest); same pixel pitch')
    .option('--noise <mode>', describeDefault('structured (row/column offsets, gradient, hot clusters) or independent', limeConfigSchema, 'noise'))
    .option('--events-per-frame <x>', 'mean events per frame (default: the config\'s events.perMegapixel density times the frame area)')
    .option('--config <file>', 'JSON with the config values to change (docs/SIMULATION.md)')
    .option('--overwrite', "replace an earlier simulation in --out (without it such a directory is refused)")
    .option('--json', 'print the summary as JSON')
    .action(async (o: LimeFlags) => {
      claimOutputDir(o.out, ['run.json', 'pedestals', 'data'], o.overwrite);
      const seed = parseInteger('--seed', o.seed) as number;
      const config = limeConfig(o);
      const r = await simulateLimeRun({
        config,
        outDir: o.out,
        pedestals: o.pedestals === undefined ? SIMULATE_RUN_DEFAULTS.lime.pedestals : parseCount('--pedestals', o.pedestals),
        events: o.events === undefined ? SIMULATE_RUN_DEFAULTS.lime.events : parseCount('--events', o.events),
        seed,
        progress: terminalProgress(o.json),
      });
      if (o.json) console.log(JSON.stringify(r, null, 2));
      else {
        console.log(
          `${r.pedestalFrames} pedestal frames and ${r.dataFrames} data frames (${r.events} events, ${r.emptyFrames} empty frames) ` +
            `of ${r.width}×${r.height} px written to ${r.outDir} in ${r.seconds.toFixed(1)} s`,
        );
      }
    });
}

/** Defaults ← --config ← --noise, --events-per-frame, --size (a square side, W×H or a named camera). */
function limeConfig(o: LimeFlags): LimeConfig {
  if (o.noise !== undefined && o.noise !== 'structured' && o.noise !== 'independent') {
    throw new UsageError('--noise', `must be structured or independent, got '${o.noise}'`);
  }
  const perFrame = parseNumber('--events-per-frame', o.eventsPerFrame);
  if (perFrame !== undefined && perFrame < 0) throw new UsageError('--events-per-frame', `must be ≥ 0, got '${o.eventsPerFrame}'`);
  const size = o.size === undefined ? undefined : parseFrameSize(o.size);
  const flags = defined({ noise: o.noise, camera: { width: size?.width, height: size?.height }, events: { perFrame } });
  return resolveLimeLayers([fileLayer(o.config), { source: FLAGS, value: flags }]);
}
