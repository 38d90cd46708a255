import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resizeBilinear, cropToAnalysisIndex } from '../../src/preprocessing/resize.js';
import { computePedestalStats } from '../../src/preprocessing/pedestal-stats.js';
import { checkNotFlat } from '../../src/preprocessing/check-raw-frame.js';
import { preprocessFrame, signalCounts } from '../../src/preprocessing/preprocess.js';
import { loadPedestalStats, savePedestalStats } from '../../src/preprocessing/stats-artefact.js';
import { geometryForSize, resolvePipelineConfig, preprocessSchema } from '../../src/config/pipeline.js';
import { makeFrame } from '../../src/core/frame.js';
import { expectClose } from '../helpers/close.js';
import { noiseFrames, sequenceOf } from '../helpers/synthetic.js';
import { naiveResize } from '../helpers/naive-trigger.js';

describe('bilinear resize (TF2 half-pixel centres, no anti-alias)', () => {
  it('matches hand-computed values for 4 → 2 and 2 → 4', () => {
    // 4 → 2: src = (o + 0.5)·2 − 0.5 = 0.5, 2.5 → mean of neighbours
    expectClose(resizeBilinear(new Float32Array([0, 1, 2, 3]), 4, 1, 2, 1), [0.5, 2.5]);
    // 2 → 4: src = (o + 0.5)/2 − 0.5 = −0.25→0 (clamped), 0.25, 0.75, 1.25→1
    expectClose(resizeBilinear(new Float32Array([0, 4]), 2, 1, 4, 1), [0, 1, 3, 4]);
  });

  it('preserves constants (property; linearity: the ramp property below)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 12 }), fc.float({ min: -5, max: 5, noNaN: true }), (iw, ih, ow, oh, c) => {
        const out = resizeBilinear(new Float32Array(iw * ih).fill(c), iw, ih, ow, oh);
        for (const v of out) expect(Math.abs(v - Math.fround(c))).toBeLessThan(1e-5);
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  it('matches hand-computed values on a non-square multi-row image, 3×2 → 2×3', () => {
    // src rows [0 4 1] and [8 2 6]. x: 3 → 2, sx = (o + ½)·1.5 − ½ = 0.25, 1.75; y: 2 → 3,
    // sy = (o + ½)·⅔ − ½ = −⅙ → 0 (clamped), 0.5, 7/6 → 1 (clamped).
    // Along x, row 0: 0·¾ + 4·¼ = 1 and 4·¼ + 1·¾ = 1.75; row 1: 8·¾ + 2·¼ = 6.5 and 2·¼ + 6·¾ = 5.
    // Along y: sy = 0 takes row 0, sy = 1 row 1, sy = ½ their mean: (1 + 6.5)/2 = 3.75, (1.75 + 5)/2 = 3.375.
    const out = resizeBilinear(new Float32Array([0, 4, 1, 8, 2, 6]), 3, 2, 2, 3);
    expectClose(out, [1, 1.75, 3.75, 3.375, 6.5, 5]);
  });

  it('reproduces linear ramps in x and y exactly at the half-pixel source coordinates (property)', () => {
    // bilinear interpolation of a + b·x + c·y at source point (sx, sy) is a + b·sx + c·sy exactly;
    // sx, sy are the clamped half-pixel coordinates, so edge pixels of an enlargement repeat the edge
    const coord = (o: number, n: number, m: number) => Math.min(Math.max(((o + 0.5) * n) / m - 0.5, 0), n - 1);
    const size = fc.integer({ min: 1, max: 14 });
    const coef = fc.integer({ min: -8, max: 8 });
    fc.assert(
      fc.property(size, size, size, size, coef, coef, coef, (iw, ih, ow, oh, a, b, c) => {
        const src = Float32Array.from({ length: iw * ih }, (_, i) => a + b * (i % iw) + c * Math.floor(i / iw));
        const out = resizeBilinear(src, iw, ih, ow, oh);
        const want = Array.from({ length: ow * oh }, (_, i) => a + b * coord(i % ow, iw, ow) + c * coord(Math.floor(i / ow), ih, oh));
        expectClose(out, want, 1e-4, 1e-6);
      }),
      { seed: 1619, numRuns: 300 },
    );
  });

  it('equals the 2-D definition on random non-square images (property)', () => {
    const size = fc.integer({ min: 1, max: 12 });
    fc.assert(
      fc.property(size, size, size, size, fc.integer({ min: 0, max: 1 << 30 }), (iw, ih, ow, oh, seed) => {
        const src = Float32Array.from({ length: iw * ih }, (_, i) => (((i + 1) * 2654435761 + seed) >>> 0) / 2 ** 32 - 0.5);
        expectClose(resizeBilinear(src, iw, ih, ow, oh), naiveResize(src, iw, ih, ow, oh), 1e-6, 1e-5);
      }),
      { seed: 1620, numRuns: 300 },
    );
  });

  it('maps crop pixels to the analysis pixel they land in', () => {
    expect(cropToAnalysisIndex(0, 1525, 1024)).toBe(0);
    expect(cropToAnalysisIndex(1524, 1525, 1024)).toBe(1023);
    expect(cropToAnalysisIndex(762, 1525, 1024)).toBe(512);
  });
});

describe('pedestal statistics', () => {
  const cfg = geometryForSize(96); // crop (16, 16, 64, 64) → 48² grid (rounded to 16)

  it('scales the spec geometry to smaller frames', () => {
    const full = preprocessSchema.parse({});
    expect(full.crop).toEqual({ x: 375, y: 375, width: 1525, height: 1525 });
    expect(full.analysisWidth).toBe(1024);
    const q = geometryForSize(576);
    expect(q.crop).toEqual({ x: 94, y: 94, width: 381, height: 381 });
    expect(q.analysisWidth).toBe(256);
  });

  it('normalised pedestals have μ ≈ (0 − min)/(max − min) and σ ≈ noise/(span·scale)', async () => {
    const frames = noiseFrames(12, 96, 7, { sigma: 3 });
    const stats = await computePedestalStats(sequenceOf(frames), cfg);
    const { min, max } = stats.extrema;
    expect(min).toBeLessThan(0);
    expect(max).toBeGreaterThan(0);
    let mu = 0;
    for (const v of stats.mu) mu += v;
    mu /= stats.mu.length;
    expectClose(mu, (0 - min) / (max - min), 1e-4);
    // the 64→48 bilinear resize averages neighbours, so σ shrinks; it stays within (0.5, 1]× the raw σ
    let s = 0;
    for (const v of stats.sigma) s += v;
    s /= stats.sigma.length;
    const raw = 3 / 65535 / (max - min);
    expect(s).toBeGreaterThan(0.5 * raw);
    expect(s).toBeLessThan(1.05 * raw);
  });

  it('percentile extrema are inside the exact extrema and immune to one hot pixel', async () => {
    const frames = noiseFrames(6, 96, 3);
    frames[2].data[40 * 96 + 40] = 60000; // a hot pixel in one frame only
    const exact = await computePedestalStats(sequenceOf(frames), cfg);
    const robust = await computePedestalStats(sequenceOf(frames), { ...cfg, extrema: 'percentile', extremaPercentiles: [0.1, 99.9] });
    expect(exact.extrema.max).toBeGreaterThan(0.5);
    expect(robust.extrema.max).toBeLessThan(0.001);
    expect(robust.extrema.min).toBeGreaterThanOrEqual(exact.extrema.min);
  });

  it('round-trips through the artefact and preprocesses identically after reload', async () => {
    const frames = noiseFrames(5, 96, 11);
    const stats = await computePedestalStats(sequenceOf(frames), cfg);
    const dir = mkdtempSync(join(tmpdir(), 'tpcv-stats-'));
    savePedestalStats(dir, stats);
    expect(readdirSync(dir).sort()).toEqual(['mean.npy', 'mu.npy', 'sigma.npy', 'stats.json']);
    const back = loadPedestalStats(dir);
    expect(back.extrema).toEqual(stats.extrema);
    expect(back.config).toEqual(stats.config);
    const a = preprocessFrame(frames[0], stats);
    const b = preprocessFrame(frames[0], back);
    expect(Buffer.from(b.buffer).equals(Buffer.from(a.buffer))).toBe(true);
  });

  it('uses frozen constants: a frame brighter by 10 counts shifts by 10/65535/span, whatever its own extrema', async () => {
    const frames = noiseFrames(4, 96, 5);
    const stats = await computePedestalStats(sequenceOf(frames), cfg);
    const bright = makeFrame(96, 96, frames[0].data.map((v) => v + 10), {});
    const a = preprocessFrame(frames[0], stats);
    const b = preprocessFrame(bright, stats);
    const expected = 10 / 65535 / (stats.extrema.max - stats.extrema.min);
    for (let i = 0; i < a.length; i += 97) expectClose(b[i] - a[i], expected, 1e-5);
  });

  it('rejects frames of the wrong size or with NaN, naming the frame', async () => {
    const frames = noiseFrames(3, 96, 1);
    const stats = await computePedestalStats(sequenceOf(frames), cfg);
    expect(() => preprocessFrame(makeFrame(64, 64, new Uint16Array(64 * 64), { source: 'run7/ped_3.npy' }), stats)).toThrow(
      /run7\/ped_3\.npy: wrong frame size: expected 96×96, got 64×64/,
    );
    const nan = new Float32Array(96 * 96).fill(100);
    nan[5 * 96 + 3] = NaN;
    expect(() => preprocessFrame(makeFrame(96, 96, nan, { source: 'bad.npy' }), stats)).toThrow(/bad\.npy: pixel \(3, 5\) is NaN/);
  });

  it("checkNotFlat (the trigger's check): a blank or saturated read-out is no image; one pixel different (even the last) is", () => {
    for (const v of [0, 65535]) {
      expect(() => checkNotFlat(makeFrame(96, 96, new Uint16Array(96 * 96).fill(v), { source: 'flat.npy', index: 2 }))).toThrow(
        `flat.npy [frame 2]: every pixel is ${v}: a blank or saturated read-out`,
      );
    }
    const almost = new Uint16Array(96 * 96).fill(100);
    almost[96 * 96 - 1] = 101;
    expect(() => checkNotFlat(makeFrame(96, 96, almost))).not.toThrow();
  });

  it('rejects unknown configuration keys naming them', () => {
    expect(() => resolvePipelineConfig({ roi: { tau: 0.1, radius: 3 } })).toThrow(/roi/);
    expect(() => resolvePipelineConfig({ preprocess: { crop: { x: 2000, y: 0, width: 1525, height: 10 } } })).toThrow(/exceeds/);
  });
});

describe('signalCounts (ROI intensities)', () => {
  it('is the pedestal-subtracted count rounded once to float32, the same values on the crop and on the frame grid', async () => {
    const cfg = geometryForSize(96); // crop (16, 16, 64, 64)
    const stats = await computePedestalStats(sequenceOf(noiseFrames(4, 96, 5)), cfg);
    const [frame] = noiseFrames(1, 96, 6);
    const { crop, scale } = cfg;
    const onCrop = signalCounts(frame, stats);
    const onFrame = signalCounts(frame, stats, 'frame');
    expect(onCrop.length).toBe(64 * 64);
    expect(onFrame.length).toBe(96 * 96);
    for (let y = 0; y < 96; y++) {
      for (let x = 0; x < 96; x++) {
        const inCrop = x >= crop.x && x < crop.x + crop.width && y >= crop.y && y < crop.y + crop.height;
        const o = (y - crop.y) * crop.width + (x - crop.x);
        // the trigger's former rawIntensity: one float64 expression, stored as float32
        const expected = inCrop ? Math.fround(frame.data[y * 96 + x] - stats.meanCrop[o] * scale) : 0;
        expect(onFrame[y * 96 + x]).toBe(expected);
        if (inCrop) expect(onCrop[o]).toBe(expected);
      }
    }
  });

  it('with a mask computes only the masked pixels: the same values there, 0 elsewhere', async () => {
    const cfg = geometryForSize(96);
    const stats = await computePedestalStats(sequenceOf(noiseFrames(4, 96, 5)), cfg);
    const [frame] = noiseFrames(1, 96, 7);
    const full = signalCounts(frame, stats, 'frame');
    // an asymmetric mask that crosses the crop's edge: rows 10–39 of columns 30–89
    const only = new Uint8Array(96 * 96);
    for (let y = 10; y < 40; y++) for (let x = 30; x < 90; x++) only[y * 96 + x] = 1;
    const masked = signalCounts(frame, stats, 'frame', only);
    let nonzero = 0;
    for (let i = 0; i < full.length; i++) {
      expect(masked[i]).toBe(only[i] ? full[i] : 0);
      if (masked[i] !== 0) nonzero++;
    }
    expect(nonzero).toBeGreaterThan(0);
  });
});
