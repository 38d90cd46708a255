/**
 * The classical ROI-trigger commands: pedestals (statistics), calibrate, trigger, evaluate. Each one
 * parses flags, resolves the configuration, calls one library function and prints a summary
 * (human sentence, or JSON with --json).
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { InputError } from '../core/errors.js';
import { writeJsonAtomic } from '../core/atomic-write.js';
import { toolVersion } from '../core/version.js';
import { listFrameFiles, readFrames } from '../io/frames.js';
import { fileSequence } from '../io/sequence.js';
import { computePedestalStats, loadPedestalStats, savePedestalStats, type PedestalStats } from '../preprocessing/index.js';
import { CLASSICAL_SCORES } from '../scores/classical.js';
import { buildScores } from '../scores/build.js';
import { calibrateMethod, findMethod, loadCalibrationFile, type CalibrationFile } from '../calibration/index.js';
import { runTrigger } from '../trigger/index.js';
import { dataRunFiles, dataSequence, evaluateRun, writeEvaluation, type MethodSpec } from '../evaluation/index.js';
import type { PipelineConfig } from '../config/pipeline.js';
import { defined, parseNumber, parseSize, pipelineConfig } from './config-options.js';
import { terminalProgress } from './progress-bar.js';

function collectFiles(inputs: string[]): string[] {
  const files = inputs.flatMap((p) => listFrameFiles(p));
  if (files.length === 0) throw new InputError(inputs.join(', '), 'no frame files found (.npy, .tif, .tiff)');
  return files;
}

function print(json: boolean, value: unknown, sentence: string): void {
  if (json) console.log(JSON.stringify(value, null, 2));
  else console.log(sentence);
}

/** Pipeline config for work on frames described by existing pedestal statistics. */
export function configForStats(stats: PedestalStats, configFile: string | undefined, flags: unknown): PipelineConfig {
  const cfg = pipelineConfig(stats.config.frameWidth, configFile, flags);
  return { ...cfg, preprocess: stats.config };
}

/** `--model name=dir` values → a map from score name to model directory. */
export function parseModels(values: string[] | undefined): Map<string, string> {
  const models = new Map<string, string>();
  for (const v of values ?? []) {
    const eq = v.indexOf('=');
    if (eq <= 0) throw new InputError('--model', `expected NAME=DIR (e.g. ae-refined=models/refined), got '${v}'`);
    models.set(v.slice(0, eq), v.slice(eq + 1));
  }
  return models;
}

export function registerPipelineCommands(program: Command): void {
  program
    .command('pedestals')
    .description('compute the pedestal statistics (mean, σ, extrema, crop) frozen for all later frames')
    .argument('<inputs...>', 'pedestal frame files or directories')
    .requiredOption('--out <dir>', 'directory for the statistics artefact')
    .option('--size <size>', 'frame size preset (full|half|quarter|eighth|<px>); default: from the first frame')
    .option('--extrema <mode>', "global extrema: 'minmax' (the paper) or 'percentile' (robust to hot pixels)")
    .option('--config <file>', 'JSON configuration overriding the defaults')
    .option('--json', 'print the result as JSON')
    .action(async (inputs: string[], o) => {
      const files = collectFiles(inputs);
      let size = o.size ? parseSize(o.size) : undefined;
      if (size === undefined) {
        const [first] = await readFrames(files[0]);
        if (first.width !== first.height && !o.config) {
          throw new InputError(files[0], `non-square ${first.width}×${first.height} frame: give the crop and grid with --config`);
        }
        size = first.width;
      }
      const cfg = pipelineConfig(size, o.config, defined({ preprocess: { extrema: o.extrema } }));
      const stats = await computePedestalStats(fileSequence(files), cfg.preprocess, terminalProgress(o.json));
      savePedestalStats(o.out, stats);
      print(
        o.json,
        { out: resolve(o.out), frames: stats.frameCount, extrema: stats.extrema, config: stats.config },
        `pedestal statistics of ${stats.frameCount} frames written to ${o.out} (extrema ${stats.extrema.min.toExponential(3)} … ${stats.extrema.max.toExponential(3)})`,
      );
    });

  program
    .command('calibrate')
    .description('find τ for a target fraction of pedestal pixels inside ROI masks (whole grid and border excluded)')
    .argument('<inputs...>', 'held-out pedestal frame files or directories')
    .requiredOption('--stats <dir>', 'pedestal statistics directory (tpcvision pedestals)')
    .requiredOption('--out <file>', 'calibration JSON to write')
    .option('--score <names...>', `scores to calibrate (${CLASSICAL_SCORES.join(', ')}, or all)`, ['all'])
    .option('--model <name=dir...>', 'add a trained autoencoder as a score (e.g. ae-refined=models/refined)')
    .option('--target <fraction>', 'target retained fraction (default 6.9e-3, the study at τ = 0.04)')
    .option('--border <px>', 'border excluded in the second calibration, analysis px')
    .option('--radius <px>', 'closing radius, analysis px')
    .option('--config <file>', 'JSON configuration overriding the defaults')
    .option('--json', 'print the result as JSON')
    .action(async (inputs: string[], o) => {
      const files = collectFiles(inputs);
      const stats = loadPedestalStats(o.stats);
      const cfg = configForStats(
        stats,
        o.config,
        defined({
          calibration: { targetFraction: parseNumber('--target', o.target), border: parseNumber('--border', o.border) },
          roi: { closingRadius: parseNumber('--radius', o.radius) },
        }),
      );
      const progress = terminalProgress(o.json);
      const file: CalibrationFile = { kind: 'tpcvision-calibration', version: 1, tool: { name: 'tpcvision', version: toolVersion() }, methods: [] };
      for (const score of await buildScores(o.score, parseModels(o.model), stats, cfg.score)) {
        file.methods.push(
          await calibrateMethod(fileSequence(files), stats, score, cfg.roi.closingRadius, cfg.calibration, cfg.evaluation.sweepPoints, progress),
        );
      }
      writeJsonAtomic(o.out, file);
      const lines = file.methods.map(
        (m) =>
          `${m.name.padEnd(16)} τ = ${m.tau.toPrecision(4)} → retained ${m.calibration.whole.fraction.toExponential(2)} (border excluded ${m.calibration.whole.interiorFraction.toExponential(2)}); ` +
          `interior-calibrated τ = ${m.calibration.interior.tau.toPrecision(4)} → ${m.calibration.interior.fraction.toExponential(2)} / ${m.calibration.interior.interiorFraction.toExponential(2)}`,
      );
      print(o.json, file, `calibrated on ${files.length} files, target ${cfg.calibration.targetFraction}:\n${lines.join('\n')}\nwritten to ${o.out}`);
    });

  program
    .command('trigger')
    .description('run the ROI trigger over a run: write each frame ROI-compressed (.roi) and a run summary')
    .argument('<inputs...>', 'frame files or directories')
    .requiredOption('--stats <dir>', 'pedestal statistics directory')
    .requiredOption('--out <dir>', 'output directory for .roi files and summary.json')
    .option('--score <name>', `anomaly score (${CLASSICAL_SCORES.join(', ')})`, 'gaussian')
    .option('--tau <value>', 'threshold τ (default: from --calibration, else 0.04)')
    .option('--calibration <file>', 'calibration JSON holding τ for the score')
    .option('--model <name=dir...>', 'a trained autoencoder usable as --score NAME')
    .option('--radius <px>', 'closing radius, analysis px')
    .option('--config <file>', 'JSON configuration overriding the defaults')
    .option('--json', 'print the summary as JSON')
    .action(async (inputs: string[], o) => {
      const files = collectFiles(inputs);
      const stats = loadPedestalStats(o.stats);
      const cfg = configForStats(stats, o.config, defined({ roi: { closingRadius: parseNumber('--radius', o.radius), tau: parseNumber('--tau', o.tau) } }));
      let tau = cfg.roi.tau;
      if (o.tau === undefined && o.calibration) tau = findMethod(loadCalibrationFile(o.calibration), o.score, o.calibration).tau;
      const [score] = await buildScores([o.score], parseModels(o.model), stats, cfg.score);
      const summary = await runTrigger({
        inputs: files,
        outDir: o.out,
        stats,
        score,
        tau,
        closingRadius: cfg.roi.closingRadius,
        progress: terminalProgress(o.json),
        provenance: { config: cfg },
      });
      print(
        o.json,
        summary,
        `${summary.framesWritten}/${summary.framesIn} frames written to ${o.out} with ${score.name} τ = ${tau.toPrecision(4)}; ` +
          `kept ${(100 * summary.keptFractionAnalysis).toFixed(2)}% of the grid, ${summary.roisPerFrame.toFixed(2)} ROIs/frame; ` +
          `ms/frame: preprocess ${summary.msPerFrame.preprocess.toFixed(1)}, score ${summary.msPerFrame.score.toFixed(1)}, roi ${summary.msPerFrame.roi.toFixed(1)}` +
          (summary.failed.length ? `\n${summary.failed.length} frames failed:\n${summary.failed.map((f) => `  ${f.source}: ${f.reason}`).join('\n')}` : ''),
      );
      if (summary.failed.length) process.exitCode = 3;
    });

  program
    .command('evaluate')
    .description('per-event evaluation on a data run with truth: coverage, area cut, sweeps, coverage vs energy, report')
    .argument('<data>', 'data run directory (frames with .truth.json beside them)')
    .requiredOption('--stats <dir>', 'pedestal statistics directory')
    .requiredOption('--calibration <file>', 'calibration JSON (tpcvision calibrate)')
    .requiredOption('--out <dir>', 'output directory (evaluation.json, events.csv, report.html)')
    .option('--score <names...>', 'scores to evaluate (default: all calibrated)')
    .option('--model <name=dir...>', 'trained autoencoders to evaluate as scores NAME')
    .option('--no-report', 'skip the HTML report')
    .option('--config <file>', 'JSON configuration overriding the defaults')
    .option('--json', 'print the summary as JSON')
    .action(async (data: string, o) => {
      const stats = loadPedestalStats(o.stats);
      const cfg = configForStats(stats, o.config, {});
      const calib = loadCalibrationFile(o.calibration);
      const names: string[] = o.score ?? calib.methods.map((m) => m.name);
      const methods: MethodSpec[] = (await buildScores(names, parseModels(o.model), stats, cfg.score)).map((score) => {
        const m = findMethod(calib, score.name, o.calibration);
        return { score, tau: m.tau, sweepTaus: m.sweepTaus, calibration: m.calibration };
      });
      const files = dataRunFiles(data);
      const result = await evaluateRun({ data: dataSequence(files), stats, methods, config: cfg, progress: terminalProgress(o.json), totalFrames: files.length });
      const provenance = { tool: 'tpcvision', version: toolVersion(), data: resolve(data), stats: resolve(o.stats), calibration: resolve(o.calibration), config: cfg };
      writeEvaluation(o.out, result, provenance);
      if (o.report) {
        const { writeReport } = await import('../report/index.js');
        await writeReport(resolve(o.out, 'report.html'), {
          title: `tpcvision evaluation of ${data}`,
          evaluation: result,
          provenance: { tool: 'tpcvision', version: toolVersion(), command: process.argv.slice(2).join(' '), config: cfg },
        });
      }
      print(o.json, { out: resolve(o.out), methods: result.methods.map(({ sweep: _s, ...m }) => m) }, summaryTable(result.methods) + `\nwritten to ${o.out}`);
    });
}

export function summaryTable(methods: { name: string; tau: number; meanCoverage: number; meanAreaCut: number; coverageAtReferenceCut: number | null; events: number }[]): string {
  const head = 'method           τ          coverage  area cut  cov@97.8%  events';
  const rows = methods.map(
    (m) =>
      `${m.name.padEnd(16)} ${m.tau.toPrecision(4).padEnd(10)} ${(100 * m.meanCoverage).toFixed(1).padStart(7)}%  ${(100 * m.meanAreaCut).toFixed(2).padStart(7)}%  ${
        m.coverageAtReferenceCut === null ? '      –' : (100 * m.coverageAtReferenceCut).toFixed(1).padStart(7) + '%'
      }  ${String(m.events).padStart(6)}`,
  );
  return [head, ...rows].join('\n');
}
