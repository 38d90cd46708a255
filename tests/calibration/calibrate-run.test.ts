/**
 * calibrate-run.ts in-process: the batching of scoreFrames, the calibration file calibrateScores
 * builds (each method's τ and sweep against calibrateThreshold / sweepTausFromPedestals on the maps
 * scored here, in the order given), reading the file back and finding a method in it.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { preprocessSchema, resolvePipelineConfig } from '../../src/config/pipeline.js';
import { InputError } from '../../src/core/errors.js';
import { toolVersion } from '../../src/core/version.js';
import { computePedestalStats } from '../../src/preprocessing/pedestal-stats.js';
import { preprocessFrame } from '../../src/preprocessing/preprocess.js';
import type { AnomalyScore } from '../../src/scores/score.js';
import { calibrateThreshold } from '../../src/calibration/calibrate.js';
import { calibrateScores, findMethod, loadCalibrationFile, scoreFrames, sweepTausFromPedestals, type CalibrationFile } from '../../src/calibration/calibrate-run.js';
import { noiseFrames, sequenceOf } from '../helpers/synthetic.js';

// 23×17 frames → 11×7 analysis grid (non-square, asymmetric)
const pre = preprocessSchema.parse({ frameWidth: 23, frameHeight: 17, crop: { x: 1, y: 2, width: 21, height: 14 }, analysisWidth: 11, analysisHeight: 7 });
const cfg = resolvePipelineConfig({ preprocess: pre, roi: { closingRadius: 1 }, evaluation: { sweepPoints: 5 }, calibration: { targetFraction: 0.1 } });
const frames = noiseFrames(6, 23, 5, { height: 17, sigma: 3 });

/** A score that records the batch sizes it was given; its map is the analysis map scaled by `k` plus the pixel's column. */
function recordingScore(name: string, batchSize: number, k: number) {
  const calls: number[] = [];
  const score: AnomalyScore = {
    name,
    description: 'test',
    batchSize,
    async scoreBatch(maps, w) {
      calls.push(maps.length);
      return maps.map((m) => Float32Array.from(m, (v, i) => k * v + (i % w) * 0.01));
    },
  };
  return { score, calls };
}

function recordingProgress() {
  const log: string[] = [];
  let ticks = 0;
  return {
    log,
    ticks: () => ticks,
    progress: { start: (_t: number, label: string) => log.push(`start ${label}`), tick: (n = 1) => void (ticks += n), stop: () => log.push('stop') },
  };
}

describe('scoreFrames', () => {
  it('scores every frame once, in order, in batches of the preferred size (6 frames, size 4 → 4, 2; size 3 → 3, 3 and no empty batch)', async () => {
    const stats = await computePedestalStats(sequenceOf(frames), pre);
    const expected = frames.map((f) => preprocessFrame(f, stats));
    for (const [size, batches] of [
      [4, [4, 2]],
      [3, [3, 3]],
      [1, [1, 1, 1, 1, 1, 1]],
    ] as const) {
      const { score, calls } = recordingScore('s', size, 2);
      const p = recordingProgress();
      const maps = await scoreFrames(frames, stats, score, p.progress);
      expect(calls).toEqual(batches);
      expect(p.ticks()).toBe(6);
      expect(maps).toHaveLength(6);
      maps.forEach((m, f) => expect(Array.from(m)).toEqual(Array.from(expected[f], (v, i) => Math.fround(2 * v + (i % 11) * 0.01))));
    }
  });
});

describe('calibrateScores', () => {
  it('one method per score, in order, each with τ and sweep from its own pedestal scores; log and progress hear each', async () => {
    const stats = await computePedestalStats(sequenceOf(frames), pre);
    const a = recordingScore('alpha', 4, 1);
    const b = recordingScore('beta', 1, 3);
    const p = recordingProgress();
    const lines: string[] = [];
    const file = await calibrateScores(sequenceOf(frames), stats, [a.score, b.score], cfg, p.progress, (l) => lines.push(l));
    expect(file.kind).toBe('tpcvision-calibration');
    expect(file.version).toBe(1);
    expect(file.tool).toEqual({ name: 'tpcvision', version: toolVersion() });
    expect(file.methods.map((m) => m.name)).toEqual(['alpha', 'beta']);
    expect(lines).toEqual(['calibrating alpha', 'calibrating beta']);
    expect(p.log).toEqual(['start calibrate alpha', 'stop', 'start calibrate beta', 'stop']);
    for (const [m, k] of [
      [file.methods[0], 1],
      [file.methods[1], 3],
    ] as const) {
      const maps = frames.map((f) => Float32Array.from(preprocessFrame(f, stats), (v, i) => k * v + (i % 11) * 0.01));
      const cal = calibrateThreshold(maps, 11, 7, 1, cfg.calibration);
      expect(m.calibration).toEqual(cal);
      expect(m.tau).toBe(cal.whole.tau);
      const sweep = sweepTausFromPedestals(maps, 5, [cal.whole.tau], cfg.calibration.sweepExceedance, cfg.calibration.quantileSamplePixels);
      expect(m.sweepTaus).toEqual(sweep);
      expect(m.sweepTaus).toContain(m.tau);
      expect(m.sweepTaus.length).toBeGreaterThanOrEqual(4);
    }
    // the scores differ by a factor 3 on the same maps (plus the same column ramp): τ differs
    expect(file.methods[1].tau).not.toBe(file.methods[0].tau);
  });
});

describe('sweepTausFromPedestals', () => {
  const maps = [Float32Array.from({ length: 200 }, (_, i) => (i * 37) % 200)];
  it('ascending, without duplicates, the default include adding nothing', () => {
    const t = sweepTausFromPedestals(maps, 4, undefined, [0.01, 0.5]);
    expect(t).toEqual([...t].sort((x, y) => x - y));
    expect(new Set(t).size).toBe(t.length);
    expect(t.length).toBe(4);
    expect(t[0]).toBeLessThan(t[3]);
  });
  it('drops a non-finite quantile (a NaN score sorts last, so the top quantile of these maps is NaN)', () => {
    // 3 values 1, 2, NaN: exceedance 0.1 → index ⌊0.9·3⌋ = 2 → NaN, dropped; exceedance 0.5 → index 1 → 2
    expect(sweepTausFromPedestals([Float32Array.of(2, Number.NaN, 1)], 2, [], [0.1, 0.5], 1000)).toEqual([2]);
  });
  it('rejects low = high, naming both', () => {
    expect(() => sweepTausFromPedestals(maps, 4, [], [0.1, 0.1])).toThrow('got [0.1, 0.1]');
  });
});

describe('calibration file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tpcv-cal-'));
  const good: CalibrationFile = {
    kind: 'tpcvision-calibration',
    version: 1,
    tool: { name: 'tpcvision', version: 'x' },
    methods: [
      { name: 'a', tau: 1.5, calibration: {} as never, sweepTaus: [1, 1.5] },
      { name: 'b', tau: 2.5, calibration: {} as never, sweepTaus: [2.5] },
    ],
  };
  const write = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };

  it('reads back what was written', () => {
    expect(loadCalibrationFile(write('good.json', JSON.stringify(good)))).toEqual(good);
  });
  it('names the file and the problem: unreadable JSON, wrong kind, methods not a list', () => {
    const bad = write('bad.json', '{ not json');
    expect(() => loadCalibrationFile(bad)).toThrow(InputError);
    expect(() => loadCalibrationFile(bad)).toThrow(`${bad}: cannot read calibration JSON: `);
    for (const [name, obj] of [
      ['kind.json', { ...good, kind: 'tpcvision-evaluation' }],
      ['methods.json', { ...good, methods: { a: 1 } }],
    ] as const) {
      const p = write(name, JSON.stringify(obj));
      expect(() => loadCalibrationFile(p)).toThrow(`${p}: not a tpcvision calibration file (run \`tpcvision calibrate\` to make one)`);
    }
  });
  it('findMethod returns the named method, else lists those calibrated', () => {
    expect(findMethod(good, 'b', 'cal.json')).toBe(good.methods[1]);
    expect(findMethod(good, 'a', 'cal.json')).toBe(good.methods[0]);
    expect(() => findMethod(good, 'c', 'cal.json')).toThrow(new InputError('cal.json', "no calibration for score 'c' (calibrated: a, b)"));
  });
});
