import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { ConfigError, InputError } from '../../src/core/errors.js';
import { resolveInjectionConfig } from '../../src/config/training.js';
import {
  drawStructures,
  injectStructures,
  type Deposit,
  type StructureRecord,
  type TrackRecord,
} from '../../src/training/injection.js';

const cfg = resolveInjectionConfig();

/** |observed fraction − p| ≤ 3 binomial σ. */
function expectBinomial(successes: number, n: number, p: number): void {
  const sigma = Math.sqrt((p * (1 - p)) / n);
  expect(Math.abs(successes / n - p)).toBeLessThanOrEqual(3 * sigma);
}

/** A smooth clean frame in [0, 1] that reaches 0.97 so that bright deposits get clipped. */
function cleanImage(width: number, height: number): Float32Array {
  const img = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) img[y * width + x] = 0.5 + 0.47 * Math.sin(x / 5) * Math.cos(y / 7);
  }
  return img;
}

/**
 * Independent re-rendering from the deposit list: every pixel of the image is tested against every
 * deposit's ±4σ box (no window arithmetic shared with the source), with the textbook 2-D Gaussian.
 */
function rerender(image: Float32Array, width: number, height: number, deposits: Deposit[]): { input: Float32Array; mask: Uint8Array } {
  const sum = new Float64Array(width * height);
  const mask = new Uint8Array(width * height);
  for (const d of deposits) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const dx = x - d.cx;
        const dy = y - d.cy;
        if (Math.abs(dx) <= 4 * d.sigma && Math.abs(dy) <= 4 * d.sigma) {
          sum[y * width + x] += d.amplitude * Math.exp(-(dx * dx + dy * dy) / (2 * d.sigma * d.sigma));
        }
        if (Math.abs(dx) <= 3 * d.sigma && Math.abs(dy) <= 3 * d.sigma) mask[y * width + x] = 1;
      }
    }
  }
  const input = new Float32Array(width * height);
  for (let i = 0; i < input.length; i++) input[i] = Math.min(1, Math.max(0, image[i] + sum[i]));
  return { input, mask };
}

describe('drawStructures statistics (2000 samples, seeded)', () => {
  const W = 64;
  const H = 48;
  const samples: StructureRecord[][] = [];
  const rng = new Rng(2024);
  for (let k = 0; k < 2000; k++) samples.push(drawStructures(W, H, rng, cfg));
  const all = samples.flat();
  const inImage = (x: number, y: number): boolean => x >= -0.5 && x < W - 0.5 && y >= -0.5 && y < H - 0.5;

  it('draws 3–5 blobs and 1–4 tracks per sample, each count about equally often', () => {
    const blobCounts = [0, 0, 0, 0, 0, 0];
    const trackCounts = [0, 0, 0, 0, 0];
    for (const s of samples) {
      const nb = s.filter((st) => st.kind === 'blob').length;
      const nt = s.filter((st) => st.kind === 'track').length;
      expect(nb).toBeGreaterThanOrEqual(3);
      expect(nb).toBeLessThanOrEqual(5);
      expect(nt).toBeGreaterThanOrEqual(1);
      expect(nt).toBeLessThanOrEqual(4);
      blobCounts[nb]++;
      trackCounts[nt]++;
      // blobs come first, then tracks (the documented draw order)
      expect(s.map((st) => st.kind)).toEqual([...Array(nb).fill('blob'), ...Array(nt).fill('track')]);
    }
    for (const n of [3, 4, 5]) expectBinomial(blobCounts[n], samples.length, 1 / 3);
    for (const n of [1, 2, 3, 4]) expectBinomial(trackCounts[n], samples.length, 1 / 4);
  });

  it('makes 90% of the structures faint, and keeps every amplitude in its population range', () => {
    const faint = all.filter((st) => st.population === 'faint');
    expectBinomial(faint.length, all.length, 0.9);
    const outside = all.filter((st) => {
      const [lo, hi] = st.population === 'faint' ? [0.008, 0.08] : [0.05, 0.25];
      return !(st.amplitude >= lo && st.amplitude < hi);
    });
    expect(outside).toEqual([]);
    // the mixture holds for blobs and tracks alike
    const tracks = all.filter((st) => st.kind === 'track');
    expectBinomial(tracks.filter((st) => st.population === 'faint').length, tracks.length, 0.9);
    // within a population the amplitude is uniform: half of the faint ones below the midpoint 0.044
    expectBinomial(faint.filter((st) => st.amplitude < 0.044).length, faint.length, 0.5);
  });

  it('draws blob σ in [2, 15) px, centres uniformly over the image', () => {
    const blobs = all.filter((st) => st.kind === 'blob');
    const bad = blobs.filter((b) => !(b.sigma >= 2 && b.sigma < 15 && inImage(b.cx, b.cy)));
    expect(bad).toEqual([]);
    // uniform centres: a quarter of them in the left quarter of the image
    expectBinomial(blobs.filter((b) => b.cx < W / 4 - 0.5).length, blobs.length, 0.25);
  });

  it('draws one width per track with σ = max(1, w/2.355), u0 in [0.2, 0.8), s in [0, 2)', () => {
    const tracks = all.filter((st): st is TrackRecord => st.kind === 'track');
    const bad = tracks.filter(
      (t) =>
        !(t.width >= 2 && t.width < 6) ||
        t.sigma !== Math.max(1, t.width / 2.355) ||
        !(t.u0 >= 0.2 && t.u0 < 0.8) ||
        !(t.s >= 0 && t.s < 2) ||
        !t.controlPoints.every(([x, y]) => inImage(x, y)),
    );
    expect(bad).toEqual([]);
    // σ is floored at 1 px exactly when w < 2.355: probability (2.355 − 2)/4 = 0.08875
    expectBinomial(tracks.filter((t) => t.sigma === 1).length, tracks.length, 0.355 / 4);
  });
});

describe('injectStructures', () => {
  const W = 40;
  const H = 32;
  const image = cleanImage(W, H);

  it('returns the structures drawStructures draws from the same seed', () => {
    const inj = injectStructures(image, W, H, new Rng(7));
    expect(inj.structures).toEqual(drawStructures(W, H, new Rng(7), cfg));
  });

  it('expands a track into 300 deposits along the Bézier curve with amplitude A0·b(u)', () => {
    const inj = injectStructures(image, W, H, new Rng(11));
    inj.structures.forEach((st, index) => {
      const ds = inj.deposits.filter((d) => d.structure === index);
      if (st.kind === 'blob') {
        expect(ds).toEqual([{ kind: 'blob', structure: index, cx: st.cx, cy: st.cy, sigma: st.sigma, amplitude: st.amplitude }]);
        return;
      }
      expect(ds.length).toBe(300);
      const [p0, p1, p2] = st.controlPoints;
      // ends are the first and last control points; the midpoint u = 1/2 is (P0 + 2P1 + P2)/4 (not sampled exactly, 300 is even)
      expect(ds[0].cx).toBeCloseTo(p0[0], 12);
      expect(ds[299].cy).toBeCloseTo(p2[1], 12);
      ds.forEach((d, k) => {
        const u = k / 299;
        expect(d.cx).toBeCloseTo((1 - u) ** 2 * p0[0] + 2 * u * (1 - u) * p1[0] + u * u * p2[0], 10);
        expect(d.sigma).toBe(st.sigma);
        expect(d.amplitude).toBeCloseTo(st.amplitude * (1 + st.s * Math.exp(-0.5 * ((u - st.u0) / 0.08) ** 2)), 12);
        expect(d.amplitude).toBeGreaterThanOrEqual(st.amplitude);
        expect(d.amplitude).toBeLessThanOrEqual(st.amplitude * (1 + st.s) + 1e-15);
      });
    });
  });

  it('input = clip(image + Σ deposits) and the mask = union of ±3σ boxes, against an independent re-rendering', () => {
    let clippedHigh = 0;
    for (let seed = 0; seed < 12; seed++) {
      const inj = injectStructures(image, W, H, new Rng(seed), { brightAmplitude: [0.2, 0.6] });
      const ref = rerender(image, W, H, inj.deposits);
      // float64 sums agree to ~1e-16; the float32 store may then differ by one ulp (≤ 6e-8 below 1)
      for (let i = 0; i < W * H; i++) {
        if (Math.abs(inj.input[i] - ref.input[i]) > 1e-7) throw new Error(`seed ${seed} pixel ${i}: ${inj.input[i]} vs ${ref.input[i]}`);
        if (!(inj.input[i] >= 0 && inj.input[i] <= 1)) throw new Error(`seed ${seed} pixel ${i}: ${inj.input[i]} outside [0, 1]`);
        if (inj.input[i] === 1) clippedHigh++;
      }
      expect(Array.from(inj.mask)).toEqual(Array.from(ref.mask));
      // every deposit's centre pixel is masked
      expect(inj.deposits.filter((d) => inj.mask[Math.round(d.cy) * W + Math.round(d.cx)] !== 1)).toEqual([]);
    }
    expect(clippedHigh).toBeGreaterThan(0); // the clip to 1 was exercised
  });

  it('clips at 0 as well (negative pixels of a mean-subtracted frame are raised to 0)', () => {
    const neg = new Float32Array(W * H).fill(-0.2);
    const inj = injectStructures(neg, W, H, new Rng(3));
    expect(inj.input.every((v) => v >= 0)).toBe(true);
    expect(inj.input.some((v) => v === 0)).toBe(true);
  });

  it('leaves the clean image untouched and is reproducible: same seed, same output; other seed, other output', () => {
    const copy = image.slice();
    const a = injectStructures(image, W, H, new Rng(99));
    const b = injectStructures(image, W, H, new Rng(99));
    const c = injectStructures(image, W, H, new Rng(100));
    expect(image).toEqual(copy);
    expect(a.input).toEqual(b.input);
    expect(a.mask).toEqual(b.mask);
    expect(a.deposits).toEqual(b.deposits);
    expect(a.input).not.toEqual(c.input);
    expect(a.deposits).not.toEqual(c.deposits);
  });

  it('honours config overrides and rejects bad input', () => {
    const inj = injectStructures(image, W, H, new Rng(5), { blobCount: [0, 0], trackCount: [2, 2], trackSamples: 10 });
    expect(inj.structures.map((s) => s.kind)).toEqual(['track', 'track']);
    expect(inj.deposits.length).toBe(20);
    expect(() => injectStructures(image, W + 1, H, new Rng(5))).toThrow(InputError);
    expect(() => injectStructures(image, W, H, new Rng(5), { blobSigmas: [1, 2] } as never)).toThrow(ConfigError);
    expect(() => injectStructures(image, W, H, new Rng(5), { faintAmplitude: [0.1, 0.01] })).toThrow(ConfigError);
  });

  it('injects into a 1024² frame (±4σ windows; its speed is not asserted here: wall clock belongs to bench/)', () => {
    const big = new Float32Array(1024 * 1024).fill(0.3);
    const inj = injectStructures(big, 1024, 1024, new Rng(1));
    expect(inj.deposits.length).toBeGreaterThan(300);
  });
});
