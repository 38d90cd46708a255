/**
 * computePedestalStats against a naive reference on a tiny non-square case: an 11×7 raw frame, crop
 * (2, 1, 6×5), analysis grid 4×3, three frames with different noise per pixel. The reference walks the
 * definitions of spec "Preprocessing" directly: per-pixel mean of raw/scale over the frames, the
 * mean-subtracted values, their global extrema (exact, or the histogram percentiles: values in counts
 * rounded to 1/64, the smallest value with at least q·N samples at or below it), μ and σ (sample,
 * n − 1) of each resized mean-subtracted frame, both normalised by the span.
 * Also: the sources list, the progress calls, and the two refusals (fewer than 2 frames; constant frames).
 */
import { describe, expect, it } from 'vitest';
import { preprocessSchema, type PreprocessConfig } from '../../src/config/pipeline.js';
import { makeFrame, type Frame } from '../../src/core/frame.js';
import { InputError } from '../../src/core/errors.js';
import type { Progress } from '../../src/core/progress.js';
import { computePedestalStats } from '../../src/preprocessing/pedestal-stats.js';
import { preprocessFrame, signalCounts } from '../../src/preprocessing/preprocess.js';
import { expectClose } from '../helpers/close.js';
import { naiveResize } from '../helpers/naive-trigger.js';
import { sequenceOf } from '../helpers/synthetic.js';

const FW = 11;
const FH = 7;
const cfg = (o: Partial<PreprocessConfig> = {}): PreprocessConfig =>
  preprocessSchema.parse({ frameWidth: FW, frameHeight: FH, crop: { x: 2, y: 1, width: 6, height: 5 }, analysisWidth: 4, analysisHeight: 3, scale: 1000, ...o });

/** Frame f: a pedestal of 100 + x + 2y counts plus a deterministic, pixel- and frame-dependent wiggle. */
function frames(n: number, hot?: { f: number; x: number; y: number; v: number }): Frame[] {
  return Array.from({ length: n }, (_, f) => {
    const d = new Float32Array(FW * FH);
    for (let y = 0; y < FH; y++) for (let x = 0; x < FW; x++) d[y * FW + x] = 100 + x + 2 * y + Math.round(7 * Math.sin(1.3 * f + 0.7 * x * (y + 1) + y));
    if (hot && hot.f === f) d[hot.y * FW + hot.x] = hot.v;
    return makeFrame(FW, FH, d, f === 1 ? { source: 'ped.npy', index: 3 } : f === 2 ? {} : { source: `p${f}.npy` });
  });
}

function naiveStats(fr: Frame[], c: PreprocessConfig) {
  const { crop, scale } = c;
  const at = (f: Frame, x: number, y: number) => f.data[(crop.y + y) * f.width + crop.x + x] / scale;
  const mean: number[] = [];
  for (let y = 0; y < crop.height; y++) for (let x = 0; x < crop.width; x++) mean.push(fr.reduce((s, f) => s + at(f, x, y), 0) / fr.length);
  const diffs = fr.map((f) => {
    const d: number[] = [];
    for (let y = 0; y < crop.height; y++) for (let x = 0; x < crop.width; x++) d.push(at(f, x, y) - mean[y * crop.width + x]);
    return d;
  });
  const all = diffs.flat();
  const exactMin = Math.min(...all);
  const exactMax = Math.max(...all);
  let min = exactMin;
  let max = exactMax;
  if (c.extrema === 'percentile') {
    const rounded = all.map((v) => Math.round(v * scale * 64) / 64).sort((a, b) => a - b);
    const q = (p: number) => {
      const k = Math.ceil((p / 100) * rounded.length);
      return (k === 0 ? -Infinity : rounded[k - 1]) / scale;
    };
    min = Math.max(exactMin, q(c.extremaPercentiles[0]));
    max = Math.min(exactMax, q(c.extremaPercentiles[1]));
  }
  const resized = diffs.map((d) => naiveResize(Float32Array.from(d), crop.width, crop.height, c.analysisWidth, c.analysisHeight));
  const n = fr.length;
  const mu: number[] = [];
  const sigma: number[] = [];
  for (let i = 0; i < resized[0].length; i++) {
    const m = resized.reduce((s, r) => s + r[i], 0) / n;
    const v = resized.reduce((s, r) => s + (r[i] - m) ** 2, 0) / (n - 1);
    mu.push((m - min) / (max - min));
    sigma.push(Math.sqrt(v) / (max - min));
  }
  return { mean, exactMin, exactMax, min, max, mu, sigma };
}

describe('computePedestalStats against the naive definitions (11×7 frames, crop 6×5 at (2, 1), grid 4×3)', () => {
  it('mean, exact extrema, μ and σ; sources and frame count; progress in two passes', async () => {
    const c = cfg();
    const fr = frames(3);
    const calls: string[] = [];
    const progress: Progress = {
      start: (total, label) => calls.push(`start ${total} ${label}`),
      tick: () => calls.push('tick'),
      stop: () => calls.push('stop'),
    };
    const s = await computePedestalStats(sequenceOf(fr), c, progress);
    const ref = naiveStats(fr, c);
    expect(s.frameCount).toBe(3);
    expect(s.sources).toEqual(['p0.npy', 'ped.npy#3', 'frame 2']);
    expect(calls).toEqual(['start 0 pedestal mean', 'tick', 'tick', 'tick', 'stop', 'start 3 pedestal σ', 'tick', 'tick', 'tick', 'stop']);
    expect(s.config).toBe(c);
    expectClose(s.meanCrop, ref.mean, 1e-7, 1e-6);
    // float32 diffs against float64: 1e-7 of the [0, 1] scale
    expectClose([s.extrema.exactMin, s.extrema.exactMax], [ref.exactMin, ref.exactMax], 1e-7);
    expect([s.extrema.min, s.extrema.max]).toEqual([s.extrema.exactMin, s.extrema.exactMax]);
    expect(s.mu).toHaveLength(12);
    expectClose(s.mu, ref.mu, 1e-5);
    expectClose(s.sigma, ref.sigma, 1e-5);
    // the case is not degenerate: μ and σ vary over the grid
    expect(new Set(Array.from(s.sigma, (v) => v.toFixed(4))).size).toBeGreaterThan(3);
  });

  it('percentile extrema: histogram quantiles at 1/64 count, clipped to the exact extrema', async () => {
    const fr = frames(4, { f: 2, x: 4, y: 3, v: 900 });
    for (const p of [
      [10, 90],
      [0, 100],
      [25, 60],
    ] as [number, number][]) {
      const c = cfg({ extrema: 'percentile', extremaPercentiles: p });
      const s = await computePedestalStats(sequenceOf(fr), c);
      const ref = naiveStats(fr, c);
      expectClose([s.extrema.min, s.extrema.max], [ref.min, ref.max], 1e-9);
      expectClose([s.extrema.exactMin, s.extrema.exactMax], [ref.exactMin, ref.exactMax], 1e-7);
      expectClose(s.mu, ref.mu, 1e-5);
      expectClose(s.sigma, ref.sigma, 1e-5);
    }
    // 10–90 %: both ends strictly inside the exact extrema (the hot pixel is far out)
    const c = cfg({ extrema: 'percentile', extremaPercentiles: [10, 90] });
    const s = await computePedestalStats(sequenceOf(fr), c);
    expect(s.extrema.min).toBeGreaterThan(s.extrema.exactMin);
    expect(s.extrema.max).toBeLessThan(s.extrema.exactMax);
  });

  it('values beyond ±4096 counts land in the edge bins', () => {
    // scale 1, frames offset by +9000, −9000 and 0 counts: the mean-subtracted values are near ±9000
    // and 0, far past the histogram's ±4096. 90 values; 1 %: the 1st smallest, which sits in the low edge
    // bin (bin 0 reads as −4096 − 1/64); 99 %: the 90th, in the high edge bin (reads as +4096). Both are
    // inside the exact extrema (≈ ±9000), so they are the extrema.
    const fr = frames(3).map((f, k) => makeFrame(FW, FH, f.data.map((v) => v + [9000, -9000, 0][k]), {}));
    const c = cfg({ scale: 1, extrema: 'percentile', extremaPercentiles: [1, 99] });
    return computePedestalStats(sequenceOf(fr), c).then((s) => {
      expect(s.extrema.exactMax).toBeGreaterThan(8000);
      expect(s.extrema.exactMin).toBeLessThan(-8000);
      expect(s.extrema.min).toBe(-4096 - 1 / 64);
      expect(s.extrema.max).toBe(4096);
    });
  });

  it('refuses fewer than 2 frames and constant frames, naming the pedestal set', async () => {
    const one = computePedestalStats(sequenceOf(frames(1)), cfg());
    await expect(one).rejects.toThrow(new InputError('pedestal set', 'needs at least 2 frames to estimate σ, got 1'));
    await expect(one).rejects.toBeInstanceOf(InputError);
    const flat = Array.from({ length: 3 }, () => makeFrame(FW, FH, new Float32Array(FW * FH).fill(50), {}));
    // min and max are both the float32 rounding residue of 50/1000 − mean (−7.45e-10 here)
    await expect(computePedestalStats(sequenceOf(flat), cfg())).rejects.toThrow(
      /^pedestal set: degenerate extrema \(min (\S+), max \1\): are the frames constant\?$/,
    );
    // two frames are enough
    const two = await computePedestalStats(sequenceOf(frames(2)), cfg());
    expect(two.frameCount).toBe(2);
  });
});

describe('preprocessFrame and signalCounts against the naive definitions on the same non-square crop', () => {
  it('crop, /scale, − mean, − min, /span, resize; counts − mean·scale on the crop or the frame grid, masked or not', async () => {
    const c = cfg();
    const stats = await computePedestalStats(sequenceOf(frames(3)), c);
    const [f] = frames(5).slice(4);
    const { crop, scale } = c;
    const { min, max } = stats.extrema;
    const norm: number[] = [];
    for (let y = 0; y < crop.height; y++) {
      for (let x = 0; x < crop.width; x++) norm.push((f.data[(crop.y + y) * FW + crop.x + x] / scale - stats.meanCrop[y * crop.width + x] - min) / (max - min));
    }
    expectClose(preprocessFrame(f, stats), naiveResize(Float32Array.from(norm), crop.width, crop.height, 4, 3), 1e-5, 1e-5);
    // signal counts: raw − mean·scale; on the frame grid 0 outside the crop; with `only`, 0 outside the mask
    const counts = (X: number, Y: number) => Math.fround(f.data[Y * FW + X] - stats.meanCrop[(Y - crop.y) * crop.width + X - crop.x] * scale);
    const inCrop = (X: number, Y: number) => X >= crop.x && X < crop.x + crop.width && Y >= crop.y && Y < crop.y + crop.height;
    const onCrop = signalCounts(f, stats);
    const onFrame = signalCounts(f, stats, 'frame');
    expect(onCrop).toHaveLength(30);
    expect(onFrame).toHaveLength(FW * FH);
    const onlyFrame = Uint8Array.from({ length: FW * FH }, (_, i) => ((i * 7) % 3 === 0 ? 1 : 0));
    const onlyCrop = Uint8Array.from({ length: 30 }, (_, i) => ((i * 5) % 4 === 1 ? 1 : 0));
    const maskedFrame = signalCounts(f, stats, 'frame', onlyFrame);
    const maskedCrop = signalCounts(f, stats, 'crop', onlyCrop);
    for (let Y = 0; Y < FH; Y++) {
      for (let X = 0; X < FW; X++) {
        const i = Y * FW + X;
        const v = inCrop(X, Y) ? counts(X, Y) : 0;
        expect(onFrame[i]).toBe(v);
        expect(maskedFrame[i]).toBe(onlyFrame[i] ? v : 0);
        if (inCrop(X, Y)) {
          const o = (Y - crop.y) * crop.width + X - crop.x;
          expect(onCrop[o]).toBe(v);
          expect(maskedCrop[o]).toBe(onlyCrop[o] ? v : 0);
        }
      }
    }
    expect(Array.from(onCrop).filter((v) => v !== 0).length).toBeGreaterThan(20);
  });
});
