import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { Rng } from '../../src/core/rng.js';
import { calibrateThreshold, retainedFractions, scoreQuantile } from '../../src/calibration/calibrate.js';
import { calibrationSchema } from '../../src/config/pipeline.js';
import { ConfigError, InputError } from '../../src/core/errors.js';
import { sweepTausFromPedestals } from '../../src/calibration/calibrate-run.js';
import { closeMask } from '../../src/roi/closing.js';
import { thresholdMap } from '../../src/roi/threshold.js';
import { expectBisected, naiveCalibratedTau, naiveRetained } from '../helpers/naive-trigger.js';

const W = 96;
const H = 96;

function maps(n: number, seed: number, edgeBoost = 0): Float32Array[] {
  const out: Float32Array[] = [];
  for (let f = 0; f < n; f++) {
    const rng = Rng.derive(seed, f);
    const m = new Float32Array(W * H);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const edge = x < 8 || y < 8 || x >= W - 8 || y >= H - 8;
        m[y * W + x] = Math.abs(rng.normal()) * (edge ? 1 + edgeBoost : 1);
      }
    }
    out.push(m);
  }
  return out;
}

describe('threshold calibration', () => {
  it('quantile: fraction above it matches the request', () => {
    const m = maps(2, 1);
    const q = scoreQuantile(m, 0.01);
    let above = 0;
    for (const a of m) for (const v of a) if (v > q) above++;
    expect(above / (2 * W * H)).toBeCloseTo(0.01, 3);
  });

  it('quantile over a strided sample when the maps hold more than calibration.quantileSamplePixels', () => {
    const m = maps(2, 5);
    // 2·96² = 18432 px over a cap of 5000: stride floor(18432/5000) = 3, every third pixel of each map
    const naive = m.flatMap((a) => Array.from(a).filter((_, i) => i % 3 === 0)).sort((a, b) => a - b);
    const k = Math.floor((1 - 0.05) * naive.length);
    expect(scoreQuantile(m, 0.05, 5000)).toBe(naive[k]);
    // the default cap (4M px) is above 18432: every pixel counts
    const all = m.flatMap((a) => Array.from(a)).sort((a, b) => a - b);
    expect(scoreQuantile(m, 0.05)).toBe(all[Math.floor(0.95 * all.length)]);
    expect(calibrationSchema.parse({}).quantileSamplePixels).toBe(4_000_000);
  });

  it('retained fraction falls monotonically with τ', () => {
    const m = maps(3, 2);
    let prev = 1.1;
    for (const tau of [0, 1, 2, 3, 3.5, 4, 5]) {
      const f = retainedFractions(m, W, H, tau, 3, 8).fraction;
      expect(f).toBeLessThanOrEqual(prev);
      prev = f;
    }
  });

  it('hits the target retained fraction, and the border-excluded τ is lower when the edges are noisier', () => {
    const m = maps(4, 3, 0.6);
    const cfg = calibrationSchema.parse({ targetFraction: 0.02, border: 8 });
    const c = calibrateThreshold(m, W, H, 2, cfg);
    // τ is the brute-force one (the smallest score value meeting the target) up to the bisection's step
    expectBisected(c.whole.tau, naiveCalibratedTau(m, W, H, 2, 8, 0.02, 'fraction'), cfg);
    expectBisected(c.interior.tau, naiveCalibratedTau(m, W, H, 2, 8, 0.02, 'interiorFraction'), cfg);
    expect(c.whole.fraction).toBe(naiveRetained(m, W, H, c.whole.tau, 2, 8).fraction);
    expect(c.interior.interiorFraction).toBe(naiveRetained(m, W, H, c.interior.tau, 2, 8).interiorFraction);
    expect(c.interior.tau).toBeLessThan(c.whole.tau);
    // at the whole-grid τ the false activity sits near the edges
    expect(c.whole.interiorFraction).toBeLessThan(c.whole.fraction);
  });
});

describe('calibration settings and inputs', () => {
  it('retained fractions equal the closed masks counted by hand, whole grid and interior', () => {
    const m = maps(2, 4);
    const tau = 2.2;
    let whole = 0;
    let interior = 0;
    for (const map of m) {
      const closed = closeMask(thresholdMap(map, tau), W, H, 3);
      let all = 0;
      let inner = 0;
      closed.forEach((v, i) => {
        all += v;
        const x = i % W;
        const y = Math.floor(i / W);
        if (x >= 8 && y >= 8 && x < W - 8 && y < H - 8) inner += v;
      });
      whole += all / (W * H);
      interior += inner / ((W - 16) * (H - 16));
    }
    const f = retainedFractions(m, W, H, tau, 3, 8);
    expect(f.fraction).toBe(whole / 2);
    expect(f.interiorFraction).toBe(interior / 2);
  });

  it('the sweep spans the configured exceedance range: its ends are the quantiles at those fractions', () => {
    const m = maps(2, 5);
    const taus = sweepTausFromPedestals(m, 5, [], [1e-3, 0.2]);
    expect(taus[0]).toBe(scoreQuantile(m, 0.2));
    expect(taus[taus.length - 1]).toBe(scoreQuantile(m, 1e-3));
    // the default range is the schema's
    expect(sweepTausFromPedestals(m, 4)).toEqual(sweepTausFromPedestals(m, 4, [], calibrationSchema.parse({}).sweepExceedance));
    expect(() => sweepTausFromPedestals(m, 4, [], [0.5, 0.1])).toThrow(ConfigError);
  });

  it('a coarser bisection tolerance stops earlier, never past the target', () => {
    const m = maps(3, 6);
    const fine = calibrateThreshold(m, W, H, 2, calibrationSchema.parse({ targetFraction: 0.02, border: 8 }));
    const coarse = calibrateThreshold(m, W, H, 2, calibrationSchema.parse({ targetFraction: 0.02, border: 8, tolerance: 0.05 }));
    expect(coarse.whole.fraction).toBeLessThanOrEqual(0.02);
    expect(coarse.whole.tau).toBeGreaterThanOrEqual(fine.whole.tau);
    expect(coarse.whole.tau).not.toBe(fine.whole.tau);
  });

  it('no held-out frames is an InputError', () => {
    expect(() => calibrateThreshold([], W, H, 2, calibrationSchema.parse({}))).toThrow(InputError);
  });
});

describe('calibration against the brute-force τ on non-square maps', () => {
  // 29×17 maps, some with quantised values (ties: a pixel is active only when score > τ)
  const mapsOf = (seed: number, n: number, quantised: boolean) =>
    Array.from({ length: n }, (_, f) => {
      const rng = Rng.derive(seed, `nsq:${f}`);
      return Float32Array.from({ length: 29 * 17 }, (_, i) => {
        const edge = i % 29 < 3 || Math.floor(i / 29) < 3;
        const v = Math.abs(rng.normal()) * (edge ? 1.5 : 1);
        return quantised ? Math.round(v * 8) / 8 : v;
      });
    });

  it('retained fractions (whole and border-excluded) and both τ equal the brute force (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1 << 30 }),
        fc.integer({ min: 1, max: 3 }),
        fc.boolean(),
        fc.double({ min: 0.01, max: 0.3, noNaN: true }),
        fc.integer({ min: 0, max: 2 }),
        fc.integer({ min: 1, max: 4 }),
        fc.option(fc.integer({ min: 3, max: 120 }), { nil: undefined }),
        (seed, frames, quantised, anyTarget, radius, border, onGrid) => {
          // a target on the grid of one map's fractions (k px of 29·17) is met exactly: fraction = target must count as met
          const n = onGrid === undefined ? frames : 1;
          const target = onGrid === undefined ? anyTarget : onGrid / (29 * 17);
          const m = mapsOf(seed, n, quantised);
          const cfg = calibrationSchema.parse({ targetFraction: target, border });
          const c = calibrateThreshold(m, 29, 17, radius, cfg);
          const whole = naiveCalibratedTau(m, 29, 17, radius, border, target, 'fraction');
          const interior = naiveCalibratedTau(m, 29, 17, radius, border, target, 'interiorFraction');
          expectBisected(c.whole.tau, whole, cfg);
          expectBisected(c.interior.tau, interior, cfg);
          for (const r of [c.whole, c.interior]) {
            const ref = naiveRetained(m, 29, 17, r.tau, radius, border);
            expect(r.fraction).toBeCloseTo(ref.fraction, 12);
            expect(r.interiorFraction).toBeCloseTo(ref.interiorFraction, 12);
          }
          const lib = retainedFractions(m, 29, 17, whole.below, radius, border);
          const ref = naiveRetained(m, 29, 17, whole.below, radius, border);
          expect(lib.fraction).toBeCloseTo(ref.fraction, 12);
          expect(lib.interiorFraction).toBeCloseTo(ref.interiorFraction, 12);
        },
      ),
      { seed: 1617, numRuns: 25 },
    );
  });
});
