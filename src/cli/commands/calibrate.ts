/**
 * `tpcvision calibrate`: find τ of each score for a target fraction of pedestal pixels inside ROI
 * masks, on held-out pedestal frames, and write the calibration JSON that trigger and evaluate read.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { InputError } from '../../core/errors.js';
import { writeJsonAtomic } from '../../core/atomic-write.js';
import { loadPedestalStats } from '../../preprocessing/index.js';
import { CLASSICAL_SCORES } from '../../scores/classical.js';
import { calibrateScores, type CalibrationFile } from '../../calibration/index.js';
import { checkScoreNames, configForStats, defined, parseModels, parseNumber } from '../config-options.js';
import { print } from '../output.js';
import { collectFiles, frameSequence } from '../frame-inputs.js';
import { terminalProgress } from '../progress-bar.js';
import { buildScores } from '../../scores/build.js';
import { describeDefault } from '../../config/describe-default.js';
import { pipelineSchema } from '../../config/pipeline.js';

interface CalibrateFlags {
  stats: string;
  out: string;
  score: string[];
  model?: string[];
  target?: string;
  border?: string;
  radius?: string;
  config?: string;
  json?: boolean;
}

export function registerCalibrate(program: Command): Command {
  return program
    .command('calibrate')
    .description('find τ for a target fraction of pedestal pixels inside ROI masks (whole grid and border excluded)')
    .argument('<inputs...>', 'held-out pedestal frame files or directories')
    .requiredOption('--stats <dir>', 'pedestal statistics directory (tpcvision pedestals)')
    .requiredOption('--out <file>', 'calibration JSON to write')
    .option('--score <names...>', `scores to calibrate (${CLASSICAL_SCORES.join(', ')}, or all)`, ['all'])
    .option('--model <name=dir...>', 'add a trained autoencoder as a score (e.g. ae-refined=models/refined)')
    .option('--target <fraction>', describeDefault('target retained fraction of pedestal pixels', pipelineSchema, 'calibration.targetFraction'))
    .option('--border <px>', describeDefault('border excluded in the second calibration, analysis px (scaled with the grid)', pipelineSchema, 'calibration.border'))
    .option('--radius <px>', describeDefault('closing radius, analysis px', pipelineSchema, 'roi.closingRadius'))
    .option('--config <file>', 'JSON configuration overriding the defaults')
    .option('--json', 'print the result as JSON')
    .action(async (inputs: string[], o: CalibrateFlags) => {
      // 1. inputs, statistics, configuration and scores
      const files = collectFiles(inputs);
      const models = parseModels(o.model);
      checkScoreNames(o.score, models, true);
      const stats = loadPedestalStats(o.stats);
      const cfg = configForStats(
        stats,
        o.config,
        defined({
          calibration: { targetFraction: parseNumber('--target', o.target), border: parseNumber('--border', o.border) },
          roi: { closingRadius: parseNumber('--radius', o.radius) },
        }),
      );
      const reused = statsFramesAmong(stats.sources, files);
      if (reused.length) {
        throw new InputError(
          o.stats,
          `was computed from ${reused.length} of the ${files.length} files given to calibrate (e.g. ${reused[0]}): τ calibrated on the statistics' own frames comes out too low and the trigger keeps far more than the target; calibrate on held-out pedestals`,
        );
      }
      const scores = await buildScores(o.score, models, stats, cfg.score);
      // 2. calibrate each score, 3. write and describe
      const file = await calibrateScores(frameSequence(files), stats, scores, cfg, terminalProgress(o.json));
      writeJsonAtomic(o.out, file);
      print(Boolean(o.json), file, `calibrated on ${files.length} files, target ${cfg.calibration.targetFraction}:\n${describe(file).join('\n')}\nwritten to ${o.out}`);
    });
}

/** The calibration files that also went into the statistics (their sources, '#index' stripped, as absolute paths). */
export function statsFramesAmong(sources: readonly string[], files: readonly string[]): string[] {
  const used = new Set(sources.map((s) => resolve(s.replace(/#\d+$/, ''))));
  return files.filter((f) => used.has(resolve(f)));
}

function describe(file: CalibrationFile): string[] {
  return file.methods.map(
    (m) =>
      `${m.name.padEnd(16)} τ = ${m.tau.toPrecision(4)} → retained ${m.calibration.whole.fraction.toExponential(2)} (border excluded ${m.calibration.whole.interiorFraction.toExponential(2)}); ` +
      `interior-calibrated τ = ${m.calibration.interior.tau.toPrecision(4)} → ${m.calibration.interior.fraction.toExponential(2)} / ${m.calibration.interior.interiorFraction.toExponential(2)}`,
  );
}
