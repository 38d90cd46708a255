/**
 * The trigger: the main job. Over a run of frame files, each frame is read, preprocessed with the
 * frozen pedestal statistics, scored, thresholded at τ, closed, mapped back to raw pixels, split
 * into ROIs and written in ROI-compressed form. Every input frame is accounted for: a frame that
 * cannot be processed (unreadable file, wrong size, NaN, the missing end of a cut-short stack) is
 * listed with its reason and the run goes on. Each finished frame is journalled (journal.ts) as it
 * completes, so a killed run can be resumed: frames already written, and still intact, are kept.
 */
import { join } from 'node:path';
import type { Frame } from '../core/frame.js';
import { errorMessage } from '../core/errors.js';
import type { Progress } from '../core/progress.js';
import { silentProgress } from '../core/progress.js';
import { ensureWritableDir, writeJsonAtomic } from '../core/atomic-write.js';
import { toolVersion } from '../core/version.js';
import { InputError } from '../core/errors.js';
import { isStreamedFrameFile, iterateFrames, openFrameSource, type FrameSource, type SkippedEntry } from '../io/frames.js';
import { statsDigest, type PedestalStats } from '../preprocessing/pedestal-stats.js';
import { preprocessFrame, signalCounts } from '../preprocessing/preprocess.js';
import { prepareRawFrame } from '../preprocessing/raw-input.js';
import { checkNotFlat } from '../preprocessing/check-raw-frame.js';
import type { AnomalyScore } from '../scores/score.js';
import { countOn, extractRois } from '../roi/extract.js';
import { readRoiFrame, writeRoiFrame } from '../roi/compress.js';
import { rawMaskMapping } from './raw-mask.js';
import { claimRunDirectory, commonFolder, eventOutputName, holdsRunOutput, OutputNames, outputName } from './run-dir.js';
import { finishedFrames, frameKey, identityDifferences, Journal, readJournal, type JournalFrame, type RunIdentity, type StageTimes } from './journal.js';

export type { StageTimes } from './journal.js';

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
  /** Replace an earlier run's output in outDir (its .roi files, summary.json and journal); otherwise such a directory is refused. */
  overwrite?: boolean;
  /** Continue the run journalled in outDir: its frames whose .roi is intact are kept, the rest processed. */
  resume?: boolean;
  /** sha256 of the calibration file τ came from, and of the model directory of an autoencoder score (provenance, and a resume's identity). */
  calibrationSha256?: string | null;
  modelSha256?: string | null;
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

export interface TriggerSummary {
  tool: { name: string; version: string };
  score: string;
  tau: number;
  closingRadius: number;
  framesIn: number;
  framesWritten: number;
  /** Of framesWritten, those an earlier attempt wrote (--resume) and were found intact. */
  framesResumed: number;
  failed: { source: string; frameIndex: number | null; reason: string }[];
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

/** What stays the same for every frame of a run. */
interface RunContext {
  opts: TriggerOptions;
  toRaw: ReturnType<typeof rawMaskMapping>;
  provenance: Record<string, unknown>;
}

/**
 * 1. preprocess with the frozen statistics, 2. score, 3. form the ROIs (mask mapped to the raw grid,
 * intensities in counts), 4. write the `.roi` file. Returns the journal's record of the frame.
 */
async function triggerFrame(input: Frame, at: { source: string; frameIndex: number; framesInFile: number; output: string; readMs: number }, ctx: RunContext): Promise<JournalFrame> {
  const { opts } = ctx;
  // dark subtracted and binned as the statistics were (config darkFrame, bin): the .roi keeps these pixels
  const frame = opts.stats.rawInput ? prepareRawFrame(input, opts.stats.rawInput) : input;
  const { analysisWidth: aw, analysisHeight: ah } = opts.stats.config;
  const ms: StageTimes = { read: at.readMs, preprocess: 0, score: 0, roi: 0, write: 0 };
  let t = performance.now();
  const map = preprocessFrame(frame, opts.stats); // checks size and finite pixels first
  checkNotFlat(frame);
  ms.preprocess = performance.now() - t;

  t = performance.now();
  const [score] = await opts.score.scoreBatch([map], aw, ah);
  ms.score = performance.now() - t;

  t = performance.now();
  // counts only inside the ROIs: the rest of the frame is never summed
  const intensity = (inRoi: Uint8Array) => signalCounts(frame, opts.stats, 'frame', inRoi);
  const roi = extractRois(score, intensity, aw, ah, { tau: opts.tau, closingRadius: opts.closingRadius, labelGrid: ctx.toRaw });
  const raw = roi.labelMask;
  ms.roi = performance.now() - t;

  t = performance.now();
  writeRoiFrame(join(opts.outDir, at.output), frame.data, frame.width, frame.height, raw, {
    rois: roi.rois,
    meta: { source: at.source, frameIndex: at.frameIndex, score: opts.score.name, tau: opts.tau, tool: `tpcvision ${toolVersion()}`, ...ctx.provenance },
  });
  ms.write = performance.now() - t;
  return { kind: 'frame', source: at.source, frameIndex: at.frameIndex, framesInFile: at.framesInFile, output: at.output, keptFractionAnalysis: roi.keptFraction, keptFractionRaw: countOn(raw) / raw.length, rois: roi.rois.length, ms };
}

export async function runTrigger(opts: TriggerOptions): Promise<TriggerSummary> {
  ensureWritableDir(opts.outDir); // before the first frame: an unwritable --out is found now, not after the run
  const release = claimRunDirectory(opts.outDir, { overwrite: opts.overwrite, resume: opts.resume, warn: opts.warn });
  try {
    return await triggerRun(opts);
  } finally {
    release();
  }
}

/** This run's identity: a resumed run must match the journalled one in all of it. */
function runIdentity(opts: TriggerOptions): RunIdentity {
  return { score: opts.score.name, tau: opts.tau, closingRadius: opts.closingRadius, statsSha256: statsDigest(opts.stats), calibrationSha256: opts.calibrationSha256 ?? null, modelSha256: opts.modelSha256 ?? null };
}

/**
 * The frames an earlier attempt finished, when resuming: refuses a directory whose journal was made
 * with other settings (naming them) or whose output has no journal; says when there is nothing to resume.
 */
function earlierFrames(opts: TriggerOptions, identity: RunIdentity): Map<string, JournalFrame> {
  if (!opts.resume) return new Map();
  const { lines, torn } = readJournal(opts.outDir);
  if (torn) opts.warn?.(`${opts.outDir}: the journal's last line was cut short (the run was killed while writing it); that frame is processed again`);
  const { identity: earlier, frames } = finishedFrames(lines);
  if (earlier === null) {
    if (holdsRunOutput(opts.outDir)) throw new InputError(opts.outDir, 'holds output without a run journal (an older tpcvision, or not a trigger run): it cannot be resumed; give --overwrite to replace it');
    opts.warn?.(`${opts.outDir}: no earlier run to resume; starting fresh`);
    return frames;
  }
  const diff = identityDifferences(earlier, identity);
  if (diff.length) throw new InputError(opts.outDir, `was written with other settings than this run's (${diff.join('; ')}): resume it with the same ones, or give --overwrite to replace it`);
  return frames;
}

/** Whether an earlier attempt's .roi file for `rec` is still complete (CRC) and holds that frame. */
function intact(outDir: string, rec: JournalFrame): boolean {
  try {
    const meta = readRoiFrame(join(outDir, rec.output)).meta;
    return meta.source === rec.source && meta.frameIndex === rec.frameIndex;
  } catch {
    return false;
  }
}

async function triggerRun(opts: TriggerOptions): Promise<TriggerSummary> {
  const progress = opts.progress ?? silentProgress;
  const identity = runIdentity(opts);
  const provenance = { ...opts.provenance, statsSha256: identity.statsSha256, calibrationSha256: identity.calibrationSha256, modelSha256: identity.modelSha256 };
  const ctx: RunContext = { opts, toRaw: rawMaskMapping(opts.stats.config), provenance };
  const earlier = earlierFrames(opts, identity);
  const journal = Journal.open(opts.outDir);
  try {
    journal.append({ kind: 'run', started: new Date().toISOString(), resumed: earlier.size > 0, identity });
    const root = commonFolder(opts.inputs);
    const names = new OutputNames();
    const failed: TriggerSummary['failed'] = [];
    const skipped: SkippedEntry[] = [...(opts.skipped ?? [])];
    const done: JournalFrame[] = [];
    let resumed = 0;
    let framesIn = 0;
    const fail = (source: string, frameIndex: number | null, err: unknown) => {
      const f = { source, frameIndex, reason: errorMessage(err) };
      failed.push(f);
      journal.append({ kind: 'failed', ...f });
    };

    // each earlier .roi is read back at most once, whichever path below asks first
    const checked = new Map<JournalFrame, boolean>();
    const isIntact = (r: JournalFrame) => checked.get(r) ?? checked.set(r, intact(opts.outDir, r)).get(r)!;
    const label = (path: string, i: number, count: number) => (count > 1 ? `${path} frame ${i}` : path);

    progress.start(opts.inputs.length, 'trigger');
    for (const path of opts.inputs) {
      // a file whose every frame an earlier attempt wrote, intact, is not read again
      const first = earlier.get(frameKey(path, 0));
      if (first && first.framesInFile > 0) {
        const recs = Array.from({ length: first.framesInFile }, (_, i) => earlier.get(frameKey(path, i)));
        if (recs.every((r) => r !== undefined && isIntact(r))) {
          for (const r of recs as JournalFrame[]) names.claim(r.output, label(path, r.frameIndex, first.framesInFile));
          done.push(...(recs as JournalFrame[]));
          framesIn += recs.length;
          resumed += recs.length;
          progress.tick();
          continue;
        }
      }
      if (isStreamedFrameFile(path)) {
        const n = await triggerStream(path, { root, names, earlier, isIntact, done, fail, onResumed: () => resumed++ }, ctx, journal);
        if (n === 0) skipped.push({ path, reason: 'holds no frames (no camera bank in any event)' });
        framesIn += n;
        progress.tick();
        continue;
      }
      const t = performance.now();
      let source: FrameSource;
      try {
        source = await openFrameSource(path);
      } catch (err) {
        framesIn++; // an unreadable file counts as one lost frame: its frame count is unknown
        fail(path, null, err);
        progress.tick();
        continue;
      }
      const openMs = performance.now() - t;
      try {
        if (source.count === 0) skipped.push({ path, reason: 'holds no frames (an empty stack)' });
        for (let i = 0; i < source.count; i++) {
          framesIn++;
          try {
            const output = outputName(root, path, i, source.count);
            names.claim(output, label(path, i, source.count));
            const before = earlier.get(frameKey(path, i));
            if (before && before.output === output && isIntact(before)) {
              done.push(before);
              resumed++;
              continue;
            }
            const tr = performance.now();
            const frame = source.read(i);
            const readMs = performance.now() - tr + openMs / source.count;
            const rec = await triggerFrame(frame, { source: path, frameIndex: i, framesInFile: source.count, output, readMs }, ctx);
            journal.append(rec);
            done.push(rec);
          } catch (err) {
            fail(path, i, err);
          }
        }
      } finally {
        source.close();
      }
      progress.tick();
    }
    progress.stop();

    const summary = summarise(opts, provenance, framesIn, done, resumed, failed, skipped);
    writeJsonAtomic(join(opts.outDir, 'summary.json'), summary);
    return summary;
  } finally {
    journal.close();
  }
}

/** What the per-file loop shares with a streamed file's frames. */
interface StreamState {
  root: string;
  names: OutputNames;
  earlier: Map<string, JournalFrame>;
  isIntact: (r: JournalFrame) => boolean;
  done: JournalFrame[];
  fail: (source: string, frameIndex: number | null, err: unknown) => void;
  onResumed: () => void;
}

/**
 * The frames of a streamed file (a MIDAS run: their number is known only at the end), in order:
 * each named by its event (run-dir.ts eventOutputName), resumed when an earlier attempt wrote it
 * intact, else triggered. Damage that ends the stream (a truncated event, a bad compression stream)
 * is listed as one failed frame after the last good one, with the reader's message (file, event
 * serial, byte offset). Returns the frames accounted for.
 */
async function triggerStream(path: string, st: StreamState, ctx: RunContext, journal: Journal): Promise<number> {
  let i = 0;
  let t = performance.now();
  try {
    for await (const frame of iterateFrames(path)) {
      const readMs = performance.now() - t;
      const index = i++;
      const label = typeof frame.meta.event === 'number' ? `${path} event ${frame.meta.event}` : `${path} frame ${index}`;
      try {
        const output = eventOutputName(st.root, path, frame.meta);
        st.names.claim(output, label);
        const before = st.earlier.get(frameKey(path, index));
        if (before && before.output === output && st.isIntact(before)) {
          st.done.push(before);
          st.onResumed();
        } else {
          // framesInFile 0: a stream's length is unknown while it is read, so a resume reads it again
          const rec = await triggerFrame(frame, { source: path, frameIndex: index, framesInFile: 0, output, readMs }, ctx);
          journal.append(rec);
          st.done.push(rec);
        }
      } catch (err) {
        st.fail(path, index, err);
      }
      t = performance.now();
    }
  } catch (err) {
    st.fail(path, i, err); // the damage: what follows it is lost
    return i + 1;
  }
  return i;
}

/** Means over the written frames (per frame: kept fractions, ROIs, stage times). */
function summarise(
  opts: TriggerOptions,
  provenance: Record<string, unknown>,
  framesIn: number,
  done: JournalFrame[],
  resumed: number,
  failed: TriggerSummary['failed'],
  skipped: SkippedEntry[],
): TriggerSummary {
  const n = Math.max(1, done.length);
  const mean = (f: (r: JournalFrame) => number) => done.reduce((s, r) => s + f(r), 0) / n;
  return {
    tool: { name: 'tpcvision', version: toolVersion() },
    score: opts.score.name,
    tau: opts.tau,
    closingRadius: opts.closingRadius,
    framesIn,
    framesWritten: done.length,
    framesResumed: resumed,
    failed,
    skipped,
    keptFractionAnalysis: mean((r) => r.keptFractionAnalysis),
    keptFractionRaw: mean((r) => r.keptFractionRaw),
    roisPerFrame: mean((r) => r.rois),
    msPerFrame: {
      read: mean((r) => r.ms.read),
      preprocess: mean((r) => r.ms.preprocess),
      score: mean((r) => r.ms.score),
      roi: mean((r) => r.ms.roi),
      write: mean((r) => r.ms.write),
    },
    outputs: done.map((r) => join(opts.outDir, r.output)),
    frames: done.map((r) => ({ source: r.source, frameIndex: r.frameIndex, output: join(opts.outDir, r.output), keptFractionAnalysis: r.keptFractionAnalysis, keptFractionRaw: r.keptFractionRaw, rois: r.rois })),
    maxKeptFraction: opts.maxKeptFraction ?? null,
    highOccupancy: done
      .filter((r) => opts.maxKeptFraction !== undefined && r.keptFractionAnalysis > opts.maxKeptFraction)
      .map((r) => ({ source: r.source, frameIndex: r.frameIndex, keptFractionAnalysis: r.keptFractionAnalysis })),
    provenance,
  };
}
