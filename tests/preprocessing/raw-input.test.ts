/**
 * Raw-input preparation (config preprocess.darkFrame, bin; MIGDAL's dark subtraction and 4×4
 * binning): prepareRawFrame against the naive block sum of (frame − dark); its errors name the frame;
 * statistics computed with dark and bin equal those of the frames prepared beforehand, keep the dark
 * (dark.npy) through save/load whatever becomes of the original file, and digest differently; without
 * them the digest is the formula statistics had before (config without the two keys); the trigger
 * with such statistics writes the ROIs of the prepared frames.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { preprocessSchema } from '../../src/config/pipeline.js';
import { makeFrame, type Frame } from '../../src/core/frame.js';
import { Rng } from '../../src/core/rng.js';
import { writeNpyArray } from '../../src/io/npy.js';
import { computePedestalStats, statsDigest } from '../../src/preprocessing/pedestal-stats.js';
import { prepareRawFrame } from '../../src/preprocessing/raw-input.js';
import { loadPedestalStats, savePedestalStats } from '../../src/preprocessing/stats-artefact.js';
import { readRoiFrame } from '../../src/roi/compress.js';
import type { AnomalyScore } from '../../src/scores/score.js';
import { runTrigger } from '../../src/trigger/run-trigger.js';
import { noiseFrames, sequenceOf } from '../helpers/synthetic.js';

const dir = mkdtempSync(join(tmpdir(), 'tpcv-raw-input-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function naive(frame: Frame, dark: Float32Array | null, bin: number): Float32Array {
  const bw = frame.width / bin;
  const out = new Float32Array(bw * (frame.height / bin));
  for (let y = 0; y < frame.height; y++) {
    for (let x = 0; x < frame.width; x++) {
      const i = y * frame.width + x;
      const k = Math.floor(y / bin) * bw + Math.floor(x / bin);
      out[k] = Math.fround(out[k] + (frame.data[i] - (dark ? dark[i] : 0)));
    }
  }
  return out;
}

const darkOf = (w: number, h: number, seed: number) => {
  const rng = new Rng(seed);
  return Float32Array.from({ length: w * h }, () => 90 + 20 * rng.uniform());
};

describe('raw input: dark subtraction and binning', () => {
  it('equals the naive block sum of frame − dark; identity without either; errors name the frame', () => {
    const [f] = noiseFrames(1, 12, 4, { height: 8 });
    const dark = darkOf(12, 8, 5);
    for (const [d, bin] of [[dark, 4], [dark, 1], [null, 2]] as const) {
      const p = prepareRawFrame(f, { dark: d && { width: 12, height: 8, data: d }, bin });
      expect([p.width, p.height]).toEqual([12 / bin, 8 / bin]);
      expect(Array.from(p.data)).toEqual(Array.from(naive(f, d, bin)));
    }
    expect(prepareRawFrame(f, { dark: null, bin: 1 })).toBe(f);
    const named = makeFrame(12, 8, f.data, { source: 'run.MTIFF', index: 3 });
    expect(() => prepareRawFrame(named, { dark: { width: 10, height: 8, data: new Float32Array(80) }, bin: 1 })).toThrow(/run\.MTIFF \[frame 3\]: wrong frame size for the dark frame: the dark is 10×8, the frame 12×8/);
    expect(() => prepareRawFrame(named, { dark: null, bin: 5 })).toThrow(/run\.MTIFF \[frame 3\]: a 12×8 frame cannot be binned 5×5/);
  });

  it('statistics with dark and bin = statistics of the prepared frames; the dark kept through save/load; digests', async () => {
    const peds = noiseFrames(4, 16, 7, { height: 8 });
    const dark = darkOf(16, 8, 8);
    const darkPath = join(dir, 'dark.npy');
    writeNpyArray(darkPath, [8, 16], dark);
    const geometry = { frameWidth: 8, frameHeight: 4, crop: { x: 1, y: 0, width: 6, height: 4 }, analysisWidth: 6, analysisHeight: 4 };
    const withRaw = await computePedestalStats(sequenceOf(peds), preprocessSchema.parse({ ...geometry, darkFrame: darkPath, bin: 2 }));
    const prepared = peds.map((p) => makeFrame(8, 4, naive(p, dark, 2)));
    const plain = await computePedestalStats(sequenceOf(prepared), preprocessSchema.parse(geometry));
    for (const k of ['meanCrop', 'mu', 'sigma'] as const) expect(Array.from(withRaw[k])).toEqual(Array.from(plain[k]));
    expect(withRaw.extrema).toEqual(plain.extrema);

    const out = join(dir, 'stats');
    savePedestalStats(out, withRaw);
    rmSync(darkPath); // the statistics keep their own copy
    const back = loadPedestalStats(out);
    expect(Array.from(back.rawInput!.dark!.data)).toEqual(Array.from(dark));
    expect(statsDigest(back)).toBe(statsDigest(withRaw));
    expect(statsDigest(withRaw)).not.toBe(statsDigest(plain));
    // without raw input: the digest formula statistics had before the two keys existed
    const { darkFrame: _d, bin: _b, ...old } = plain.config;
    const h = createHash('sha256');
    h.update(JSON.stringify({ version: plain.version, config: old, min: plain.extrema.min, max: plain.extrema.max }));
    for (const a of [plain.meanCrop, plain.mu, plain.sigma]) {
      h.update(String(a.length));
      h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    }
    expect(statsDigest(plain)).toBe(h.digest('hex'));
  });

  it('the trigger with such statistics writes the ROIs of the prepared frames', async () => {
    const geometry = { frameWidth: 6, frameHeight: 6, crop: { x: 0, y: 0, width: 6, height: 6 }, analysisWidth: 6, analysisHeight: 6 };
    const peds = noiseFrames(4, 12, 9);
    const stats = await computePedestalStats(sequenceOf(peds), preprocessSchema.parse({ ...geometry, bin: 2 }));
    const plainStats = await computePedestalStats(sequenceOf(peds.map((p) => makeFrame(6, 6, naive(p, null, 2)))), preprocessSchema.parse(geometry));
    const frames = noiseFrames(2, 12, 10).map((f, k) => {
      const d = f.data.slice();
      d[(3 + k) * 12 + 4] += 500;
      return makeFrame(12, 12, d);
    });
    const { writeFrames } = await import('../../src/io/frames.js');
    const raw = frames.map((f, k) => join(dir, `raw${k}.npy`));
    const pre = frames.map((f, k) => join(dir, `pre${k}.npy`));
    frames.forEach((f, k) => {
      writeFrames(raw[k], [f]);
      writeFrames(pre[k], [makeFrame(6, 6, naive(f, null, 2))]);
    });
    const score: AnomalyScore = { name: 'identity', description: '', batchSize: 1, scoreBatch: async (maps) => maps.map((m) => Float32Array.from(m, (v) => 100 * v)) };
    const a = await runTrigger({ inputs: raw, outDir: join(dir, 'a'), stats, score, tau: 60, closingRadius: 0 });
    const b = await runTrigger({ inputs: pre, outDir: join(dir, 'b'), stats: plainStats, score, tau: 60, closingRadius: 0 });
    expect(a.failed).toEqual([]);
    a.outputs.forEach((o, k) => {
      const x = readRoiFrame(o);
      const y = readRoiFrame(b.outputs[k]);
      expect([x.width, x.height]).toEqual([6, 6]);
      expect(x.mask.some((v) => v === 1)).toBe(true);
      expect(Array.from(x.mask)).toEqual(Array.from(y.mask));
      expect(Array.from(x.values)).toEqual(Array.from(y.values));
    });
  });
});
