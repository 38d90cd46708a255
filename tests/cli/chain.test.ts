/**
 * The CLI chain pedestals → calibrate → trigger → evaluate on a tiny non-square run made here (noise
 * frames, hand-placed tracks whose added counts are the truth), each output checked on its values
 * against the naive references: τ against a brute-force calibration, the stored pixels against the
 * raw frames and the naive mask, the evaluation against the truth.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolvePipelineConfig, roiSchema } from '../../src/config/pipeline.js';
import type { CalibrationFile } from '../../src/calibration/calibrate-run.js';
import { writeNpyFrame } from '../../src/io/npy.js';
import { readRoiFrame } from '../../src/roi/compress.js';
import { Rng } from '../../src/core/rng.js';
import { noiseFrames } from '../helpers/synthetic.js';
import { expectBisected, naiveCalibratedTau, naiveClosedMask, naiveRawMask, naiveRetained } from '../helpers/naive-trigger.js';
import { expectMethodsMatch, naiveRunReference, scoreMapsOf } from '../helpers/naive-run.js';

const BIN = join(process.cwd(), 'bin', 'tpcvision.js');
const cli = (args: string[]) => JSON.parse(execFileSync('node', [BIN, ...args, '--json'], { encoding: 'utf8' }));

// 70×52 frames, crop (8, 6, 54×40) → 36×20 grid (1.5 crop px per column, 2 per row)
const [W, H] = [70, 52];
const config = {
  preprocess: { frameWidth: W, frameHeight: H, crop: { x: 8, y: 6, width: 54, height: 40 }, analysisWidth: 36, analysisHeight: 20 },
  roi: { closingRadius: 2 },
  trigger: { maxKeptFraction: 0.5 }, // three tracks on a 36×20 grid keep ~25% of it: real for this toy geometry
  calibration: { targetFraction: 0.03, border: 3 },
  evaluation: { containmentBorder: 3, sweepPoints: 6, energyBins: [1, 5, 20, 100], lowEnergyRange: [1, 5], lowCoverage: 0.5, referenceAreaCut: 0.9 },
};
const cfg = resolvePipelineConfig(config);

/** A data frame: noise plus straight tracks (the added counts are the truth, energy ∝ counts). */
function dataFrame(i: number) {
  const [frame] = noiseFrames(1, W, 100 + i, { height: H });
  const rng = Rng.derive(7, `tracks:${i}`);
  const events = [];
  for (let id = 0; id < 3; id++) {
    // the third track starts near the left edge of the crop: often outside the containment border
    const [x0, y0] = id === 2 ? [8 + rng.int(0, 3), 6 + rng.int(0, 40)] : [12 + rng.int(0, 40), 10 + rng.int(0, 30)];
    const [dx, dy] = [rng.range(-1, 1), rng.range(-1, 1)];
    const len = rng.int(3, 14);
    const index: number[] = [];
    const counts: number[] = [];
    for (let k = 0; k < len; k++) {
      const x = Math.round(x0 + k * dx);
      const y = Math.round(y0 + k * dy);
      if (x < 0 || y < 0 || x >= W || y >= H || index.includes(y * W + x)) continue;
      const c = rng.int(5, 60);
      frame.data[y * W + x] += c;
      index.push(y * W + x);
      counts.push(c);
    }
    events.push({ id, type: 'er', energyKeV: counts.reduce((a, b) => a + b, 0) / 40, pixels: { index, counts } });
  }
  return { frame, truth: { frame: `d${i}.npy`, width: W, height: H, events } };
}

describe('tpcvision pedestals → calibrate → trigger → evaluate, checked on values', () => {
  it('τ is the brute-force calibration, the trigger stores the raw pixels of the naive mask at the calibrated τ of --score, and the evaluation equals the naive one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tpcv-chain-'));
    const cfgFile = join(dir, 'config.json');
    writeFileSync(cfgFile, JSON.stringify(config));
    for (const [sub, n, seed] of [['peds', 8, 1], ['held', 4, 2]] as const) {
      mkdirSync(join(dir, sub));
      noiseFrames(n, W, seed, { height: H, rowOffset: 1 }).forEach((f, i) => writeNpyFrame(join(dir, sub, `p${i}.npy`), f));
    }
    mkdirSync(join(dir, 'data'));
    for (let i = 0; i < 4; i++) {
      const { frame, truth } = dataFrame(i);
      writeNpyFrame(join(dir, 'data', truth.frame), frame);
      writeFileSync(join(dir, 'data', `d${i}.truth.json`), JSON.stringify(truth));
    }
    const stats = join(dir, 'stats');
    cli(['pedestals', join(dir, 'peds'), '--out', stats, '--config', cfgFile]);

    // 1. calibrate two scores; each τ against the brute force on the held-out maps
    const calPath = join(dir, 'cal.json');
    cli(['calibrate', join(dir, 'held'), '--stats', stats, '--out', calPath, '--score', 'gaussian', 'matched-filter', '--config', cfgFile]);
    const cal = JSON.parse(readFileSync(calPath, 'utf8')) as CalibrationFile;
    expect(cal.methods.map((m) => m.name)).toEqual(['gaussian', 'matched-filter']);
    const [AW, AH] = [36, 20];
    for (const m of cal.methods) {
      const maps = (await scoreMapsOf(join(dir, 'held'), stats, m.name, cfg)).map((s) => s.map);
      const ref = naiveCalibratedTau(maps, AW, AH, 2, 3, 0.03, 'fraction');
      expectBisected(m.tau, ref, cfg.calibration);
      expect(m.calibration.whole.fraction).toBeCloseTo(naiveRetained(maps, AW, AH, m.tau, 2, 3).fraction, 12);
      expectBisected(m.calibration.interior.tau, naiveCalibratedTau(maps, AW, AH, 2, 3, 0.03, 'interiorFraction'), cfg.calibration);
    }
    const [gauss, matched] = cal.methods;
    // the two τ differ from each other and from the configured default: a trigger that ignored
    // --calibration, or read another score's τ, would be caught below
    expect(matched.tau).not.toBe(gauss.tau);
    expect(matched.tau).not.toBe(roiSchema.parse({}).tau);

    // 2. trigger with the second score: τ from the calibration file; stored pixels = raw under the naive mask
    const out = join(dir, 'roi');
    const trig = cli(['trigger', join(dir, 'data'), '--stats', stats, '--calibration', calPath, '--score', 'matched-filter', '--out', out, '--config', cfgFile]);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(trig.tau).toBe(matched.tau);
    expect(summary.tau).toBe(matched.tau);
    expect(summary.framesWritten).toBe(4);
    const maps = await scoreMapsOf(join(dir, 'data'), stats, 'matched-filter', cfg);
    let kept = 0;
    for (const { file, map } of maps) {
      const raw = naiveRawMask(naiveClosedMask(map, AW, AH, matched.tau, 2), cfg.preprocess);
      const roi = readRoiFrame(join(out, file.replace(/\.npy$/, '.roi')));
      const data = dataFrame(Number(file.slice(1, -4))).frame.data;
      expect(Array.from(roi.mask)).toEqual(Array.from(raw));
      for (let p = 0; p < W * H; p++) expect(roi.values[p]).toBe(raw[p] ? data[p] : 0);
      kept += raw.reduce((s, v) => s + v, 0) / (W * H);
    }
    expect(kept).toBeGreaterThan(0);
    expect(summary.keptFractionRaw).toBeCloseTo(kept / 4, 12);
    expect(readdirSync(out).filter((f) => f.endsWith('.roi'))).toHaveLength(4);

    // 3. evaluate every calibrated score: each figure against the naive evaluation of the truth
    const evDir = join(dir, 'ev');
    cli(['evaluate', join(dir, 'data'), '--stats', stats, '--calibration', calPath, '--out', evDir, '--config', cfgFile, '--no-report']);
    const evaluation = JSON.parse(readFileSync(join(evDir, 'evaluation.json'), 'utf8'));
    const refs = await naiveRunReference(join(dir, 'data'), stats, cal, cfg);
    expectMethodsMatch(evaluation.methods, refs);
    expect(evaluation.dataset.containedEvents).toBe(refs.get('gaussian')!.events);
    expect(evaluation.dataset.events).toBe(12);
    expect(evaluation.dataset.containedEvents).toBeLessThan(12);
  });
});
