/**
 * The ROI functions' argument checks (src/roi/check.ts) and extractRois' step timings. A wrong size is
 * a programming error in the caller: the message must name the function, the array and both sizes,
 * and the boundary values (radius 0, a 1×1 image, a fractional radius) must be accepted.
 * Timings are read through an injected clock (performance.now stubbed with a known sequence), so the
 * test checks which interval is reported as which step, never how long anything took.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { closeMask, dilateMask, erodeMask } from '../../src/roi/closing.js';
import { labelComponents } from '../../src/roi/components.js';
import { squaredDistanceToBackground, squaredDistanceToForeground } from '../../src/roi/distance-transform.js';
import { extractRois } from '../../src/roi/extract.js';
import { thresholdMap } from '../../src/roi/threshold.js';

const sizeError = (fn: string, w: number, h: number) => `${fn}: image size must be positive integers, got ${w}×${h}`;

describe('ROI argument checks name the function and the sizes', () => {
  it('image size: positive integers only, each side checked on its own', () => {
    const bad: [number, number][] = [
      [0, 3],
      [3, 0],
      [-1, 3],
      [3, -1],
      [2.5, 2],
      [2, 2.5],
      [NaN, 2],
      [2, Infinity],
    ];
    for (const [w, h] of bad) {
      const n = Number.isFinite(w * h) && w * h > 0 ? w * h : 0;
      expect(() => closeMask(new Uint8Array(n), w, h, 1)).toThrow(new RangeError(sizeError('closeMask', w, h)));
      expect(() => labelComponents(new Uint8Array(n), w, h, new Float32Array(n))).toThrow(sizeError('labelComponents', w, h));
      expect(() => squaredDistanceToForeground(new Uint8Array(n), w, h)).toThrow(sizeError('squaredDistanceToForeground', w, h));
      expect(() => extractRois(new Float32Array(n), null, w, h, { tau: 0 })).toThrow(sizeError('extractRois', w, h));
    }
    // the smallest image is fine
    expect(Array.from(closeMask(Uint8Array.of(1), 1, 1, 1))).toEqual([1]);
    expect(labelComponents(Uint8Array.of(1), 1, 1, Float32Array.of(7)).rois).toEqual([
      { id: 1, x0: 0, y0: 0, x1: 0, y1: 0, area: 1, sumIntensity: 7, maxIntensity: 7 },
    ]);
  });

  it('array length: the array named, its length and the expected w×h = n', () => {
    expect(() => dilateMask(new Uint8Array(5), 3, 2, 1)).toThrow(new RangeError('dilateMask: mask has 5 pixels, expected 3×2 = 6'));
    expect(() => erodeMask(new Uint8Array(7), 3, 2, 1)).toThrow('erodeMask: mask has 7 pixels, expected 3×2 = 6');
    expect(() => labelComponents(new Uint8Array(6), 3, 2, new Float32Array(5))).toThrow(
      'labelComponents: intensity has 5 pixels, expected 3×2 = 6',
    );
    expect(() => labelComponents(new Uint8Array(4), 3, 2, new Float32Array(6))).toThrow('labelComponents: mask has 4 pixels, expected 3×2 = 6');
    expect(() => squaredDistanceToBackground(new Uint8Array(6), 3, 2, new Float64Array(4))).toThrow(
      'squaredDistanceToBackground: out has 4 pixels, expected 3×2 = 6',
    );
    expect(() => squaredDistanceToBackground(new Uint8Array(8), 3, 2)).toThrow('squaredDistanceToBackground: mask has 8 pixels');
    expect(() => extractRois(new Float32Array(5), null, 3, 2, { tau: 0 })).toThrow('extractRois: scoreMap has 5 pixels, expected 3×2 = 6');
    expect(() => extractRois(new Float32Array(6), new Float32Array(5), 3, 2, { tau: 0 })).toThrow(
      'extractRois: intensityMap has 5 pixels, expected 3×2 = 6',
    );
    // an intensity function is called with the label mask, never length-checked up front
    const seen: number[] = [];
    const r = extractRois(Float32Array.of(0, 1, 0, 0, 0, 0), (m) => (seen.push(m.length), new Float32Array(6).fill(2)), 3, 2, { tau: 0.5, closingRadius: 0 });
    expect(seen).toEqual([6]);
    expect(r.rois.map((x) => x.sumIntensity)).toEqual([2]);
  });

  it('radius: any finite number ≥ 0; the message names the function and the radius', () => {
    for (const r of [-1, -0.001, NaN, Infinity, -Infinity]) {
      expect(() => closeMask(new Uint8Array(4), 2, 2, r)).toThrow(
        new RangeError(`closeMask: radius must be a finite number ≥ 0 (pixels), got ${r}`),
      );
      expect(() => dilateMask(new Uint8Array(4), 2, 2, r)).toThrow(`dilateMask: radius must be a finite number ≥ 0 (pixels), got ${r}`);
      expect(() => erodeMask(new Uint8Array(4), 2, 2, r)).toThrow(`erodeMask: radius must be`);
    }
    // 0 is the identity, 0.5 too (no integer offset other than (0,0) lies within 0.5)
    const m = Uint8Array.of(1, 0, 0, 1, 0, 1);
    expect(Array.from(closeMask(m, 3, 2, 0))).toEqual(Array.from(m));
    expect(Array.from(dilateMask(m, 3, 2, 0.5))).toEqual(Array.from(m));
  });

  it('radius √k means squared radius k, even where √k·√k rounds below k (k = 13, 29)', () => {
    // Math.sqrt(13) ** 2 = 12.999999999999998: the disk must still hold the offsets (2, 3) and (3, 2)
    for (const k of [13, 29]) {
      expect(Math.sqrt(k) * Math.sqrt(k)).toBeLessThan(k);
      const w = 13;
      const h = 11;
      const m = new Uint8Array(w * h);
      m[5 * w + 6] = 1; // (6, 5)
      const want = Array.from({ length: w * h }, (_, i) => ((i % w) - 6) ** 2 + (Math.floor(i / w) - 5) ** 2 <= k ? 1 : 0);
      expect(Array.from(dilateMask(m, w, h, Math.sqrt(k)))).toEqual(want);
      // the erosion of the complement is the complement of that disk
      const holed = Uint8Array.from(m, (v) => 1 - v);
      expect(Array.from(erodeMask(holed, w, h, Math.sqrt(k)))).toEqual(want.map((v) => 1 - v));
    }
  });

  it('thresholdMap names a NaN tau', () => {
    expect(() => thresholdMap(new Float32Array(2), NaN)).toThrow(new RangeError('thresholdMap: tau is NaN'));
  });
});

describe('extractRois timings, read from an injected clock', () => {
  afterEach(() => vi.restoreAllMocks());

  it('threshold, closing and components are the differences of consecutive clock readings', () => {
    // the clock reads 100, 103, 110, 131 at the four marks: threshold 3, closing 7, components 21
    const ticks = [100, 103, 110, 131];
    vi.spyOn(performance, 'now').mockImplementation(() => ticks.shift() ?? NaN);
    const score = Float32Array.of(0, 1, 0, 1, 0, 0);
    const r = extractRois(score, new Float32Array(6), 3, 2, { tau: 0.5, closingRadius: 0 });
    expect(r.timings).toEqual({ thresholdMs: 3, closingMs: 7, componentsMs: 21 });
    expect(ticks).toEqual([]);

    // without an intensity map the labelling is skipped: three readings, no componentsMs
    const ticks2 = [5, 6, 10];
    vi.spyOn(performance, 'now').mockImplementation(() => ticks2.shift() ?? NaN);
    const c = extractRois(score, null, 3, 2, { tau: 0.5, closingRadius: 0 });
    expect(c.timings).toEqual({ thresholdMs: 1, closingMs: 4 });
    expect(ticks2).toEqual([]);
    expect(c.keptFraction).toBe(2 / 6);
    expect('labels' in c).toBe(false);
  });
});
