/**
 * A trigger study: one simulated LIME run taken through the whole chain, every method on the same
 * events. simulate → pedestal statistics (training pedestals) → train both autoencoders → calibrate
 * every score (held-out pedestals) → trigger (the main job, Gaussian score) → evaluate all scores per
 * event → report. The demo is a small study; bench/trigger-quality runs larger ones on two noise
 * models. Every step is the library function the matching CLI command calls.
 */
import { join, resolve } from 'node:path';
import type { Progress } from '../core/progress.js';
import { silentProgress } from '../core/progress.js';
import { toolVersion } from '../core/version.js';
import { listFrameFiles } from '../io/frames.js';
import { fileSequence } from '../io/sequence.js';
import { presetForSize, resolvePipelineConfig, type PipelineConfig } from '../config/pipeline.js';
import { mergeConfig } from '../config/resolve.js';
import { resolveLimeConfig } from '../config/lime.js';
import { TRIGGER_STUDY_DEFAULTS } from '../config/demo.js';
import { simulateLimeRun } from '../simulation/lime/run.js';
import { computePedestalStats, savePedestalStats, type PedestalStats } from '../preprocessing/index.js';
import { loadPedestalStats } from '../preprocessing/stats-artefact.js';
import { buildScores, ALL_SCORES } from '../scores/build.js';
import { calibrateScores } from '../calibration/index.js';
import { writeJsonAtomic } from '../core/atomic-write.js';
import { runTrigger, type TriggerSummary } from '../trigger/index.js';
import { dataRunFiles, dataSequence, evaluateRun, writeEvaluation, type EvaluationResult, type MethodSpec } from '../evaluation/index.js';
import { renderLineChart, writeReport, type LineSeries, type ReportSection } from '../report/index.js';
import { resolveTrainingConfig } from '../config/training.js';
import { trainModelFromFrames } from '../training/train-run.js';

export interface StudyOptions {
  outDir: string;
  seed: number;
  /** Raw frame size, px; this and the other run sizes default to config/demo.ts's triggerStudySchema. */
  size?: number;
  trainingPedestals?: number;
  calibrationPedestals?: number;
  events?: number;
  /** Mean events per frame; undefined = the simulator's physical density. */
  eventsPerFrame?: number;
  /** Noise model of the simulated camera. */
  noise?: 'structured' | 'independent';
  /** Epochs of each autoencoder training; 0 skips them. */
  autoencoderEpochs?: number;
  /** Seed of the simulated camera's fixed pattern (lime.ts camera.seed); default the study's seed. */
  cameraSeed?: number;
  /** Seed of the runs' state (lime.ts runs.seed: their hot pixels); with an earlier study's seed, new frames of that run. */
  runSeed?: number;
  /**
   * Frozen pedestal statistics to use instead of computing them from training pedestals (a stats/
   * directory, e.g. a trained model's): with trainingPedestals 0, the study simulates only held-out
   * pedestals and events.
   */
  statsDir?: string;
  /** Trained autoencoders evaluated beside the classical scores (after any the study trains): name → model directory. */
  models?: ReadonlyMap<string, string>;
  /** Points of each method's threshold sweep (default: the evaluation config's). */
  sweepPoints?: number;
  title?: string;
  /** Sections other capabilities add to the report (e.g. overlap separation). */
  extraSections?: ReportSection[];
  /** Entries other capabilities add to evaluation.json (e.g. { oasis: [...] }). */
  evaluationExtras?: Record<string, unknown>;
  progress?: Progress;
  log?: (line: string) => void;
}

export interface StudyResult {
  outDir: string;
  report: string;
  evaluation: EvaluationResult;
  trigger: TriggerSummary;
  /** Seconds per autoencoder training, by method name. */
  trainingSeconds: Record<string, number>;
  seconds: number;
}

type Settings = typeof TRIGGER_STUDY_DEFAULTS & ReturnType<typeof stripUndefined<StudyOptions>> & { seed: number };
type Log = (line: string) => void;

export async function runTriggerStudy(opts: StudyOptions): Promise<StudyResult> {
  const t0 = performance.now();
  const progress = opts.progress ?? silentProgress;
  const log = opts.log ?? (() => {});
  const o: Settings = { ...TRIGGER_STUDY_DEFAULTS, ...stripUndefined(opts), seed: opts.seed };
  const out = resolve(opts.outDir);

  // 1. simulate
  const { lime, training, heldOut, dataFiles } = await simulate(o, join(out, 'sim'), progress, log);

  // 2. frozen pedestal statistics
  const cfg: PipelineConfig = resolvePipelineConfig(
    mergeConfig(presetForSize(o.size), o.sweepPoints ? { evaluation: { sweepPoints: o.sweepPoints } } : {}),
    'study',
  );
  let stats: PedestalStats;
  if (o.statsDir) {
    log(`pedestal statistics from ${o.statsDir}`);
    stats = loadPedestalStats(o.statsDir);
  } else {
    log(`pedestal statistics from ${training.length} frames`);
    stats = await computePedestalStats(fileSequence(training), cfg.preprocess, progress);
  }
  savePedestalStats(join(out, 'stats'), stats);

  // 3. the two autoencoders, trained on the same training pedestals (few epochs: a demo)
  const trained = await trainAutoencoders(o, training, stats, join(out, 'models'), progress, log);
  for (const [name, dir] of opts.models ?? []) trained.models.set(name, dir);
  // the classical scores, then the autoencoders in training order, then the given ones
  const scores = await buildScores([ALL_SCORES], trained.models, stats, cfg.score);

  // 4. calibrate every score on the held-out pedestals
  const calibration = await calibrateScores(fileSequence(heldOut), stats, scores, cfg, progress, (line) => log(`${line} on ${heldOut.length} held-out pedestals`));
  writeJsonAtomic(join(out, 'calibration.json'), calibration);

  // 5. the trigger on the data run (Gaussian score, the paper's baseline)
  const gauss = calibration.methods[0];
  log(`trigger (${gauss.name}, τ = ${gauss.tau.toPrecision(4)}) on ${dataFiles.length} data frames`);
  const trigger = await runTrigger({
    inputs: dataFiles,
    outDir: join(out, 'trigger'),
    stats,
    score: scores[0],
    tau: gauss.tau,
    closingRadius: cfg.roi.closingRadius,
    progress,
    provenance: { seed: o.seed },
    overwrite: true, // the study owns its directory: a rerun replaces its own earlier trigger output
  });

  // 6. evaluate all scores on the same events, write results and the report
  log('evaluating all scores per event');
  const methods: MethodSpec[] = scores.map((score, i) => ({
    score,
    tau: calibration.methods[i].tau,
    sweepTaus: calibration.methods[i].sweepTaus,
    calibration: calibration.methods[i].calibration,
  }));
  const evaluation = await evaluateRun({ data: dataSequence(dataFiles), stats, methods, config: cfg, progress, totalFrames: dataFiles.length });
  const { extraSections: _sections, evaluationExtras: _extras, progress: _progress, log: _log, models: givenModels, ...settings } = o;
  const provenance = { tool: 'tpcvision', version: toolVersion(), seed: o.seed, study: { ...settings, models: givenModels ? Object.fromEntries(givenModels) : undefined }, config: cfg, simulation: lime };
  writeEvaluation(out, evaluation, provenance, opts.evaluationExtras);
  for (const s of scores) await s.dispose?.();
  const report = join(out, 'report.html');
  await writeStudyReport(report, o, cfg, evaluation, trained.lossCurves, opts.extraSections ?? []);
  return { outDir: out, report, evaluation, trigger, trainingSeconds: trained.seconds, seconds: (performance.now() - t0) / 1000 };
}

/** The simulated LIME run: pedestals split into training and held-out ones, and the data frames. */
async function simulate(o: Settings, simDir: string, progress: Progress, log: Log) {
  log(`simulating ${o.trainingPedestals + o.calibrationPedestals} pedestal frames and ${o.events} events on ${o.size}² frames (seed ${o.seed})`);
  const lime = resolveLimeConfig({ noise: o.noise, camera: { width: o.size, height: o.size, seed: o.cameraSeed ?? null }, runs: { seed: o.runSeed ?? null }, events: { perFrame: o.eventsPerFrame } }, 'study');
  await simulateLimeRun({
    config: lime,
    outDir: simDir,
    pedestals: o.trainingPedestals + o.calibrationPedestals,
    events: o.events,
    seed: o.seed,
    progress,
  });
  const pedestals = listFrameFiles(join(simDir, 'pedestals'));
  return {
    lime,
    training: pedestals.slice(0, o.trainingPedestals),
    heldOut: pedestals.slice(o.trainingPedestals),
    dataFiles: dataRunFiles(join(simDir, 'data')),
  };
}

/** Baseline and refined autoencoders on the same pedestals: model directories, loss curves, seconds. */
async function trainAutoencoders(o: Settings, training: string[], stats: PedestalStats, modelsDir: string, progress: Progress, log: Log) {
  const models = new Map<string, string>();
  const lossCurves: LineSeries[] = [];
  const seconds: Record<string, number> = {};
  for (const mode of o.autoencoderEpochs > 0 ? (['baseline', 'refined'] as const) : []) {
    const name = `ae-${mode}`;
    const dir = join(modelsDir, name);
    log(`training ${name} for ${o.autoencoderEpochs} epochs on ${training.length} pedestals`);
    const t0 = performance.now();
    const run = await trainModelFromFrames({
      frames: fileSequence(training),
      stats,
      training: resolveTrainingConfig({ mode, epochs: o.autoencoderEpochs }),
      seed: o.seed,
      outDir: dir,
      progress,
      log: (l) => log(`  ${name}: ${l}`),
    });
    seconds[name] = (performance.now() - t0) / 1000;
    lossCurves.push({ name: `${name} train`, points: run.state.history.map((h) => ({ x: h.epoch + 1, y: h.trainLoss })) });
    lossCurves.push({ name: `${name} validation`, points: run.state.history.map((h) => ({ x: h.epoch + 1, y: h.valLoss })) });
    models.set(name, dir);
  }
  return { models, lossCurves, seconds };
}

/** The HTML report: the evaluation, the autoencoders' loss curves, then sections other capabilities add. */
async function writeStudyReport(path: string, o: Settings, cfg: PipelineConfig, evaluation: EvaluationResult, lossCurves: LineSeries[], more: ReportSection[]): Promise<void> {
  const extraSections: ReportSection[] = lossCurves.length
    ? [{ title: 'Autoencoder training', html: await renderLineChart({ series: lossCurves, xTitle: 'epoch', yTitle: 'loss', logY: true, title: 'training and validation loss' }) }]
    : [];
  extraSections.push(...more);
  await writeReport(path, {
    title: o.title ?? `tpcvision trigger study — simulated LIME run (${o.size}² frames, ${o.noise} noise, seed ${o.seed})`,
    evaluation,
    extraSections,
    provenance: { tool: 'tpcvision', version: toolVersion(), seed: o.seed, command: o.title ?? 'trigger study', config: cfg },
  });
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
