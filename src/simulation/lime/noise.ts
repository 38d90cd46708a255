/**
 * One frame of camera noise (GEM off): the camera's fixed pattern plus everything that changes from
 * frame to frame. In: config, camera, the run's hot pixels and the frame's Rng. Out: a Float32 frame
 * in counts, not yet rounded (signal is added before quantisation; see frame.ts).
 *
 * Per frame, in this order (each optional part switched by the config):
 *  1. row offsets and column offsets — an independent part per line plus smooth banding,
 *  2. a slow gradient (plane + radial bowl), folded into the row/column terms since it is separable,
 *  3. every pixel's Gaussian core, 4. burst pixels, 5. random-telegraph pixels, 6. the run's hot pixels.
 * Ignored: time correlation between consecutive frames, dark-current growth with exposure.
 */
import type { Rng } from '../../core/rng.js';
import { BulkRng } from '../../core/bulk-rng.js';
import type { LimeCamera, RunHotPixels } from './camera.js';
import { type LimeConfig } from '../../config/lime.js';
import { geometryScale } from './derived.js';

/** Smooth random banding over n lines: N(0, σ) nodes every `length` lines, cosine-interpolated. */
function addBanding(out: Float64Array, sigma: number, length: number, g: BulkRng): void {
  if (sigma <= 0) return;
  const step = Math.max(1, length);
  const nodes = Math.ceil(out.length / step) + 2;
  const values = new Float64Array(nodes);
  for (let k = 0; k < nodes; k++) values[k] = sigma * g.normal();
  const phase = g.uniform() * step; // so node positions differ from frame to frame
  for (let i = 0; i < out.length; i++) {
    const u = (i + phase) / step;
    const k = Math.floor(u);
    const t = (1 - Math.cos(Math.PI * (u - k))) / 2;
    out[i] += values[k] + t * (values[k + 1] - values[k]);
  }
}

/** Per-line offsets of one frame (rows or columns), counts. */
function lineOffsets(
  n: number,
  spec: { enabled: boolean; sigma: number; bandSigma: number; bandLengthPx: number },
  active: boolean,
  scale: number,
  g: BulkRng,
): Float64Array {
  const out = new Float64Array(n);
  if (!active || !spec.enabled) return out;
  for (let i = 0; i < n; i++) out[i] = spec.sigma * g.normal();
  addBanding(out, spec.bandSigma, spec.bandLengthPx * scale, g);
  return out;
}

/** Renders one noise frame into `out` (length W·H, counts). */
export function renderNoise(cfg: LimeConfig, camera: LimeCamera, hot: RunHotPixels, rng: Rng, out: Float32Array): Float32Array {
  const { width: w, height: h, mean, sigma } = camera;
  if (out.length !== w * h) throw new Error(`noise buffer has ${out.length} pixels, expected ${w}×${h}`);
  const g = new BulkRng(rng);
  const structured = cfg.noise === 'structured';
  const sn = cfg.structuredNoise;
  const scale = geometryScale(cfg);

  // 1. line offsets
  const rowAdd = lineOffsets(h, sn.rowOffsets, structured, scale, g);
  const colAdd = lineOffsets(w, sn.columnOffsets, structured, scale, g);

  // 2. gradient a·u + b·v + c·(u² + v²)/2, u, v ∈ [−1, 1] from the centre: each coefficient ~ N(0, amplitude)
  if (structured && sn.gradient.enabled && sn.gradient.amplitude > 0) {
    const a = sn.gradient.amplitude * g.normal();
    const b = sn.gradient.amplitude * g.normal();
    const c = sn.gradient.amplitude * g.normal();
    for (let x = 0; x < w; x++) {
      const u = (2 * (x + 0.5)) / w - 1;
      colAdd[x] += a * u + 0.5 * c * u * u;
    }
    for (let y = 0; y < h; y++) {
      const v = (2 * (y + 0.5)) / h - 1;
      rowAdd[y] += b * v + 0.5 * c * v * v;
    }
  }

  // 3. Gaussian core of every pixel on top of the fixed pattern (the hot loop: one row buffer)
  const z = new Float64Array(w);
  for (let y = 0; y < h; y++) {
    const row = rowAdd[y];
    const base = y * w;
    g.fillNormal(z);
    for (let x = 0; x < w; x++) {
      const i = base + x;
      out[i] = mean[i] + row + colAdd[x] + sigma[i] * z[x];
    }
  }

  // 4. bursts: symmetric Laplace excursions, each pixel with its own rate and scale. Thinning: visit
  //    candidates at the highest rate by geometric jumps, accept each with its own rate / highest rate
  //    (a million burst pixels at a few % cost tens of thousands of draws, not a million)
  const bu = camera.bursts;
  const pMax = cfg.camera.burstProbability[1];
  if (pMax > 0 && bu.index.length > 0) {
    const logSkip = pMax >= 1 ? -Infinity : Math.log(1 - pMax);
    for (let k = pMax >= 1 ? 0 : Math.floor(Math.log(g.uniformPositive()) / logSkip); k < bu.index.length; ) {
      if (g.uniform() * pMax < bu.probability[k]) {
        const e = bu.amplitude[k] * g.exponential();
        out[bu.index[k]] += g.int32() < 0 ? -e : e;
      }
      k += pMax >= 1 ? 1 : 1 + Math.floor(Math.log(g.uniformPositive()) / logSkip);
    }
  }

  // 5. random-telegraph pixels: two levels centred on the pixel's mean
  const tg = camera.telegraph;
  for (let k = 0; k < tg.index.length; k++) {
    const q = tg.probability[k];
    out[tg.index[k]] += tg.amplitude[k] * ((g.uniform() < q ? 1 : 0) - q);
  }

  // 6. the run's isolated hot pixels: a mean excess with dark-current shot noise
  for (let k = 0; k < hot.index.length; k++) out[hot.index[k]] += hot.excess[k] + hot.sigma[k] * g.normal();
  return out;
}

/** Rounds and clips a float frame (counts) to the camera's 16-bit output. */
export function quantize(src: Float32Array, out = new Uint16Array(src.length)): Uint16Array {
  for (let i = 0; i < src.length; i++) {
    const v = src[i] + 0.5; // round half up, as Math.round, without the call
    out[i] = v <= 0 ? 0 : v >= 65535 ? 65535 : v | 0;
  }
  return out;
}
