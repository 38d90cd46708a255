import { describe, it, expect } from 'vitest';
import { mkdtempSync, readdirSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { computePedestalStats } from '../../src/preprocessing/pedestal-stats.js';
import { geometryForSize, scoreSchema } from '../../src/config/pipeline.js';
import { classicalScore } from '../../src/scores/classical.js';
import { runTrigger } from '../../src/trigger/run-trigger.js';
import { writeNpyFrame, encodeNpy } from '../../src/io/npy.js';
import { readRoiFrame } from '../../src/roi/compress.js';
import { makeFrame } from '../../src/core/frame.js';
import { noiseFrames, sequenceOf } from '../helpers/synthetic.js';

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
    expect(readdirSync(out).sort()).toEqual(['a_good.roi', 'summary.json']);
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
