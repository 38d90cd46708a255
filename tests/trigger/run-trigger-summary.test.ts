/**
 * What runTrigger records beside the masks: the output names (stacks numbered), the metadata stamped
 * into each .roi file, summary.json (what it returns, written to disk), and the per-stage ms per frame
 * under an injected clock, so their arithmetic (clock differences, divided by the frames written) is
 * checked without measuring anything.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { preprocessSchema } from '../../src/config/pipeline.js';
import { toolVersion } from '../../src/core/version.js';
import { writeFrames } from '../../src/io/frames.js';
import { computePedestalStats, statsDigest } from '../../src/preprocessing/pedestal-stats.js';
import { readRoiFrame } from '../../src/roi/compress.js';
import type { AnomalyScore } from '../../src/scores/score.js';
import { runTrigger } from '../../src/trigger/run-trigger.js';
import { noiseFrames, sequenceOf } from '../helpers/synthetic.js';

afterEach(() => vi.restoreAllMocks());

// 13×9 frames, crop (1, 2, 11×6) → 11×6 grid
const pre = preprocessSchema.parse({ frameWidth: 13, frameHeight: 9, crop: { x: 1, y: 2, width: 11, height: 6 }, analysisWidth: 11, analysisHeight: 6 });

async function setUp() {
  const stats = await computePedestalStats(sequenceOf(noiseFrames(4, 13, 3, { height: 9 })), pre);
  const dir = mkdtempSync(join(tmpdir(), 'tpcv-trig-sum-'));
  const frames = noiseFrames(4, 13, 7, { height: 9 });
  writeFrames(join(dir, 'stack.npy'), frames.slice(0, 3));
  writeFrames(join(dir, 'one.npy'), frames.slice(3));
  writeFileSync(join(dir, 'broken.npy'), 'not a frame');
  return { stats, dir, frames };
}

describe('runTrigger outputs', () => {
  it('names stack frames with a number, single frames by their file; metadata per frame; summary.json = the summary', async () => {
    const { stats, dir } = await setUp();
    let clock = 0;
    vi.spyOn(performance, 'now').mockImplementation(() => ++clock);
    // a score whose map is hot in the first column only; it adds 100 to the clock per call
    const score: AnomalyScore = {
      name: 'hand',
      description: '',
      batchSize: 1,
      async scoreBatch(maps, w) {
        clock += 100;
        return maps.map((m) => Float32Array.from(m, (_, i) => (i % w === 0 ? 10 : 0)));
      },
    };
    const out = join(dir, 'out');
    const inputs = ['stack.npy', 'broken.npy', 'one.npy'].map((f) => join(dir, f));
    const ticks: string[] = [];
    const progress = { start: (n: number, l: string) => ticks.push(`start ${n} ${l}`), tick: () => ticks.push('tick'), stop: () => ticks.push('stop') };
    const s = await runTrigger({ inputs, outDir: out, stats, score, tau: 5, closingRadius: 0, progress, provenance: { seed: 12, command: 'x' } });
    expect(ticks).toEqual(['start 3 trigger', 'tick', 'tick', 'tick', 'stop']);
    const names = ['stack_0000.roi', 'stack_0001.roi', 'stack_0002.roi', 'one.roi'];
    expect(readdirSync(out).sort()).toEqual([...names, 'journal.jsonl', 'summary.json'].sort());
    expect(s.outputs).toEqual(names.map((n) => join(out, n)));
    expect(s.framesIn).toBe(5);
    expect(s.framesWritten).toBe(4);
    expect(s.failed.map((f) => f.source)).toEqual([inputs[1]]);
    expect(s.tool).toEqual({ name: 'tpcvision', version: toolVersion() });
    const digests = { statsSha256: statsDigest(stats), calibrationSha256: null, modelSha256: null };
    expect(s.provenance).toEqual({ seed: 12, command: 'x', ...digests });
    expect([s.score, s.tau, s.closingRadius]).toEqual(['hand', 5, 0]);
    // one column of 11 on the grid; on the raw grid, crop column 0 (x = 1) over the crop's 6 rows of the 13×9 frame
    expect(s.keptFractionAnalysis).toBeCloseTo(1 / 11, 12);
    expect(s.keptFractionRaw).toBeCloseTo(6 / (13 * 9), 12);
    expect(s.roisPerFrame).toBe(1);
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'))).toEqual(s);
    names.forEach((n, k) => {
      const meta = readRoiFrame(join(out, n)).meta;
      expect(meta).toEqual({ source: k < 3 ? inputs[0] : inputs[2], frameIndex: k < 3 ? k : 0, score: 'hand', tau: 5, tool: `tpcvision ${toolVersion()}`, seed: 12, command: 'x', ...digests });
    });
    // the clock ticks 1 per reading: opening a file, reading a frame and preprocessing it each read it
    // twice with nothing between (a file's 1 shared among its frames: stack 3 × (1 + 1/3), one 1 + 1,
    // over 4 frames); the score adds 100
    expect(s.msPerFrame.read).toBe((3 * (1 + 1 / 3) + 2) / 4);
    expect(s.msPerFrame.preprocess).toBe(1);
    expect(s.msPerFrame.score).toBe(101);
    // ROI forming and writing read the clock a few times themselves: small and positive
    for (const v of [s.msPerFrame.roi, s.msPerFrame.write]) {
      expect(v).toBeGreaterThanOrEqual(1);
      expect(v).toBeLessThan(10);
    }
  });

  it('without provenance: only the digests in the summary; a lone frame file has no number', async () => {
    const { stats, dir } = await setUp();
    const score: AnomalyScore = { name: 'zero', description: '', batchSize: 1, scoreBatch: async (m) => m.map((x) => new Float32Array(x.length)) };
    const out = join(dir, 'out2');
    const s = await runTrigger({ inputs: [join(dir, 'one.npy')], outDir: out, stats, score, tau: 1, closingRadius: 1 });
    const digests = { statsSha256: statsDigest(stats), calibrationSha256: null, modelSha256: null };
    expect(s.provenance).toEqual(digests);
    expect(s.outputs).toEqual([join(out, 'one.roi')]);
    expect(readRoiFrame(join(out, 'one.roi')).meta).toEqual({ source: join(dir, 'one.npy'), frameIndex: 0, score: 'zero', tau: 1, tool: `tpcvision ${toolVersion()}`, ...digests });
  });
});
