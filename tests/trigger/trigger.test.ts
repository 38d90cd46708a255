import { describe, it, expect } from 'vitest';
import { mkdtempSync, readdirSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { computePedestalStats } from '../../src/preprocessing/pedestal-stats.js';
import { geometryForSize, preprocessSchema, scoreSchema } from '../../src/config/pipeline.js';
import { classicalScore } from '../../src/scores/classical.js';
import { runTrigger } from '../../src/trigger/run-trigger.js';
import { writeNpyFrame, encodeNpy } from '../../src/io/npy.js';
import { readRoiFrame } from '../../src/roi/compress.js';
import { makeFrame } from '../../src/core/frame.js';
import { noiseFrames, sequenceOf } from '../helpers/synthetic.js';
import { expectClose } from '../helpers/close.js';
import type { AnomalyScore } from '../../src/scores/score.js';
import { naiveClosedMask, naiveRawMask, naiveRawRois, sumOf } from '../helpers/naive-trigger.js';

describe('trigger run', () => {
  it('writes good frames ROI-compressed and accounts for every bad one', async () => {
    const cfg = geometryForSize(96); // crop (16,16,64,64) → 48² grid
    const peds = noiseFrames(8, 96, 21);
    const stats = await computePedestalStats(sequenceOf(peds), cfg);
    const dir = mkdtempSync(join(tmpdir(), 'tpcv-trig-'));
    const out = join(dir, 'out');

    const [good] = noiseFrames(1, 96, 99);
    for (let y = 44; y < 52; y++) for (let x = 44; x < 52; x++) good.data[y * 96 + x] += 400; // a bright 8×8 spot
    writeNpyFrame(join(dir, 'a_good.npy'), good);
    const full = encodeNpy([96, 96], good.data);
    writeFileSync(join(dir, 'b_truncated.npy'), full.subarray(0, full.length - 100));
    const nan = new Float32Array(96 * 96).fill(100);
    nan[50 * 96 + 50] = NaN;
    writeNpyFrame(join(dir, 'c_nan.npy'), makeFrame(96, 96, nan));
    writeNpyFrame(join(dir, 'd_small.npy'), makeFrame(64, 64, new Uint16Array(64 * 64).fill(100)));

    const inputs = ['a_good.npy', 'b_truncated.npy', 'c_nan.npy', 'd_small.npy'].map((f) => join(dir, f));
    const summary = await runTrigger({
      inputs,
      outDir: out,
      stats,
      score: classicalScore('gaussian', stats, scoreSchema.parse({})),
      tau: 6,
      closingRadius: 3,
    });
    expect(summary.framesIn).toBe(4);
    expect(summary.framesWritten).toBe(1);
    expect(summary.failed.map((f) => f.source)).toEqual(inputs.slice(1));
    expect(summary.failed[0].reason).toMatch(/truncated/);
    expect(summary.failed[1].reason).toMatch(/NaN/);
    expect(summary.failed[2].reason).toMatch(/expected 96×96, got 64×64/);
    expect(readdirSync(out).sort()).toEqual(['a_good.roi', 'journal.jsonl', 'summary.json']);
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')).framesIn).toBe(4);

    const roi = readRoiFrame(join(out, 'a_good.roi'));
    // the spot is kept with its raw values, and little else
    for (let y = 44; y < 52; y++) for (let x = 44; x < 52; x++) expect(roi.values[y * 96 + x]).toBe(good.data[y * 96 + x]);
    expect(roi.rois.length).toBeGreaterThanOrEqual(1);
    const kept = roi.mask.reduce((s, v) => s + v, 0);
    expect(kept).toBeLessThan(0.2 * 96 * 96);
    expect(summary.keptFractionRaw).toBeCloseTo(kept / (96 * 96), 10);
  });
});

describe('trigger run against the naive chain (non-square frames, asymmetric spots)', () => {
  it('stores exactly the raw pixels of the naive mask, with ROI boxes, areas and pedestal-subtracted sums by hand, and the kept fractions', async () => {
    // 41×31 frame, crop (5, 4, 27×21) → 18×10 grid (1.5 crop px per column, 2.1 per row)
    const cfg = preprocessSchema.parse({ frameWidth: 41, frameHeight: 31, crop: { x: 5, y: 4, width: 27, height: 21 }, analysisWidth: 18, analysisHeight: 10 });
    const [W, H, AW, AH] = [41, 31, 18, 10];
    const stats = await computePedestalStats(sequenceOf(noiseFrames(6, W, 31, { height: H })), cfg);
    const dir = mkdtempSync(join(tmpdir(), 'tpcv-trig-nsq-'));
    const frames = noiseFrames(2, W, 32, { height: H });
    // an L in the upper right of frame 0 (a bar along x, a foot down y); a vertical bar low left in frame 1
    for (let x = 20; x < 30; x++) for (let y = 7; y < 10; y++) frames[0].data[y * W + x] += 300;
    for (let y = 10; y < 18; y++) for (let x = 20; x < 23; x++) frames[0].data[y * W + x] += 300;
    for (let y = 14; y < 24; y++) for (let x = 8; x < 11; x++) frames[1].data[y * W + x] += 250;
    frames.forEach((f, i) => writeNpyFrame(join(dir, `f${i}.npy`), f));

    const inner = classicalScore('gaussian', stats, scoreSchema.parse({}));
    const maps: Float32Array[] = [];
    const score: AnomalyScore = { ...inner, scoreBatch: async (m, w, h) => { const out = await inner.scoreBatch(m, w, h); maps.push(...out); return out; } };
    const tau = 6;
    const summary = await runTrigger({ inputs: [0, 1].map((i) => join(dir, `f${i}.npy`)), outDir: join(dir, 'out'), stats, score, tau, closingRadius: 1 });
    expect(summary.framesWritten).toBe(2);

    // pedestal mean in counts at raw (X, Y): the crop-grid mean × scale
    const pedestal = (X: number, Y: number) => stats.meanCrop[(Y - cfg.crop.y) * cfg.crop.width + (X - cfg.crop.x)] * cfg.scale;
    let keptAnalysis = 0;
    let keptRaw = 0;
    frames.forEach((frame, i) => {
      const closed = naiveClosedMask(maps[i], AW, AH, tau, 1);
      const raw = naiveRawMask(closed, cfg);
      const out = readRoiFrame(join(dir, 'out', `f${i}.roi`));
      expect(Array.from(out.mask)).toEqual(Array.from(raw));
      for (let p = 0; p < W * H; p++) expect(out.values[p]).toBe(raw[p] ? frame.data[p] : 0);
      const rois = naiveRawRois(raw, W, H, frame.data, pedestal);
      expect(rois.length).toBeGreaterThan(0);
      expect(out.rois.map((r) => [r.id, r.x0, r.y0, r.x1, r.y1, r.area])).toEqual(rois.map((r, k) => [k + 1, r.x0, r.y0, r.x1, r.y1, r.area]));
      // float32 counts summed: a few ulps of ~10⁴ counts; without the pedestal subtraction it is off by ~100 per pixel
      expectClose(out.rois.map((r) => r.sumIntensity), rois.map((r) => r.sumIntensity), 0.05, 1e-5);
      keptAnalysis += sumOf(closed) / (AW * AH);
      keptRaw += sumOf(raw) / (W * H);
    });
    expect(summary.keptFractionAnalysis).toBeCloseTo(keptAnalysis / 2, 12);
    expect(summary.keptFractionRaw).toBeCloseTo(keptRaw / 2, 12);
    expect(summary.roisPerFrame).toBe((readRoiFrame(join(dir, 'out', 'f0.roi')).rois.length + readRoiFrame(join(dir, 'out', 'f1.roi')).rois.length) / 2);
  });
});
