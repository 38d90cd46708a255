/**
 * `tpcvision demo` at a tiny size (288² frames: a 128² grid, 12 events, no autoencoders, no overlap part), its
 * outputs checked against the naive references computed from the files it wrote: every figure of
 * evaluation.json from the frames, truth, statistics and calibration; the calibrated τ against the
 * brute force on the held-out pedestals; the trigger's kept pixels and τ.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolvePipelineConfig } from '../../src/config/pipeline.js';
import type { CalibrationFile } from '../../src/calibration/calibrate-run.js';
import { readRoiFrame } from '../../src/roi/compress.js';
import { expectBisected, naiveCalibratedTau, naiveClosedMask, naiveRawMask, sumOf } from '../helpers/naive-trigger.js';
import { expectMethodsMatch, naiveRunReference, scoreMapsOf } from '../helpers/naive-run.js';

const BIN = join(process.cwd(), 'bin', 'tpcvision.js');

describe('tpcvision demo (tiny), checked against the naive references of the files it wrote', () => {
  it('evaluation.json, the calibration and the trigger equal their naive references', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'tpcv-demo-')), 'demo');
    execFileSync('node', [BIN, 'demo', '--out', out, '--size', '288', '--events', '12', '--ae-epochs', '0', '--no-oasis', '--json'], { encoding: 'utf8' });
    const evaluation = JSON.parse(readFileSync(join(out, 'evaluation.json'), 'utf8'));
    const cal = JSON.parse(readFileSync(join(out, 'calibration.json'), 'utf8')) as CalibrationFile;
    const cfg = resolvePipelineConfig(evaluation.provenance.config);
    const stats = join(out, 'stats');
    const data = join(out, 'sim', 'data');
    const { analysisWidth: aw, analysisHeight: ah } = cfg.preprocess;
    const r = cfg.roi.closingRadius;

    // 1. the evaluation: every method's figures from the frames and truth on disk
    const refs = await naiveRunReference(data, stats, cal, cfg);
    expect(cal.methods.map((m) => m.name)).toEqual(['gaussian', 'gaussian-rowcol', 'matched-filter']);
    expectMethodsMatch(evaluation.methods, refs);
    const truths = readdirSync(data).filter((f) => f.endsWith('.truth.json'));
    expect(evaluation.dataset.frames).toBe(truths.length);
    expect(evaluation.dataset.events).toBe(12);
    expect(evaluation.dataset.containedEvents).toBe(refs.get('gaussian')!.events);
    // the Gaussian sweep spans the reference cut (0.978): its quoted coverage is the interpolated one
    expect(evaluation.methods[0].coverageAtReferenceCut).not.toBeNull();

    // 2. the calibration: τ on the held-out pedestals (the 20 after the 32 training ones) by brute force
    const held = join(out, 'held');
    mkdirSync(held);
    const peds = readdirSync(join(out, 'sim', 'pedestals')).sort();
    expect(peds).toHaveLength(52);
    for (const f of peds.slice(32)) symlinkSync(join(out, 'sim', 'pedestals', f), join(held, f));
    for (const m of cal.methods) {
      const maps = (await scoreMapsOf(held, stats, m.name, cfg)).map((s) => s.map);
      expectBisected(m.tau, naiveCalibratedTau(maps, aw, ah, r, cfg.calibration.border, cfg.calibration.targetFraction, 'fraction'), cfg.calibration);
    }

    // 3. the trigger (Gaussian score at its calibrated τ): the kept raw pixels are the naive mask's
    const summary = JSON.parse(readFileSync(join(out, 'trigger', 'summary.json'), 'utf8'));
    expect(summary.tau).toBe(cal.methods[0].tau);
    let kept = 0;
    for (const { file, map } of await scoreMapsOf(data, stats, 'gaussian', cfg)) {
      const raw = naiveRawMask(naiveClosedMask(map, aw, ah, summary.tau, r), cfg.preprocess);
      const roi = readRoiFrame(join(out, 'trigger', file.replace(/\.npy$/, '.roi')));
      expect(Array.from(roi.mask)).toEqual(Array.from(raw));
      kept += sumOf(raw) / raw.length;
    }
    expect(summary.keptFractionRaw).toBeCloseTo(kept / truths.length, 12);
  });
});
