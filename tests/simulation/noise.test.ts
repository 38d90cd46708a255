import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { BulkRng } from '../../src/core/bulk-rng.js';
import { buildCamera, runHotPixels } from '../../src/simulation/lime/camera.js';
import { resolveLimeConfig, type LimeConfig } from '../../src/config/lime.js';
import { quantize } from '../../src/simulation/lime/noise.js';
import { LimeSimulator } from '../../src/simulation/lime/simulator.js';

const small = (size: number, extra: Record<string, unknown> = {}): LimeConfig =>
  resolveLimeConfig({ camera: { width: size, height: size }, ...extra });

const quantile = (values: ArrayLike<number>, q: number) => {
  const s = Float64Array.from(values).sort();
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

/** Per-pixel mean over frames, counts. */
function pixelMeans(frames: Uint16Array[]): Float64Array {
  const m = new Float64Array(frames[0].length);
  for (const f of frames) for (let i = 0; i < f.length; i++) m[i] += f[i] / frames.length;
  return m;
}

describe('bulk normals', () => {
  it('are standard normal: moments and tail fractions', () => {
    const g = new BulkRng(new Rng(11));
    const z = new Float64Array(400_000);
    g.fillNormal(z);
    let m = 0;
    let v = 0;
    let k = 0;
    let beyond3 = 0;
    for (const x of z) {
      m += x;
      v += x * x;
      k += x ** 4;
      if (Math.abs(x) > 3) beyond3++;
    }
    m /= z.length;
    v /= z.length;
    expect(Math.abs(m)).toBeLessThan(0.01);
    expect(Math.abs(v - 1)).toBeLessThan(0.01);
    expect(Math.abs(k / z.length / (v * v) - 3)).toBeLessThan(0.05);
    // P(|x| > 3) = 2.70e-3 → 1080 expected, σ ≈ 33
    expect(Math.abs(beyond3 - 1080)).toBeLessThan(150);
  });
});

describe('pedestal frames', () => {
  it('a full 2304² pedestal frame has mean ≈ 100 counts', () => {
    const sim = new LimeSimulator(resolveLimeConfig({}), 1);
    const t0 = performance.now();
    const frame = sim.pedestalFrame(0);
    const seconds = (performance.now() - t0) / 1000;
    expect([frame.width, frame.height, frame.data.length]).toEqual([2304, 2304, 2304 * 2304]);
    let sum = 0;
    for (const v of frame.data) sum += v;
    expect(Math.abs(sum / frame.data.length - 100)).toBeLessThan(1);
    const median = quantile(frame.data, 0.5);
    expect(Math.abs(median - 100)).toBeLessThanOrEqual(1);
    console.log(`2304² pedestal frame: ${seconds.toFixed(2)} s (camera built once before)`);
  });

  it('per-pixel means over frames span about 97–103 counts', () => {
    const sim = new LimeSimulator(small(128), 2);
    const means = pixelMeans(Array.from({ length: 24 }, (_, i) => sim.pedestalFrame(i).data));
    expect(quantile(means, 0.005)).toBeGreaterThan(95.5);
    expect(quantile(means, 0.005)).toBeLessThan(98);
    expect(quantile(means, 0.995)).toBeGreaterThan(102);
    expect(quantile(means, 0.995)).toBeLessThan(104.5);
  });

  it('the pixel noise is not Gaussian: heavy tails beyond 5σ of each pixel', () => {
    // independent mode: no row/column terms, so (x − μ_i)/σ_i is the pixel's own noise shape
    const cfg = small(96, { noise: 'independent', camera: { width: 96, height: 96, hotPixelsPerMegapixel: 0 } });
    const sim = new LimeSimulator(cfg, 3);
    const { mean, sigma } = sim.camera;
    let n = 0;
    let m2 = 0;
    let m4 = 0;
    let beyond5 = 0;
    for (let f = 0; f < 60; f++) {
      const d = sim.pedestalFrame(f).data;
      for (let i = 0; i < d.length; i++) {
        const z = (d[i] - mean[i]) / sigma[i];
        n++;
        m2 += z * z;
        m4 += z ** 4;
        if (Math.abs(z) > 5) beyond5++;
      }
    }
    const excessKurtosis = m4 / n / (m2 / n) ** 2 - 3;
    expect(excessKurtosis).toBeGreaterThan(0.5);
    // a Gaussian puts 5.7×10⁻⁷ beyond 5σ
    expect(beyond5 / n).toBeGreaterThan(100 * 5.7e-7);
    console.log(`pooled per-pixel noise: excess kurtosis ${excessKurtosis.toFixed(1)}, ${(beyond5 / n).toExponential(1)} beyond 5σ`);
  });

  it('σ map: skewed, from about 1 to a few counts with a tail to ~10, noisier at the edges', () => {
    const cam = buildCamera(small(512), 4);
    expect(quantile(cam.sigma, 0.05)).toBeGreaterThan(0.8);
    expect(quantile(cam.sigma, 0.5)).toBeGreaterThan(1.4);
    expect(quantile(cam.sigma, 0.5)).toBeLessThan(2.5);
    expect(quantile(cam.sigma, 0.999)).toBeGreaterThan(6);
    // skewed: the upper tail is longer than the lower
    expect(quantile(cam.sigma, 0.99) - quantile(cam.sigma, 0.5)).toBeGreaterThan(2 * (quantile(cam.sigma, 0.5) - quantile(cam.sigma, 0.01)));
    let edge = 0;
    let centre = 0;
    for (let y = 0; y < 512; y++) {
      edge += cam.sigma[y * 512 + 0];
      centre += cam.sigma[y * 512 + 256];
    }
    expect(edge).toBeGreaterThan(1.5 * centre);
  });

  it('hot pixels exist, are hot in the frames, and change from run to run', () => {
    const cfg = small(512, { camera: { width: 512, height: 512, hotPixelsPerMegapixel: 40 } });
    const sim = new LimeSimulator(cfg, 5);
    const run0 = runHotPixels(cfg, sim.camera, 5, 0);
    const run1 = runHotPixels(cfg, sim.camera, 5, 1);
    expect(run0.index.length).toBeGreaterThan(0);
    expect(run1.index.length).toBeGreaterThan(0);
    const shared = [...run0.index].filter((i) => run1.index.includes(i));
    expect(shared.length).toBeLessThan(Math.min(run0.index.length, run1.index.length));
    // same run index → same hot pixels (the run's draw is reproducible)
    expect([...runHotPixels(cfg, sim.camera, 5, 0).index]).toEqual([...run0.index]);
    const frame = sim.pedestalFrame(0).data; // pedestal run 0
    for (let k = 0; k < run0.index.length; k++) {
      const i = run0.index[k];
      expect(frame[i]).toBeGreaterThan(sim.camera.mean[i] + 0.5 * run0.excess[k] - 4 * sim.camera.sigma[i] - 4 * run0.sigma[k]);
    }
  });
});

describe('camera seed', () => {
  it('a fixed camera seed keeps the fixed pattern across run seeds; frames and run hot pixels follow the run seed, hot pixels a fixed runs.seed', () => {
    const cfg = small(64, { camera: { width: 64, height: 64, seed: 77, hotPixelsPerMegapixel: 5000 } });
    const a = new LimeSimulator(cfg, 1);
    const b = new LimeSimulator(cfg, 2);
    expect(Array.from(b.camera.mean)).toEqual(Array.from(a.camera.mean));
    expect(Array.from(b.camera.sigma)).toEqual(Array.from(a.camera.sigma));
    // the camera is the one a run with seed 77 and no camera seed has
    expect(Array.from(new LimeSimulator(small(64), 77).camera.mean)).toEqual(Array.from(a.camera.mean));
    expect(Array.from(b.pedestalFrame(0).data)).not.toEqual(Array.from(a.pedestalFrame(0).data));
    // null: the run seed draws the camera too
    expect(Array.from(new LimeSimulator(small(64), 2).camera.mean)).not.toEqual(Array.from(a.camera.mean));
    // the runs' hot pixels follow the run seed, unless runs.seed fixes them: then seed 2 gives new frames of run 1
    expect(Array.from(b.hotPixels(0).index)).not.toEqual(Array.from(a.hotPixels(0).index));
    const same = new LimeSimulator(small(64, { camera: { width: 64, height: 64, seed: 77, hotPixelsPerMegapixel: 5000 }, runs: { seed: 1 } }), 2);
    expect(a.hotPixels(0).index.length).toBeGreaterThan(5);
    expect(Array.from(same.hotPixels(0).index)).toEqual(Array.from(a.hotPixels(0).index));
    expect(Array.from(same.hotPixels(0).excess)).toEqual(Array.from(a.hotPixels(0).excess));
    expect(Array.from(same.pedestalFrame(0).data)).not.toEqual(Array.from(a.pedestalFrame(0).data));
  });
});

describe('structured noise', () => {
  /** Variance over rows of the row means of (frame − camera mean), counts². */
  function rowMeanVariance(cfg: LimeConfig, seed: number): number {
    const sim = new LimeSimulator(cfg, seed);
    const w = cfg.camera.width;
    const rows: number[] = [];
    for (let f = 0; f < 4; f++) {
      const d = sim.pedestalFrame(f).data;
      for (let y = 0; y < cfg.camera.height; y++) {
        let s = 0;
        for (let x = 0; x < w; x++) s += d[y * w + x] - sim.camera.mean[y * w + x];
        rows.push(s / w);
      }
    }
    const m = rows.reduce((a, b) => a + b, 0) / rows.length;
    return rows.reduce((a, b) => a + (b - m) ** 2, 0) / rows.length;
  }

  it('row offsets exist in structured mode and are absent in independent mode', () => {
    const hot = { hotPixelsPerMegapixel: 0 };
    const structured = rowMeanVariance(small(160, { camera: { width: 160, height: 160, ...hot } }), 6);
    const independent = rowMeanVariance(small(160, { noise: 'independent', camera: { width: 160, height: 160, ...hot } }), 6);
    expect(structured).toBeGreaterThan(10 * independent);
    // independent: a row mean of 160 pixels of σ ≈ 2 (plus bursts) has variance ≈ 4/160
    expect(independent).toBeLessThan(0.1);
  });

  it('column offsets change from frame to frame', () => {
    const cfg = small(160, { camera: { width: 160, height: 160, hotPixelsPerMegapixel: 0 } });
    const sim = new LimeSimulator(cfg, 7);
    const colMeans = (d: Uint16Array) =>
      Array.from({ length: 160 }, (_, x) => {
        let s = 0;
        for (let y = 0; y < 160; y++) s += d[y * 160 + x] - sim.camera.mean[y * 160 + x];
        return s / 160;
      });
    const a = colMeans(sim.pedestalFrame(0).data);
    const b = colMeans(sim.pedestalFrame(1).data);
    const diffVar = a.reduce((s, v, i) => s + (v - b[i]) ** 2, 0) / 160;
    expect(diffVar).toBeGreaterThan(0.1); // two independent draws of σ ≈ 0.45 each
  });

  it('quantize rounds and clips to uint16', () => {
    expect([...quantize(Float32Array.from([-3, 0.4, 0.5, 99.6, 70000]))]).toEqual([0, 0, 1, 100, 65535]);
  });
});
