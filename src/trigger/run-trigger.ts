/**
 * The trigger: the main job. Over a run of frame files, each frame is read, preprocessed with the
 * frozen pedestal statistics, scored, thresholded at τ, closed, mapped back to raw pixels, split
 * into ROIs and written in ROI-compressed form. Every input frame is accounted for: a frame that
 * cannot be processed (unreadable file, wrong size, NaN) is listed with its reason and the run goes on.
 */
import { join } from 'node:path';
import type { Frame } from '../core/frame.js';
import { errorMessage } from '../core/errors.js';
import type { Progress } from '../core/progress.js';
import { silentProgress } from '../core/progress.js';
import { ensureWritableDir, writeJsonAtomic } from '../core/atomic-write.js';
import { toolVersion } from '../core/version.js';
import { readFrames, type SkippedEntry } from '../io/frames.js';
import type { PedestalStats } from '../preprocessing/pedestal-stats.js';
import { frameLabel } from '../preprocessing/check-raw-frame.js';
import { preprocessFrame, signalCounts } from '../preprocessing/preprocess.js';
import type { AnomalyScore } from '../scores/score.js';
import { countOn, extractRois } from '../roi/extract.js';
import { writeRoiFrame } from '../roi/compress.js';
import { rawMaskMapping } from './raw-mask.js';
import { claimRunDirectory, commonFolder, OutputNames, outputName } from './run-dir.js';

export interface TriggerOptions {
  inputs: string[];
  outDir: string;
  stats: PedestalStats;
  score: AnomalyScore;
  tau: number;
  closingRadius: number;
  progress?: Progress;
  /** Extra provenance stamped into every .roi file and the summary (config, seed, command …). */
  provenance?: Record<string, unknown>;
  /** Input directory entries not read (io/frames.ts scanFrameDirectory), carried into the summary. */
  skipped?: SkippedEntry[];
  /** Frames keeping more of the analysis grid than this are listed in summary.highOccupancy (config trigger.maxKeptFraction). */
  maxKeptFraction?: number;
  /** Replace an earlier run's output in outDir (its .roi files and summary.json); otherwise such a directory is refused. */
  overwrite?: boolean;
  warn?: (line: string) => void;
}

/** One written frame in the summary. */
export interface FrameRecord {
  source: string;
  frameIndex: number;
  output: string;
  /** Fraction of the analysis grid inside ROI masks (1 − area cut), and of raw pixels stored. */
  keptFractionAnalysis: number;
  keptFractionRaw: number;
  rois: number;
}

export interface StageTimes {
  read: number;
  preprocess: number;
  score: number;
  roi: number;
  write: number;
}

export interface TriggerSummary {
  tool: { name: string; version: string };
  score: string;
  tau: number;
  closingRadius: number;
  framesIn: number;
  framesWritten: number;
  failed: { source: string; reason: string }[];
  /** Input entries that held no frame to process, with the reason: non-frame files, subdirectories, broken links, empty stacks. */
  skipped: SkippedEntry[];
  /** Every written frame with its kept fractions and ROI count. */
  frames: FrameRecord[];
  /** The limit and the frames above it (a τ or statistics that do not fit the data, or a broken frame). */
  maxKeptFraction: number | null;
  highOccupancy: { source: string; frameIndex: number; keptFractionAnalysis: number }[];
  /** Mean fraction of the analysis grid inside ROI masks (1 − area cut). */
  keptFractionAnalysis: number;
  /** Mean fraction of raw pixels stored. */
  keptFractionRaw: number;
  roisPerFrame: number;
  /** Mean wall-clock milliseconds per written frame and stage. */
  msPerFrame: StageTimes;
  outputs: string[];
  provenance: Record<string, unknown>;
}

/** One frame through the chain, with what the run summary needs of it. */
interface FrameResult {
  source: string;
  frameIndex: number;
  out: string;
  keptAnalysis: number;
  keptRaw: number;
  rois: number;
}

/** What stays the same for every frame of a run. */
interface RunContext {
  opts: TriggerOptions;
  toRaw: ReturnType<typeof rawMaskMapping>;
  times: StageTimes;
}

/**
 * 1. preprocess with the frozen statistics, 2. score, 3. form the ROIs (mask mapped to the raw grid,
 * intensities in counts), 4. write the `.roi` file. Each stage's time is added to `ctx.times`.
 */
async function triggerFrame(frame: Frame, source: string, frameIndex: number, out: string, ctx: RunContext): Promise<FrameResult> {
  const { opts, times } = ctx;
  const { analysisWidth: aw, analysisHeight: ah } = opts.stats.config;
  let t = performance.now();
  const map = preprocessFrame(frame, opts.stats);
  times.preprocess += performance.now() - t;

  t = performance.now();
  const [score] = await opts.score.scoreBatch([map], aw, ah);
  times.score += performance.now() - t;

  t = performance.now();
  // counts only inside the ROIs: the rest of the frame is never summed
  const intensity = (inRoi: Uint8Array) => signalCounts(frame, opts.stats, 'frame', inRoi);
  const roi = extractRois(score, intensity, aw, ah, { tau: opts.tau, closingRadius: opts.closingRadius, labelGrid: ctx.toRaw });
  const raw = roi.labelMask;
  times.roi += performance.now() - t;

  t = performance.now();
  writeRoiFrame(out, frame.data, frame.width, frame.height, raw, {
    rois: roi.rois,
    meta: { source, frameIndex, score: opts.score.name, tau: opts.tau, tool: `tpcvision ${toolVersion()}`, ...opts.provenance },
  });
  times.write += performance.now() - t;
  return { source, frameIndex, out, keptAnalysis: roi.keptFraction, keptRaw: countOn(raw) / raw.length, rois: roi.rois.length };
}

export async function runTrigger(opts: TriggerOptions): Promise<TriggerSummary> {
  ensureWritableDir(opts.outDir); // before the first frame: an unwritable --out is found now, not after the run
  const release = claimRunDirectory(opts.outDir, { overwrite: opts.overwrite, warn: opts.warn });
  try {
    return await triggerRun(opts);
  } finally {
    release();
  }
}

async function triggerRun(opts: TriggerOptions): Promise<TriggerSummary> {
  const progress = opts.progress ?? silentProgress;
  const ctx: RunContext = { opts, toRaw: rawMaskMapping(opts.stats.config), times: { read: 0, preprocess: 0, score: 0, roi: 0, write: 0 } };
  const root = commonFolder(opts.inputs);
  const names = new OutputNames();
  const failed: TriggerSummary['failed'] = [];
  const skipped: SkippedEntry[] = [...(opts.skipped ?? [])];
  const done: FrameResult[] = [];
  let framesIn = 0;

  progress.start(opts.inputs.length, 'trigger');
  for (const path of opts.inputs) {
    const t = performance.now();
    let frames: Frame[];
    try {
      frames = await readFrames(path);
    } catch (err) {
      framesIn++; // an unreadable file counts as one lost frame: its frame count is unknown
      failed.push({ source: path, reason: errorMessage(err) });
      progress.tick();
      continue;
    }
    ctx.times.read += performance.now() - t;
    if (frames.length === 0) skipped.push({ path, reason: 'holds no frames (an empty stack)' });
    for (let i = 0; i < frames.length; i++) {
      framesIn++;
      try {
        const name = outputName(root, path, i, frames.length);
        names.claim(name, frames.length > 1 ? `${path} frame ${i}` : path);
        done.push(await triggerFrame(frames[i], path, i, join(opts.outDir, name), ctx));
      } catch (err) {
        failed.push({ source: frameLabel(frames[i]), reason: errorMessage(err) });
      }
    }
    progress.tick();
  }
  progress.stop();

  const summary = summarise(opts, framesIn, done, failed, skipped, ctx.times);
  writeJsonAtomic(join(opts.outDir, 'summary.json'), summary);
  return summary;
}

/** Means over the written frames (per frame: kept fractions, ROIs, stage times). */
function summarise(opts: TriggerOptions, framesIn: number, done: FrameResult[], failed: TriggerSummary['failed'], skipped: SkippedEntry[], times: StageTimes): TriggerSummary {
  const n = Math.max(1, done.length);
  const mean = (f: (r: FrameResult) => number) => done.reduce((s, r) => s + f(r), 0) / n;
  return {
    tool: { name: 'tpcvision', version: toolVersion() },
    score: opts.score.name,
    tau: opts.tau,
    closingRadius: opts.closingRadius,
    framesIn,
    framesWritten: done.length,
    failed,
    skipped,
    keptFractionAnalysis: mean((r) => r.keptAnalysis),
    keptFractionRaw: mean((r) => r.keptRaw),
    roisPerFrame: mean((r) => r.rois),
    msPerFrame: {
      read: times.read / n,
      preprocess: times.preprocess / n,
      score: times.score / n,
      roi: times.roi / n,
      write: times.write / n,
    },
    outputs: done.map((r) => r.out),
    frames: done.map((r) => ({ source: r.source, frameIndex: r.frameIndex, output: r.out, keptFractionAnalysis: r.keptAnalysis, keptFractionRaw: r.keptRaw, rois: r.rois })),
    maxKeptFraction: opts.maxKeptFraction ?? null,
    highOccupancy: done.filter((r) => opts.maxKeptFraction !== undefined && r.keptAnalysis > opts.maxKeptFraction).map((r) => ({ source: r.source, frameIndex: r.frameIndex, keptFractionAnalysis: r.keptAnalysis })),
    provenance: opts.provenance ?? {},
  };
}
