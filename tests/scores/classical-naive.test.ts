/**
 * The classical scores on a non-square grid (9 wide, 5 tall) against naive references written from
 * their definitions: z = (x − μ)/max(σ, floor) per pixel (μ, σ varying per pixel); row medians then
 * column medians from sorted copies; the Gaussian kernel exp(−i²/2σ²)/Σ on |i| ≤ max(1, ⌈3σ⌉); the
 * 2-D convolution with edge clamping as one double sum; the matched filter divided by √Σ(w_x·w_y)².
 * Also the AnomalyScore adapters: names, batch size, descriptions, one output per map in order.
 */
import { describe, expect, it } from 'vitest';
import { scoreSchema } from '../../src/config/pipeline.js';
import type { PedestalStats } from '../../src/preprocessing/pedestal-stats.js';
import { CLASSICAL_SCORES, classicalScore, convolveSeparable, gaussianKernel, gaussianZ, matchedFilter, rowColZ } from '../../src/scores/classical.js';
import { medianOf } from '../../src/scores/median.js';
import { perFrameScore, scoreOne } from '../../src/scores/score.js';
import { expectClose } from '../helpers/close.js';

const W = 9;
const H = 5;
const N = W * H;
const cfg = scoreSchema.parse({ sigmaFloor: 0.004, matchedFilterSigma: 0.9 });
/** Deterministic, irregular values: no symmetry between x and y. */
const wave = (i: number, a: number, b: number) => Math.sin(a * i + b) + 0.3 * Math.cos(1.7 * a * i * i + b);

const stats = {
  mu: Float32Array.from({ length: N }, (_, i) => 0.5 + 0.01 * wave(i, 0.9, 1)),
  // σ from 0.002 to 0.02: the smallest ones fall under the floor 0.004
  sigma: Float32Array.from({ length: N }, (_, i) => 0.011 + 0.009 * Math.sin(0.37 * i + 2)),
} as PedestalStats;
const frame = (seed: number) => Float32Array.from({ length: N }, (_, i) => 0.5 + 0.03 * wave(i, 0.61 + 0.1 * seed, seed) + 0.002 * (i % W) - 0.004 * Math.floor(i / W));

const naiveZ = (x: Float32Array) => Array.from(x, (v, i) => (v - stats.mu[i]) / Math.max(stats.sigma[i], cfg.sigmaFloor));
const naiveMedian = (a: number[]) => {
  const s = [...a].sort((p, q) => p - q);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
function naiveRowCol(z: number[]): number[] {
  const out = [...z];
  for (let y = 0; y < H; y++) {
    const m = naiveMedian(out.slice(y * W, (y + 1) * W));
    for (let x = 0; x < W; x++) out[y * W + x] -= m;
  }
  for (let x = 0; x < W; x++) {
    const m = naiveMedian(Array.from({ length: H }, (_, y) => out[y * W + x]));
    for (let y = 0; y < H; y++) out[y * W + x] -= m;
  }
  return out;
}
function naiveKernel(sigma: number): number[] {
  const r = Math.max(1, Math.ceil(3 * sigma));
  const k = Array.from({ length: 2 * r + 1 }, (_, j) => Math.exp(-((j - r) ** 2) / (2 * sigma * sigma)));
  const s = k.reduce((a, b) => a + b, 0);
  return k.map((v) => v / s);
}
function naiveConvolve(z: ArrayLike<number>, k: number[]): number[] {
  const r = (k.length - 1) / 2;
  const c = (v: number, n: number) => Math.min(n - 1, Math.max(0, v));
  return Array.from({ length: N }, (_, i) => {
    const x = i % W;
    const y = Math.floor(i / W);
    let s = 0;
    for (let dy = -r; dy <= r; dy++) for (let dx = -r; dx <= r; dx++) s += k[dx + r] * k[dy + r] * z[c(y + dy, H) * W + c(x + dx, W)];
    return s;
  });
}

describe('classical scores against naive references on a 9×5 grid', () => {
  it('the case exercises the σ floor', () => {
    expect(Array.from(stats.sigma).filter((s) => s < cfg.sigmaFloor).length).toBeGreaterThan(2);
  });

  it('gaussian: |z| with the σ floor', () => {
    const x = frame(1);
    expectClose(gaussianZ(x, stats, cfg), naiveZ(x).map(Math.abs), 1e-4, 1e-5);
  });

  it('gaussian-rowcol: |z minus row medians, then column medians|', () => {
    const x = frame(2);
    expectClose(rowColZ(x, W, H, stats, cfg), naiveRowCol(naiveZ(x)).map(Math.abs), 1e-4, 1e-5);
  });

  it('gaussianKernel: normalised samples of exp(−i²/2σ²) on |i| ≤ max(1, ⌈3σ⌉)', () => {
    for (const s of [0.2, 0.34, 0.9, 1.5, 2.1]) {
      const k = gaussianKernel(s);
      expectClose(k, naiveKernel(s), 1e-7, 1e-6);
    }
    expect(gaussianKernel(0.2)).toHaveLength(3); // ⌈0.6⌉ = 1
    expect(gaussianKernel(0.34)).toHaveLength(5); // ⌈1.02⌉ = 2
    expect(gaussianKernel(1.5)).toHaveLength(11); // ⌈4.5⌉ = 5
  });

  it('convolveSeparable: the 2-D clamped double sum, with a kernel wider than the grid is tall', () => {
    const z = Float32Array.from(naiveZ(frame(3)));
    for (const s of [0.9, 2.1]) {
      const k = gaussianKernel(s);
      expectClose(convolveSeparable(z, W, H, k), naiveConvolve(z, Array.from(k)), 1e-5, 1e-5);
    }
    // an asymmetric kernel: the tap order matters ([0.5, 0.3, 0.2] weights x − 1, x, x + 1)
    const k = Float32Array.of(0.5, 0.3, 0.2);
    expectClose(convolveSeparable(z, W, H, k), naiveConvolve(z, [0.5, 0.3, 0.2]), 1e-5, 1e-5);
  });

  it('matched-filter: the corrected z convolved, divided by √Σ(w_x·w_y)², clipped at 0', () => {
    const x = frame(4);
    const k = naiveKernel(cfg.matchedFilterSigma);
    let norm2 = 0;
    for (const a of k) for (const b of k) norm2 += (a * b) ** 2;
    const want = naiveConvolve(naiveRowCol(naiveZ(x)), k).map((v) => Math.max(0, v / Math.sqrt(norm2)));
    const got = matchedFilter(x, W, H, stats, cfg);
    expectClose(got, want, 1e-4, 1e-4);
    expect(want.filter((v) => v > 0).length).toBeGreaterThan(5);
    expect(want.filter((v) => v === 0).length).toBeGreaterThan(5);
  });

  it('medianOf: empty is NaN; a longer scratch buffer is used only up to n; the input is untouched', () => {
    expect(medianOf(new Float32Array(0))).toBeNaN();
    const a = Float32Array.of(5, -1, 3, 8);
    const scratch = new Float32Array(10).fill(-100);
    expect(medianOf(a, scratch)).toBe(4);
    expect(Array.from(a)).toEqual([5, -1, 3, 8]);
    expect(medianOf(Float32Array.of(2, 9, 4), new Float32Array(3))).toBe(4);
    // even length with the lower middle value repeated
    expect(medianOf(Float32Array.of(1, 1, 1, 3))).toBe(1);
  });
});

describe('AnomalyScore adapters', () => {
  it('classicalScore: every name, batch size 1, a description, one map per input in order', async () => {
    const maps = [frame(5), frame(6), frame(7)];
    const descriptions: string[] = [];
    for (const name of CLASSICAL_SCORES) {
      const s = classicalScore(name, stats, cfg);
      expect(s.name).toBe(name);
      expect(s.batchSize).toBe(1);
      descriptions.push(s.description);
      const out = await s.scoreBatch(maps, W, H);
      const direct = maps.map((m) => (name === 'gaussian' ? gaussianZ(m, stats, cfg) : name === 'gaussian-rowcol' ? rowColZ(m, W, H, stats, cfg) : matchedFilter(m, W, H, stats, cfg)));
      expect(out.map((o) => Array.from(o))).toEqual(direct.map((o) => Array.from(o)));
      expect(Array.from(await scoreOne(s, maps[1], W, H))).toEqual(Array.from(direct[1]));
    }
    expect(descriptions).toEqual([
      'pixelwise Gaussian z-score |x − μ|/σ (the paper’s baseline)',
      'z-score after subtracting each frame’s row and column medians',
      'row/column-corrected z smoothed by a Gaussian (σ = 0.9 px), renormalised, one-sided',
    ]);
  });

  it('perFrameScore passes width and height through, in that order', async () => {
    const seen: string[] = [];
    const s = perFrameScore('p', 'd', (m, w, h) => (seen.push(`${m.length} ${w} ${h}`), m));
    expect([s.name, s.description, s.batchSize]).toEqual(['p', 'd', 1]);
    await s.scoreBatch([new Float32Array(6), new Float32Array(6)], 3, 2);
    expect(seen).toEqual(['6 3 2', '6 3 2']);
  });
});
