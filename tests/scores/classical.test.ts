import { describe, it, expect } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { gaussianZ, rowColZ, matchedFilter, gaussianKernel, subtractRowColumnMedians } from '../../src/scores/classical.js';
import { medianOf } from '../../src/scores/median.js';
import { scoreSchema } from '../../src/config/pipeline.js';
import type { PedestalStats } from '../../src/preprocessing/pedestal-stats.js';
import { expectClose } from '../helpers/close.js';

const cfg = scoreSchema.parse({});
const W = 64;
const H = 64;

function fakeStats(mu: number, sigma: number): PedestalStats {
  return {
    version: 1,
    config: {} as PedestalStats['config'],
    frameCount: 10,
    sources: [],
    meanCrop: new Float32Array(0),
    extrema: { min: 0, max: 1, exactMin: 0, exactMax: 1 },
    mu: new Float32Array(W * H).fill(mu),
    sigma: new Float32Array(W * H).fill(sigma),
  };
}

function whiteNoise(seed: number, rowSigma = 0): Float32Array {
  const rng = new Rng(seed);
  const x = new Float32Array(W * H);
  for (let y = 0; y < H; y++) {
    const off = rowSigma ? rng.normal(0, rowSigma) : 0;
    for (let i = 0; i < W; i++) x[y * W + i] = 0.5 + 0.01 * (off + rng.normal());
  }
  return x;
}

function meanAndVar(a: Float32Array): [number, number] {
  let s = 0;
  let s2 = 0;
  for (const v of a) {
    s += v;
    s2 += v * v;
  }
  const m = s / a.length;
  return [m, s2 / a.length - m * m];
}

describe('classical scores', () => {
  const stats = fakeStats(0.5, 0.01);

  it('gaussian: |x − μ|/σ, by hand', () => {
    const x = new Float32Array(W * H).fill(0.5);
    x[10] = 0.53; // 3σ above
    x[11] = 0.48; // 2σ below
    const z = gaussianZ(x, stats, cfg);
    expectClose([z[10], z[11], z[12]], [3, 2, 0], 1e-4);
  });

  it('median by quickselect equals the sorted median', () => {
    const rng = new Rng(3);
    for (const n of [1, 2, 7, 64, 101]) {
      const a = Float32Array.from({ length: n }, () => rng.normal());
      const s = [...a].sort((p, q) => p - q);
      const expected = n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
      expectClose(medianOf(a), expected, 1e-6);
    }
  });

  it('row/column correction removes frame-to-frame row offsets that inflate the plain z-score', () => {
    const x = whiteNoise(5, 3); // row offsets of 3σ
    const plain = meanAndVar(gaussianZ(x, stats, cfg).map((v) => v * v))[0];
    const corrected = meanAndVar(rowColZ(x, W, H, stats, cfg).map((v) => v * v))[0];
    expect(plain).toBeGreaterThan(5); // E[z²] ≈ 1 + 9
    expect(corrected).toBeLessThan(1.2);
  });

  it('subtracting row and column medians zeroes a pure row+column pattern', () => {
    const z = new Float32Array(W * H);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) z[y * W + x] = 0.1 * y - 0.05 * x;
    subtractRowColumnMedians(z, W, H);
    for (const v of z) expect(Math.abs(v)).toBeLessThan(1e-5);
  });

  it('matched filter keeps unit variance on white noise (before the one-sided clip) and boosts a faint blob', () => {
    const k = gaussianKernel(1.5);
    expectClose(k.reduce((a, b) => a + b, 0), 1, 1e-6);
    // Exact, not statistical (a sample second moment of 64² correlated pixels has sd ≈ √(1.25·4πσ²/N) ≈ 0.09
    // around ½: no bound tighter than ~0.5 ± 0.3 holds for every seed). z(x, y) = base[(x + 7y) mod 64]
    // with `base` symmetric about 0: every row and, 7 being prime to 64, every column holds each value
    // once, so the row and column medians are 0 and the filter sees z itself. Reference: the 2-D sum
    // Σ w(dx)·w(dy)·z(clamped) divided by √Σ(w(dx)·w(dy))² (unit variance on white noise), then max(0, ·).
    const rng = new Rng(9);
    const half = Array.from({ length: W / 2 }, () => Math.abs(rng.normal()) + 0.01);
    const base = [...half, ...half.map((v) => -v)].map((v, i, a) => a[(i * 37) % a.length]);
    const zOf = (x: number, y: number) => base[(((x + 7 * y) % W) + W) % W];
    const x = Float32Array.from({ length: W * H }, (_, i) => 0.5 + 0.01 * zOf(i % W, Math.floor(i / W)));
    const mf = matchedFilter(x, W, H, stats, cfg);
    const r = (k.length - 1) / 2;
    let norm2 = 0;
    for (let a = 0; a < k.length; a++) for (let b = 0; b < k.length; b++) norm2 += (k[a] * k[b]) ** 2;
    const clamp = (v: number, n: number) => Math.min(n - 1, Math.max(0, v));
    const want = Array.from({ length: W * H }, (_, i) => {
      let sum = 0;
      for (let dy = -r; dy <= r; dy++) for (let dx = -r; dx <= r; dx++) sum += k[dx + r] * k[dy + r] * zOf(clamp((i % W) + dx, W), clamp(Math.floor(i / W) + dy, H));
      return Math.max(0, sum / Math.sqrt(norm2));
    });
    expectClose(mf, want, 1e-4, 1e-4);
    expect(want.filter((v) => v > 0.5).length).toBeGreaterThan(100); // a non-trivial field
    // a blob of peak 1σ, width 1.5 px: invisible per pixel, clear after the filter
    x.set(whiteNoise(9));
    for (let y = 0; y < H; y++) for (let i = 0; i < W; i++) x[y * W + i] += 0.01 * Math.exp(-((i - 32) ** 2 + (y - 32) ** 2) / (2 * 1.5 ** 2));
    const z = gaussianZ(x, stats, cfg);
    const f = matchedFilter(x, W, H, stats, cfg);
    expect(f[32 * W + 32]).toBeGreaterThan(z[32 * W + 32] + 1);
    expect(f[32 * W + 32]).toBeGreaterThan(2.5);
  });
});
