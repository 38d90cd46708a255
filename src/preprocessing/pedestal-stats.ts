/**
 * Pedestal statistics: the constants frozen at training time and reused unchanged on every later
 * frame (spec "Preprocessing"): the per-pixel mean of the cropped [0,1]-scaled pedestals, the two
 * global extrema of the mean-subtracted set, and the per-pixel μ and σ of the preprocessed pedestals
 * on the analysis grid (the Gaussian score's parameters). Two passes over the frames: the extrema
 * need the mean first.
 */
import { createHash } from 'node:crypto';
import type { Frame } from '../core/frame.js';
import { InputError } from '../core/errors.js';
import type { PreprocessConfig } from '../config/pipeline.js';
import type { Progress } from '../core/progress.js';
import { silentProgress } from '../core/progress.js';
import { checkRawFrame } from './check-raw-frame.js';
import { loadDarkFrame, prepareRawFrame, type RawInput } from './raw-input.js';
import { resizeBilinear } from './resize.js';

export const PEDESTAL_STATS_VERSION = 1;

export interface Extrema {
  min: number;
  max: number;
  /** The exact extrema, kept for reference when robust percentiles are used. */
  exactMin: number;
  exactMax: number;
}

export interface PedestalStats {
  version: number;
  config: PreprocessConfig;
  frameCount: number;
  sources: string[];
  /** [cropH, cropW], [0,1] scale: mean of raw/scale over the pedestal set. */
  meanCrop: Float32Array;
  extrema: Extrema;
  /** [analysisH, analysisW], normalised units: μ and σ of the preprocessed pedestals. */
  mu: Float32Array;
  sigma: Float32Array;
  /** The raw-input preparation the frames get first (config darkFrame, bin; raw-input.ts); absent = none. */
  rawInput?: RawInput;
}

/** Replayable frame sequence: statistics need two passes, and runs do not fit in memory. */
export type FrameSequence = () => AsyncIterable<Frame>;

// Histogram of mean-subtracted values in counts, for robust percentiles: 1/64-count bins over ±4096.
const HIST_RANGE = 4096;
const HIST_BINS_PER_COUNT = 64;

export async function computePedestalStats(
  frames: FrameSequence,
  config: PreprocessConfig,
  progress: Progress = silentProgress,
): Promise<PedestalStats> {
  const { crop, scale, analysisWidth: aw, analysisHeight: ah } = config;
  const n = crop.width * crop.height;
  const rawInput: RawInput = { dark: config.darkFrame === null ? null : loadDarkFrame(config.darkFrame), bin: config.bin };

  // pass 1: per-pixel mean of the cropped, scaled frames
  const sum = new Float64Array(n);
  const sources: string[] = [];
  progress.start(0, 'pedestal mean');
  for await (const raw of frames()) {
    const frame = prepareRawFrame(raw, rawInput);
    checkRawFrame(frame, config);
    const d = frame.data;
    for (let y = 0; y < crop.height; y++) {
      const row = (crop.y + y) * frame.width + crop.x;
      const o = y * crop.width;
      for (let x = 0; x < crop.width; x++) sum[o + x] += d[row + x];
    }
    sources.push(String(frame.meta.source ?? `frame ${sources.length}`) + (frame.meta.index ? `#${frame.meta.index}` : ''));
    progress.tick();
  }
  progress.stop();
  const count = sources.length;
  if (count < 2) throw new InputError('pedestal set', `needs at least 2 frames to estimate σ, got ${count}`);
  const meanCrop = new Float32Array(n);
  for (let i = 0; i < n; i++) meanCrop[i] = sum[i] / count / scale;

  // pass 2: extrema of the mean-subtracted set, and μ/σ of its resized frames
  const hist = config.extrema === 'percentile' ? new Float64Array(2 * HIST_RANGE * HIST_BINS_PER_COUNT + 2) : null;
  let exactMin = Infinity;
  let exactMax = -Infinity;
  const s1 = new Float64Array(aw * ah);
  const s2 = new Float64Array(aw * ah);
  const diff = new Float32Array(n);
  progress.start(count, 'pedestal σ');
  for await (const raw of frames()) {
    const frame = prepareRawFrame(raw, rawInput);
    const d = frame.data;
    for (let y = 0; y < crop.height; y++) {
      const row = (crop.y + y) * frame.width + crop.x;
      const o = y * crop.width;
      for (let x = 0; x < crop.width; x++) {
        const v = d[row + x] / scale - meanCrop[o + x];
        diff[o + x] = v;
        if (v < exactMin) exactMin = v;
        if (v > exactMax) exactMax = v;
        if (hist) {
          const b = Math.round(v * scale * HIST_BINS_PER_COUNT) + HIST_RANGE * HIST_BINS_PER_COUNT + 1;
          hist[b < 0 ? 0 : b >= hist.length ? hist.length - 1 : b]++;
        }
      }
    }
    const r = resizeBilinear(diff, crop.width, crop.height, aw, ah);
    for (let i = 0; i < r.length; i++) {
      s1[i] += r[i];
      s2[i] += r[i] * r[i];
    }
    progress.tick();
  }
  progress.stop();

  let min = exactMin;
  let max = exactMax;
  if (hist) {
    const [pLo, pHi] = config.extremaPercentiles;
    min = Math.max(exactMin, histogramQuantile(hist, pLo / 100, scale));
    max = Math.min(exactMax, histogramQuantile(hist, pHi / 100, scale));
  }
  if (!(max > min)) throw new InputError('pedestal set', `degenerate extrema (min ${min}, max ${max}): are the frames constant?`);

  const span = max - min;
  const mu = new Float32Array(aw * ah);
  const sigma = new Float32Array(aw * ah);
  for (let i = 0; i < mu.length; i++) {
    const m = s1[i] / count;
    const variance = Math.max(0, (s2[i] - count * m * m) / (count - 1));
    mu[i] = (m - min) / span;
    sigma[i] = Math.sqrt(variance) / span;
  }
  return {
    version: PEDESTAL_STATS_VERSION,
    config,
    frameCount: count,
    sources,
    meanCrop,
    extrema: { min, max, exactMin, exactMax },
    mu,
    sigma,
    rawInput,
  };
}

/** Value (in [0,1] scale) below which a fraction q of the histogrammed samples lie. */
function histogramQuantile(hist: Float64Array, q: number, scale: number): number {
  let total = 0;
  for (let i = 0; i < hist.length; i++) total += hist[i];
  const target = q * total;
  let acc = 0;
  for (let b = 0; b < hist.length; b++) {
    acc += hist[b];
    if (acc >= target) return (b - 1 - HIST_RANGE * HIST_BINS_PER_COUNT) / HIST_BINS_PER_COUNT / scale;
  }
  return HIST_RANGE / scale;
}

/**
 * sha256 of what the statistics make of a frame: the configuration, the extrema in use and every value
 * of the mean, μ and σ maps (not the exact extrema, the frame count or the sources, kept for
 * reference). Equal digests, equal preprocessing; calibration.json and the trigger's outputs record it.
 */
export function statsDigest(s: PedestalStats): string {
  const h = createHash('sha256');
  // without raw-input preparation the digest is the one statistics had before it existed; with it, the
  // dark's values count, not its path
  const { darkFrame, bin, ...rest } = s.config;
  const dark = s.rawInput?.dark ?? null;
  const config = darkFrame === null && bin === 1 ? rest : { ...rest, bin, dark: dark ? `${dark.width}x${dark.height}` : null };
  h.update(JSON.stringify({ version: s.version, config, min: s.extrema.min, max: s.extrema.max }));
  for (const a of [s.meanCrop, s.mu, s.sigma, ...(dark ? [dark.data] : [])]) {
    h.update(String(a.length));
    h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  }
  return h.digest('hex');
}
