/**
 * calibrateThreshold's bisection step by step against a naive one written from the documented rule:
 * keep fraction(lo) > target ≥ fraction(hi), halve [lo, hi] at most `iterations` times, stop once
 * hi − lo ≤ tolerance·max(1, |hi|), return the fractions at the last hi. The whole grid starts from the
 * plain score quantile at the target when that τ still retains more than the target (else from the
 * minimum score); the interior from the minimum. Compared exactly (same τ) on a non-square grid, once
 * with the tolerance stopping the bisection and once with the iteration count stopping it.
 */
import { describe, expect, it } from 'vitest';
import { calibrationSchema } from '../../src/config/pipeline.js';
import { InputError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import { calibrateThreshold, retainedFractions, scoreQuantile } from '../../src/calibration/calibrate.js';
import { naiveRetained } from '../helpers/naive-trigger.js';

const W = 9;
const H = 7;
const R = 1;
const BORDER = 2;

function maps(seed: number): Float32Array[] {
  return [0, 1].map((f) => {
    const rng = Rng.derive(seed, f);
    return Float32Array.from({ length: W * H }, () => 50 * rng.uniform());
  });
}

interface Grid {
  w: number;
  h: number;
  r: number;
  border: number;
}
const GRID: Grid = { w: W, h: H, r: R, border: BORDER };

function naiveBisect(ms: Float32Array[], which: 'fraction' | 'interiorFraction', target: number, lo: number, hi: number, iterations: number, tolerance: number, g: Grid = GRID) {
  const at = (tau: number) => ({ tau, ...naiveRetained(ms, g.w, g.h, tau, g.r, g.border) });
  let best = at(hi);
  let steps = 0;
  while (steps < iterations && hi - lo > tolerance * Math.max(1, Math.abs(hi))) {
    steps += 1;
    const mid = (lo + hi) / 2;
    const f = at(mid);
    if (f[which] > target) lo = mid;
    else {
      hi = mid;
      best = f;
    }
  }
  return { best, steps };
}

function naiveCalibrate(ms: Float32Array[], target: number, iterations: number, tolerance: number, g: Grid = GRID) {
  const all = ms.flatMap((m) => Array.from(m)).sort((a, b) => a - b);
  const [min, max] = [all[0], all[all.length - 1]];
  const quantile = all[Math.min(all.length - 1, Math.max(0, Math.floor((1 - target) * all.length)))];
  const lower = naiveRetained(ms, g.w, g.h, quantile, g.r, g.border).fraction > target ? quantile : min;
  return {
    whole: naiveBisect(ms, 'fraction', target, lower, max, iterations, tolerance, g),
    interior: naiveBisect(ms, 'interiorFraction', target, min, max, iterations, tolerance, g),
    usedQuantile: lower === quantile,
  };
}

describe('calibrateThreshold bisection against the naive one', () => {
  for (const [label, iterations, tolerance, target] of [
    ['tolerance stops it (scores up to 50: the tolerance scales with |hi|)', 40, 1e-3, 0.12],
    ['the iteration count stops it', 5, 1e-12, 0.12],
    ['the iteration count stops it, smaller target', 7, 1e-12, 0.05],
  ] as const) {
    it(label, () => {
      for (const seed of [3, 4]) {
        const ms = maps(seed);
        const cfg = calibrationSchema.parse({ targetFraction: target, border: BORDER, iterations, tolerance });
        const got = calibrateThreshold(ms, W, H, R, cfg);
        const ref = naiveCalibrate(ms, target, iterations, tolerance);
        // at 12 % the quantile bracket is in play on these maps; at 5 % the quantile already meets the target
        expect(ref.usedQuantile).toBe(target === 0.12);
        if (iterations === 40) expect(ref.whole.steps).toBeLessThan(40);
        else expect(ref.interior.steps).toBe(iterations);
        expect(got.whole.tau).toBe(ref.whole.best.tau);
        expect(got.interior.tau).toBe(ref.interior.best.tau);
        expect(got.whole.fraction).toBeCloseTo(ref.whole.best.fraction, 12);
        expect(got.interior.interiorFraction).toBeCloseTo(ref.interior.best.interiorFraction, 12);
        expect(got.whole.fraction).toBeLessThanOrEqual(target);
        expect(got.interior.interiorFraction).toBeLessThanOrEqual(target);
        expect([got.targetFraction, got.border, got.closingRadius, got.frames]).toEqual([target, BORDER, R, 2]);
      }
    });
  }

  it('a quantile that meets the target exactly (fraction = target) is no lower bound: the bisection starts from the minimum', () => {
    // 20×5 distinct scores 0..99, no closing: (1 − 0.56)·100 evaluates to 43.99…, so the quantile is the
    // 44th value (43) and 56 of 100 pixels lie above it: fraction 0.56 = target, which already meets it
    const g: Grid = { w: 20, h: 5, r: 0, border: 0 };
    const ms = [Float32Array.from({ length: 100 }, (_, i) => (i * 37) % 100)];
    const cfg = calibrationSchema.parse({ targetFraction: 0.56, border: 0, iterations: 4, tolerance: 1e-12 });
    expect(scoreQuantile(ms, 0.56)).toBe(43);
    expect(retainedFractions(ms, 20, 5, 43, 0, 0).fraction).toBe(0.56);
    const ref = naiveCalibrate(ms, 0.56, 4, 1e-12, g);
    expect(ref.usedQuantile).toBe(false);
    const got = calibrateThreshold(ms, 20, 5, 0, cfg);
    expect(got.whole.tau).toBe(ref.whole.best.tau);
    // a bisection from the quantile instead would end elsewhere
    expect(naiveBisect(ms, 'fraction', 0.56, 43, 99, 4, 1e-12, g).best.tau).not.toBe(got.whole.tau);
  });

  it('refuses an empty set of maps, naming it', () => {
    expect(() => calibrateThreshold([], W, H, R, calibrationSchema.parse({}))).toThrow(
      new InputError('held-out pedestal frames', 'none were read: calibration needs at least one'),
    );
  });
});

describe('edge cases of the building blocks', () => {
  it('a border that leaves no interior gives an interior fraction of 0, not NaN', () => {
    const m = [Float32Array.from({ length: 4 * 3 }, (_, i) => i)];
    const r = retainedFractions(m, 4, 3, 5.5, 0, 2);
    expect(r.interiorFraction).toBe(0);
    expect(r.fraction).toBeCloseTo(6 / 12, 12); // 6..11 above 5.5
  });
  it('quantile at exceedance 0 is the maximum, at 1 the minimum', () => {
    const m = [Float32Array.from([5, 1, 9, 3]), Float32Array.from([7, 2])];
    expect(scoreQuantile(m, 0)).toBe(9);
    expect(scoreQuantile(m, 1)).toBe(1);
  });
});
