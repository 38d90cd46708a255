/**
 * Calibration over files: score every held-out pedestal frame with each method, calibrate τ, and
 * derive the method's threshold sweep from the same pedestal scores (so every method's sweep spans
 * the same range of false-positive rates). The result is the calibration file that trigger and
 * evaluate read back.
 */
import { readFileSync } from 'node:fs';
import type { Frame } from '../core/frame.js';
import { ConfigError, InputError, UsageError } from '../core/errors.js';
import type { Progress } from '../core/progress.js';
import { silentProgress } from '../core/progress.js';
import { calibrationSchema, type CalibrationConfig, type PipelineConfig } from '../config/pipeline.js';
import { toolVersion } from '../core/version.js';
import { statsDigest, type PedestalStats } from '../preprocessing/pedestal-stats.js';
import { preprocessFrame } from '../preprocessing/preprocess.js';
import { prepareRawFrame } from '../preprocessing/raw-input.js';
import type { AnomalyScore } from '../scores/score.js';
import { calibrateThreshold, scoreQuantile, type Calibration } from './calibrate.js';

export interface MethodCalibration {
  name: string;
  /** Operating τ: calibrated on the whole grid. */
  tau: number;
  calibration: Calibration;
  sweepTaus: number[];
  /** A learned score's network (AnomalyScore.modelSha256): its τ holds for that model only. */
  modelSha256?: string;
}

export interface CalibrationFile {
  kind: 'tpcvision-calibration';
  version: 1;
  tool: { name: string; version: string };
  /** The pedestal statistics the τ belong to (statsDigest); absent in files written before it was recorded. */
  stats?: { sha256: string };
  methods: MethodCalibration[];
}

/**
 * Sweep thresholds: quantiles of pedestal scores at log-spaced exceedance fractions spanning
 * `exceedance` (calibration.sweepExceedance), each from at most about `samplePixels` pixels
 * (calibration.quantileSamplePixels).
 */
export function sweepTausFromPedestals(
  maps: Float32Array[],
  points: number,
  include: number[] = [],
  exceedance: [number, number] = calibrationSchema.parse({}).sweepExceedance,
  samplePixels: number = calibrationSchema.parse({}).quantileSamplePixels,
): number[] {
  const [lo, hi] = exceedance;
  if (!(lo < hi)) throw new ConfigError(`calibration.sweepExceedance: expected [low, high] with low < high, got [${lo}, ${hi}]`);
  const taus = new Set<number>(include);
  for (let i = 0; i < points; i++) {
    const exceed = Math.pow(10, Math.log10(lo) + (i * Math.log10(hi / lo)) / (points - 1));
    taus.add(scoreQuantile(maps, exceed, samplePixels));
  }
  return [...taus].filter(Number.isFinite).sort((a, b) => a - b);
}

/** Score maps of a set of frames (preprocessed with the frozen statistics), batched as the score prefers. */
export async function scoreFrames(
  frames: AsyncIterable<Frame> | Iterable<Frame>,
  stats: PedestalStats,
  score: AnomalyScore,
  progress: Progress = silentProgress,
): Promise<Float32Array[]> {
  const { analysisWidth: aw, analysisHeight: ah } = stats.config;
  const maps: Float32Array[] = [];
  let batch: Float32Array[] = [];
  const flush = async () => {
    if (batch.length) maps.push(...(await score.scoreBatch(batch, aw, ah)));
    progress.tick(batch.length);
    batch = [];
  };
  for await (const f of frames) {
    batch.push(preprocessFrame(stats.rawInput ? prepareRawFrame(f, stats.rawInput) : f, stats));
    if (batch.length >= score.batchSize) await flush();
  }
  await flush();
  return maps;
}

export async function calibrateMethod(
  frames: () => AsyncIterable<Frame>,
  stats: PedestalStats,
  score: AnomalyScore,
  closingRadius: number,
  cfg: CalibrationConfig,
  sweepPoints: number,
  progress: Progress = silentProgress,
): Promise<MethodCalibration> {
  progress.start(0, `calibrate ${score.name}`);
  const maps = await scoreFrames(frames(), stats, score, progress);
  progress.stop();
  const { analysisWidth: aw, analysisHeight: ah } = stats.config;
  const calibration = calibrateThreshold(maps, aw, ah, closingRadius, cfg);
  return {
    name: score.name,
    ...(score.modelSha256 ? { modelSha256: score.modelSha256 } : {}),
    tau: calibration.whole.tau,
    calibration,
    sweepTaus: sweepTausFromPedestals(maps, sweepPoints, [calibration.whole.tau], cfg.sweepExceedance, cfg.quantileSamplePixels),
  };
}

/**
 * The calibration file of several scores, each calibrated in turn on the same held-out frames
 * (`frames` is called once per score). `log` hears which score is being calibrated.
 */
export async function calibrateScores(
  frames: () => AsyncIterable<Frame>,
  stats: PedestalStats,
  scores: readonly AnomalyScore[],
  cfg: PipelineConfig,
  progress: Progress = silentProgress,
  log: (line: string) => void = () => {},
): Promise<CalibrationFile> {
  const file: CalibrationFile = { kind: 'tpcvision-calibration', version: 1, tool: { name: 'tpcvision', version: toolVersion() }, stats: { sha256: statsDigest(stats) }, methods: [] };
  for (const score of scores) {
    log(`calibrating ${score.name}`);
    file.methods.push(await calibrateMethod(frames, stats, score, cfg.roi.closingRadius, cfg.calibration, cfg.evaluation.sweepPoints, progress));
  }
  return file;
}

export function loadCalibrationFile(path: string): CalibrationFile {
  let raw: CalibrationFile;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new InputError(path, `cannot read calibration JSON: ${(err as Error).message}`);
  }
  if (raw.kind !== 'tpcvision-calibration' || !Array.isArray(raw.methods)) {
    throw new InputError(path, 'not a tpcvision calibration file (run `tpcvision calibrate` to make one)');
  }
  return raw;
}

/**
 * Refuses a calibration made for other pedestal statistics: its τ would be applied to maps normalised
 * differently (another camera, another run's pedestals). Names both files. Files without a record pass.
 */
export function checkCalibrationStats(file: CalibrationFile, stats: PedestalStats, calibrationPath: string, statsPath: string): void {
  const want = file.stats?.sha256;
  if (want === undefined) return;
  const have = statsDigest(stats);
  if (want !== have) {
    throw new InputError(calibrationPath, `was made with other pedestal statistics (sha256 ${want.slice(0, 12)}…) than ${statsPath} (${have.slice(0, 12)}…): calibrate again with these statistics, or give the ones it was made with`);
  }
}

/**
 * Refuses a learned score's τ calibrated for another network (a refined model's τ applied to another
 * model keeps several times the calibrated fraction). Names the calibration file and the model.
 */
export function checkCalibrationModel(m: MethodCalibration, score: { name: string; modelSha256?: string }, calibrationPath: string, modelDir: string | undefined): void {
  if (m.modelSha256 === undefined || score.modelSha256 === undefined || m.modelSha256 === score.modelSha256) return;
  throw new InputError(
    calibrationPath,
    `its τ for '${score.name}' was calibrated for another model (ONNX sha256 ${m.modelSha256.slice(0, 12)}…) than ${modelDir ?? 'the one given'} (${score.modelSha256.slice(0, 12)}…): calibrate this model, or give the model it was made for`,
  );
}

/**
 * Refuses an operating point the calibration cannot vouch for: a closing radius other than the one τ
 * was calibrated with (the retained fraction depends on it), or a τ below the lowest of the sweep
 * (where half of all pedestal pixels already exceed it: the trigger would keep most of the frame).
 */
export function checkOperatingPoint(m: MethodCalibration, at: { tau: number; closingRadius: number }, calibrationPath: string): void {
  const calibratedRadius = m.calibration.closingRadius;
  if (at.closingRadius !== calibratedRadius) {
    throw new UsageError(
      '--radius',
      `${at.closingRadius} differs from the closing radius ${calibratedRadius} that ${calibrationPath} calibrated '${m.name}' with: its τ keeps the calibrated fraction only there; use ${calibratedRadius}, or calibrate again with this radius`,
    );
  }
  const lowest = m.sweepTaus[0];
  if (lowest !== undefined && at.tau < lowest) {
    throw new UsageError(
      '--tau',
      `${at.tau} is below the lowest τ of ${calibrationPath}'s sweep for '${m.name}' (${lowest.toPrecision(4)}, which half of the pedestal pixels exceed): the trigger would keep most of every frame (calibrated τ ${m.tau.toPrecision(4)})`,
    );
  }
}

export function findMethod(file: CalibrationFile, name: string, source: string): MethodCalibration {
  const m = file.methods.find((x) => x.name === name);
  if (!m) {
    throw new InputError(source, `no calibration for score '${name}' (calibrated: ${file.methods.map((x) => x.name).join(', ')})`);
  }
  return m;
}
