/**
 * `tpcvision evaluate`: per-event evaluation of calibrated scores on a data run with truth; writes
 * evaluation.json and events.csv, and the HTML report unless --no-report.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { toolVersion } from '../../core/version.js';
import { loadPedestalStats, type PedestalStats } from '../../preprocessing/index.js';
import { checkCalibrationModel, checkCalibrationStats, findMethod, loadCalibrationFile } from '../../calibration/index.js';
import { dataRunFiles, dataSequence, evaluateRun, writeEvaluation, type MethodSpec } from '../../evaluation/index.js';
import type { PipelineConfig } from '../../config/pipeline.js';
import { checkScoreNames, configForStats, parseModels } from '../config-options.js';
import { print, summaryTable } from '../output.js';
import { terminalProgress } from '../progress-bar.js';
import { buildScores, isClassicalScore } from '../../scores/build.js';
import { UsageError } from '../../core/errors.js';

interface EvaluateFlags {
  stats: string;
  calibration: string;
  out: string;
  score?: string[];
  model?: string[];
  report: boolean;
  config?: string;
  json?: boolean;
}

type Evaluation = Awaited<ReturnType<typeof evaluateRun>>;

export function registerEvaluate(program: Command): Command {
  return program
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
    .action(async (data: string, o: EvaluateFlags) => {
      const models = parseModels(o.model);
      if (o.score) checkScoreNames(o.score, models, true);
      const stats = loadPedestalStats(o.stats);
      const cfg = configForStats(stats, o.config, {});
      const methods = await calibratedMethods(o, models, stats, cfg);
      const files = dataRunFiles(data);
      const result = await evaluateRun({ data: dataSequence(files), stats, methods, config: cfg, progress: terminalProgress(o.json), totalFrames: files.length });
      await writeOutputs(data, o, result, cfg);
      print(Boolean(o.json), { out: resolve(o.out), methods: result.methods.map(({ sweep: _s, ...m }) => m) }, summaryTable(result.methods) + `\nwritten to ${o.out}`);
    });
}

/** The scores to evaluate (default: every calibrated one), each with its τ and sweep from the calibration file. */
async function calibratedMethods(o: EvaluateFlags, models: Map<string, string>, stats: PedestalStats, cfg: PipelineConfig): Promise<MethodSpec[]> {
  const calib = loadCalibrationFile(o.calibration);
  checkCalibrationStats(calib, stats, o.calibration, o.stats);
  const names: string[] = o.score ?? calib.methods.map((m) => m.name);
  const needModels = names.filter((n) => !isClassicalScore(n) && !models.has(n));
  if (!o.score && needModels.length) {
    // the default is every calibrated score: a calibrated autoencoder needs its model directory
    throw new UsageError(
      '--model',
      `${o.calibration} calibrates ${needModels.map((n) => `'${n}'`).join(', ')}, trained models: give each with --model NAME=DIR (e.g. --model ${needModels[0]}=runs/demo/models/${needModels[0]}), or choose scores with --score (calibrated: ${calib.methods.map((m) => m.name).join(', ')})`,
    );
  }
  return (await buildScores(names, models, stats, cfg.score)).map((score) => {
    const m = findMethod(calib, score.name, o.calibration);
    checkCalibrationModel(m, score, o.calibration, models.get(score.name));
    return { score, tau: m.tau, sweepTaus: m.sweepTaus, calibration: m.calibration };
  });
}

/** evaluation.json and events.csv with their provenance, then the report (loaded on demand: vega is slow to import). */
async function writeOutputs(data: string, o: EvaluateFlags, result: Evaluation, cfg: PipelineConfig): Promise<void> {
  const provenance = { tool: 'tpcvision', version: toolVersion(), data: resolve(data), stats: resolve(o.stats), calibration: resolve(o.calibration), config: cfg };
  writeEvaluation(o.out, result, provenance);
  if (!o.report) return;
  const { writeReport } = await import('../../report/index.js');
  await writeReport(resolve(o.out, 'report.html'), {
    title: `tpcvision evaluation of ${data}`,
    evaluation: result,
    provenance: { tool: 'tpcvision', version: toolVersion(), command: process.argv.slice(2).join(' '), config: cfg },
  });
}
