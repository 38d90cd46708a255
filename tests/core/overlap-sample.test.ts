/**
 * Overlap samples: percentile, truth cut, guarded scale, valid box, the scaling and its inverse.
 * Images are tiny (a few px) except where the 1%-coverage rule needs the real 288×512 frame.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  boundingBox,
  cutTruth,
  invertScaling,
  percentile,
  prepareSample,
  scaledChannels,
  scaleFactors,
} from '../../src/core/overlap-sample.js';
import { PREPARATION_DEFAULTS as DEFAULT_PREPARE } from '../../src/config/overlap-sample.js';
import { expectClose } from '../helpers/close.js';
import { sampleFacts as facts } from '../helpers/sample-facts.js';

describe('percentile and truth cut', () => {
  it('matches numpy-style linear interpolation', () => {
    expect(percentile([1, 2, 3, 4], 50)).toBe(2.5); // position 1.5 → between 2 and 3
    expect(percentile([10, 0, 5], 99)).toBeCloseTo(9.9, 12); // sorted 0,5,10; position 1.98 → 5 + 0.98·5
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -50, max: 50 }), { minLength: 1, maxLength: 60 }), fc.integer({ min: 0, max: 100 }), (xs, p) => {
        const s = [...xs].sort((a, b) => a - b);
        const pos = (p / 100) * (s.length - 1);
        const lo = Math.floor(pos);
        const ref = s[lo] + (pos - lo) * (s[Math.min(lo + 1, s.length - 1)] - s[lo]);
        expect(percentile(xs, p)).toBeCloseTo(ref, 9);
      }),
      { numRuns: 200, seed: 108 },
    );
  });

  it('sets truth pixels at or below 1 ADU to zero', () => {
    expect(Array.from(cutTruth(Float32Array.from([0.5, 1, 1.5, -3, 40]), 1))).toEqual([0, 0, 1.5, 0, 40]);
  });
});

describe('scaling', () => {
  it('works out by hand: s = floor 10 ADU, 90 ADU → log10(10) = 1, 990 ADU → log10(100) = 2', () => {
    // 200 pixels, two lit: p99 sits at position 0.99·199 = 197.01 of the sorted input, between the
    // last 0 and the 90 → 0.9 ADU, below the 10-ADU floor, so s = 10
    const n = 200;
    const er = new Float32Array(n);
    const nr = new Float32Array(n);
    er[5] = 90;
    nr[6] = 990;
    const input = Float32Array.from(er, (v, i) => v + nr[i]);
    input[7] = -5; // negative noise is clamped to 0 before the log
    const s = prepareSample(facts('hand'), 20, 10, { input, er, nr }, DEFAULT_PREPARE);
    expect(s.factors).toEqual({ s: 10, inputMax: 2, targetMax: 2 });
    const scaled = scaledChannels(s);
    expect([scaled.er[5], scaled.nr[6], scaled.input[6], scaled.input[7]]).toEqual([0.5, 1, 1, 0]);
  });

  it('guards s for tiny events: floor (default) or the event pixels, never ~0', () => {
    const w = 512;
    const h = 288;
    const tiny = new Float32Array(w * h);
    for (let i = 0; i < 10; i++) tiny[1000 + i] = 500; // 10 px ≪ 1% of the frame: p99 of the frame is 0
    const zero = new Float32Array(w * h);
    expect(scaleFactors(tiny, tiny, zero, DEFAULT_PREPARE).s).toBe(DEFAULT_PREPARE.sFloorAdu);
    expect(scaleFactors(tiny, tiny, zero, { ...DEFAULT_PREPARE, guard: 'event' }).s).toBe(500);
    expect(scaleFactors(zero, zero, zero, DEFAULT_PREPARE).s).toBe(DEFAULT_PREPARE.sFloorAdu); // nothing at all: still > 0
    const wide = new Float32Array(w * h);
    for (let i = 0; i < 3000; i++) wide[i] = 500; // 2% coverage: the frame's p99 is an event pixel
    expect(scaleFactors(wide, wide, zero, DEFAULT_PREPARE).s).toBe(500);
    expect(scaleFactors(wide, wide, zero, { ...DEFAULT_PREPARE, guard: 'event' }).s).toBe(500);
  });

  it('round trip: scaled targets and input invert to the raw ADU', () => {
    const w = 7;
    const h = 5;
    const er = new Float32Array(w * h);
    const nr = new Float32Array(w * h);
    const input = new Float32Array(w * h);
    for (let i = 0; i < w * h; i++) {
      er[i] = i % 3 === 0 ? 2 + i * 3.7 : 0;
      nr[i] = i % 4 === 0 ? 1000 * i : 0.5; // 0.5 is cut to 0
      input[i] = er[i] + nr[i] + (i % 5) - 2;
    }
    const s = prepareSample(facts('rt'), w, h, { input, er, nr }, DEFAULT_PREPARE);
    const scaled = scaledChannels(s);
    expect(Math.max(...scaled.er, ...scaled.nr)).toBeCloseTo(1, 12); // targets share one maximum
    expect(Math.max(...scaled.input)).toBeCloseTo(1, 12);
    expectClose(invertScaling(scaled.er, s.factors), s.er, 1e-3, 1e-5);
    expectClose(invertScaling(scaled.nr, s.factors), s.nr, 1e-3, 1e-5);
    expectClose(invertScaling(scaled.input, s.factors, 'input'), input.map((v) => Math.max(v, 0)), 1e-3, 1e-5);
    expect(s.nr.filter((v) => v === 0.5).length).toBe(0);
  });

  it('valid box = padded bounding box of the event pixels, clipped; the whole image when empty', () => {
    const m = new Uint8Array(10 * 6);
    m[2 * 10 + 3] = 1;
    m[4 * 10 + 8] = 1;
    expect(boundingBox(m, 10, 6, 0)).toEqual({ x0: 3, y0: 2, x1: 9, y1: 5 });
    expect(boundingBox(m, 10, 6, 2)).toEqual({ x0: 1, y0: 0, x1: 10, y1: 6 });
    expect(boundingBox(new Uint8Array(60), 10, 6, 2)).toEqual({ x0: 0, y0: 0, x1: 10, y1: 6 });
  });
});
