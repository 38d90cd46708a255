/**
 * `tpcvision trigger`: run the ROI trigger over a run, writing each frame ROI-compressed (.roi) and a
 * run summary. τ comes from --tau, else from --calibration for the score, else the configured default.
 * Frames that fail are listed and give exit code 3 (the others are written).
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { loadPedestalStats } from '../../preprocessing/index.js';
import { CLASSICAL_SCORES } from '../../scores/classical.js';
import { checkCalibrationModel, checkCalibrationStats, checkOperatingPoint, findMethod, loadCalibrationFile, type MethodCalibration } from '../../calibration/index.js';
import { fileSha256 } from '../../core/file-sha256.js';
import { runTrigger } from '../../trigger/index.js';
import { checkScoreNames, configForStats, defined, parseModels, parseNumber } from '../config-options.js';
import { EXIT } from '../exit-codes.js';
import { print } from '../output.js';
import { collectInputs, skippedSummary } from '../frame-inputs.js';
import { terminalProgress } from '../progress-bar.js';
import { buildScores } from '../../scores/build.js';
import { describeDefault } from '../../config/describe-default.js';
import { pipelineSchema } from '../../config/pipeline.js';

interface TriggerFlags {
  stats: string;
  out: string;
  score: string;
  tau?: string;
  calibration?: string;
  model?: string[];
  radius?: string;
  config?: string;
  allowHighOccupancy?: boolean;
  overwrite?: boolean;
  resume?: boolean;
  json?: boolean;
}

/** Whether the --config file sets roi.tau (then it is the user's τ, not the schema's). */
function configSetsTau(file: string | undefined): boolean {
  if (!file) return false;
  try {
    return JSON.parse(readFileSync(file, 'utf8'))?.roi?.tau !== undefined;
  } catch {
    return false; // configForStats reports the unreadable file with its own message
  }
}

type TriggerSummary = Awaited<ReturnType<typeof runTrigger>>;

export function registerTrigger(program: Command): Command {
  return program
    .command('trigger')
    .description('run the ROI trigger over a run: write each frame ROI-compressed (.roi) and a run summary; exit code 3 when some frames failed (listed on stderr, the others written)')
    .argument('<inputs...>', 'frame files or directories')
    .requiredOption('--stats <dir>', 'pedestal statistics directory')
    .requiredOption('--out <dir>', 'output directory for .roi files and summary.json')
    .option('--score <name>', `anomaly score (${CLASSICAL_SCORES.join(', ')})`, 'gaussian')
    .option('--tau <value>', 'threshold τ (else from --calibration, or roi.tau of a --config file: one of them is needed)')
    .option('--calibration <file>', 'calibration JSON holding τ for the score')
    .option('--model <name=dir...>', 'a trained autoencoder usable as --score NAME')
    .option('--radius <px>', describeDefault('closing radius, analysis px', pipelineSchema, 'roi.closingRadius'))
    .option('--config <file>', 'JSON configuration overriding the defaults')
    .option('--overwrite', "replace an earlier run's output in --out (its .roi files, summary.json and journal); without it such a directory is refused")
    .option('--resume', "continue the run journalled in --out (a killed or extended run): frames whose .roi is intact are kept, the others processed, summary.json rebuilt; the settings must be the same")
    .option('--allow-high-occupancy', 'exit 0 even when frames keep more of the grid than trigger.maxKeptFraction (they are listed either way)')
    .option('--json', 'print the summary as JSON')
    .action(async (inputs: string[], o: TriggerFlags) => {
      const { files, skipped } = collectInputs(inputs);
      const models = parseModels(o.model);
      checkScoreNames([o.score], models, false);
      const stats = loadPedestalStats(o.stats);
      const cfg = configForStats(stats, o.config, defined({ roi: { closingRadius: parseNumber('--radius', o.radius), tau: parseNumber('--tau', o.tau) } }));
      if (o.tau === undefined && o.calibration === undefined && !configSetsTau(o.config)) {
        // the schema's τ is an autoencoder's working point: for any other score it keeps nonsense
        throw new UsageError('--calibration', `no τ for score '${o.score}': give --calibration FILE (made by tpcvision calibrate) or --tau VALUE`);
      }
      if (o.resume && o.overwrite) throw new UsageError('--resume', 'and --overwrite contradict each other: continue the earlier run, or replace it');
      let tau = cfg.roi.tau;
      let calibrationSha256: string | null = null;
      let method: MethodCalibration | undefined;
      if (o.calibration) {
        const calib = loadCalibrationFile(o.calibration);
        checkCalibrationStats(calib, stats, o.calibration, o.stats);
        calibrationSha256 = fileSha256(o.calibration);
        method = findMethod(calib, o.score, o.calibration);
        if (o.tau === undefined) tau = method.tau;
      }
      if (!(tau > 0) || !Number.isFinite(tau)) throw new UsageError('--tau', `must be a positive number, got ${tau}: at or below 0 every pixel at the pedestal level is kept`);
      const { analysisWidth: aw, analysisHeight: ah } = stats.config;
      if (cfg.roi.closingRadius > Math.max(aw, ah)) {
        throw new UsageError('--radius', `${cfg.roi.closingRadius} px is larger than the analysis grid (${aw}×${ah}): the closing would join every kept pixel into one region`);
      }
      if (method) checkOperatingPoint(method, { tau, closingRadius: cfg.roi.closingRadius }, o.calibration!);
      const [score] = await buildScores([o.score], models, stats, cfg.score);
      if (method) checkCalibrationModel(method, score, o.calibration!, models.get(o.score));
      const summary = await runTrigger({
        inputs: files,
        outDir: o.out,
        stats,
        score,
        tau,
        closingRadius: cfg.roi.closingRadius,
        progress: terminalProgress(o.json),
        // what made these outputs, by content (run-trigger adds the statistics' digest)
        provenance: { config: cfg },
        calibrationSha256,
        modelSha256: score.modelSha256 ?? null,
        skipped,
        maxKeptFraction: cfg.trigger.maxKeptFraction,
        overwrite: Boolean(o.overwrite),
        resume: Boolean(o.resume),
        warn: (line) => console.error(`· ${line}`),
      });
      print(Boolean(o.json), summary, describe(summary, o.out, score.name, tau));
      if (summary.skipped.length && !o.json) console.error(`· ${skippedSummary(summary.skipped)} (listed in summary.json)`);
      if (summary.failed.length) {
        // the failures go to stderr (the JSON on stdout lists them too): a log of errors stays complete when stdout is a table
        console.error(`tpcvision: ${summary.failed.length} of ${summary.framesIn} frames failed (exit code ${EXIT.framesFailed}; the others are written):`);
        for (const f of summary.failed) console.error(`  ${failureLine(f)}`);
        process.exitCode = EXIT.framesFailed;
      }
      const high = summary.highOccupancy;
      if (high.length) {
        const worst = Math.max(...high.map((h) => h.keptFractionAnalysis));
        console.error(
          `tpcvision: ${high.length} of ${summary.framesWritten} frames kept more than ${(100 * cfg.trigger.maxKeptFraction).toFixed(0)}% of the grid (up to ${(100 * worst).toFixed(1)}%; listed in summary.json highOccupancy): ` +
            `τ ${tau.toPrecision(4)} or the statistics ${o.stats} may not fit these frames${o.allowHighOccupancy ? '' : ` (exit code ${EXIT.highOccupancy}; --allow-high-occupancy to accept)`}`,
        );
        if (!o.allowHighOccupancy && !process.exitCode) process.exitCode = EXIT.highOccupancy;
      }
    });
}

/** 'FILE [frame i]: reason', the file named once (an InputError's message starts with it already). */
export function failureLine(f: { source: string; frameIndex: number | null; reason: string }): string {
  const label = f.frameIndex ? `${f.source} [frame ${f.frameIndex}]` : f.source;
  for (const prefix of [`${label}: `, `${f.source}: `]) if (f.reason.startsWith(prefix)) return `${label}: ${f.reason.slice(prefix.length)}`;
  return `${label}: ${f.reason}`;
}

function describe(summary: TriggerSummary, out: string, scoreName: string, tau: number): string {
  return (
    `${summary.framesWritten}/${summary.framesIn} frames written to ${out}${summary.framesResumed ? ` (${summary.framesResumed} by the earlier attempt)` : ''} with ${scoreName} τ = ${tau.toPrecision(4)}; ` +
    `kept ${(100 * summary.keptFractionAnalysis).toFixed(2)}% of the grid, ${summary.roisPerFrame.toFixed(2)} ROIs/frame; ` +
    `ms/frame: preprocess ${summary.msPerFrame.preprocess.toFixed(1)}, score ${summary.msPerFrame.score.toFixed(1)}, roi ${summary.msPerFrame.roi.toFixed(1)}`
  );
}
