import { describe, it, expect } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { calibrateThreshold, retainedFractions, scoreQuantile } from '../../src/calibration/calibrate.js';
import { calibrationSchema } from '../../src/config/pipeline.js';

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
    expect(c.whole.fraction).toBeLessThanOrEqual(0.02);
    expect(c.whole.fraction).toBeGreaterThan(0.012);
    expect(c.interior.interiorFraction).toBeLessThanOrEqual(0.02);
    expect(c.interior.interiorFraction).toBeGreaterThan(0.012);
    expect(c.interior.tau).toBeLessThan(c.whole.tau);
    // at the whole-grid τ the false activity sits near the edges
    expect(c.whole.interiorFraction).toBeLessThan(c.whole.fraction);
  });
});
