/**
 * The three classical anomaly scores on the analysis grid, all built from the pedestal μ and σ:
 *  - gaussian: |x − μ|/σ, the paper's pixelwise baseline;
 *  - gaussian-rowcol: the signed z-score minus each frame's row medians, then column medians, in
 *    absolute value: removes the sCMOS row/column offsets that change from frame to frame;
 *  - matched-filter: that corrected z smoothed by a small Gaussian (σ ≈ 1.5 px) and divided by the
 *    kernel's white-noise gain √Σw², so pure noise keeps unit variance; one-sided (negative values
 *    clipped to 0) because a track only adds light.
 */
import type { PedestalStats } from '../preprocessing/pedestal-stats.js';
import type { ScoreConfig } from '../config/pipeline.js';
import { perFrameScore, type AnomalyScore } from './score.js';
import { medianOf } from './median.js';

export const CLASSICAL_SCORES = ['gaussian', 'gaussian-rowcol', 'matched-filter'] as const;
export type ClassicalScoreName = (typeof CLASSICAL_SCORES)[number];

function signedZ(x: Float32Array, stats: PedestalStats, floor: number): Float32Array {
  const z = new Float32Array(x.length);
  const { mu, sigma } = stats;
  for (let i = 0; i < x.length; i++) z[i] = (x[i] - mu[i]) / Math.max(sigma[i], floor);
  return z;
}

/** In place: subtract each row's median, then each column's median. */
export function subtractRowColumnMedians(z: Float32Array, width: number, height: number): void {
  const scratch = new Float32Array(Math.max(width, height));
  for (let y = 0; y < height; y++) {
    const row = z.subarray(y * width, (y + 1) * width);
    const m = medianOf(row, scratch.subarray(0, width));
    for (let x = 0; x < width; x++) row[x] -= m;
  }
  const col = new Float32Array(height);
  for (let x = 0; x < width; x++) {
    for (let y = 0; y < height; y++) col[y] = z[y * width + x];
    const m = medianOf(col, scratch.subarray(0, height));
    for (let y = 0; y < height; y++) z[y * width + x] -= m;
  }
}

export function gaussianKernel(sigma: number): Float32Array {
  const r = Math.max(1, Math.ceil(3 * sigma));
  const k = new Float32Array(2 * r + 1);
  let s = 0;
  for (let i = -r; i <= r; i++) {
    k[i + r] = Math.exp((-0.5 * i * i) / (sigma * sigma));
    s += k[i + r];
  }
  for (let i = 0; i < k.length; i++) k[i] /= s;
  return k;
}

/** Separable convolution with edge clamping (the border replicates, so edges are not darkened). */
export function convolveSeparable(src: Float32Array, width: number, height: number, k: Float32Array): Float32Array {
  const r = (k.length - 1) >> 1;
  const tmp = new Float32Array(src.length);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      let s = 0;
      for (let t = -r; t <= r; t++) {
        const xx = x + t < 0 ? 0 : x + t >= width ? width - 1 : x + t;
        s += k[t + r] * src[row + xx];
      }
      tmp[row + x] = s;
    }
  }
  const out = new Float32Array(src.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let s = 0;
      for (let t = -r; t <= r; t++) {
        const yy = y + t < 0 ? 0 : y + t >= height ? height - 1 : y + t;
        s += k[t + r] * tmp[yy * width + x];
      }
      out[y * width + x] = s;
    }
  }
  return out;
}

export function gaussianZ(x: Float32Array, stats: PedestalStats, cfg: ScoreConfig): Float32Array {
  const z = signedZ(x, stats, cfg.sigmaFloor);
  for (let i = 0; i < z.length; i++) z[i] = Math.abs(z[i]);
  return z;
}

export function rowColZ(x: Float32Array, width: number, height: number, stats: PedestalStats, cfg: ScoreConfig): Float32Array {
  const z = signedZ(x, stats, cfg.sigmaFloor);
  subtractRowColumnMedians(z, width, height);
  for (let i = 0; i < z.length; i++) z[i] = Math.abs(z[i]);
  return z;
}

export function matchedFilter(x: Float32Array, width: number, height: number, stats: PedestalStats, cfg: ScoreConfig): Float32Array {
  const z = signedZ(x, stats, cfg.sigmaFloor);
  subtractRowColumnMedians(z, width, height);
  const k = gaussianKernel(cfg.matchedFilterSigma);
  let gain1d = 0;
  for (let i = 0; i < k.length; i++) gain1d += k[i] * k[i];
  const norm = 1 / gain1d; // 1/√(Σw²) of the 2-D kernel = 1/Σw₁² for a separable one
  const s = convolveSeparable(z, width, height, k);
  for (let i = 0; i < s.length; i++) s[i] = s[i] > 0 ? s[i] * norm : 0;
  return s;
}

export function classicalScore(name: ClassicalScoreName, stats: PedestalStats, cfg: ScoreConfig): AnomalyScore {
  switch (name) {
    case 'gaussian':
      return perFrameScore(name, 'pixelwise Gaussian z-score |x − μ|/σ (the paper’s baseline)', (x) => gaussianZ(x, stats, cfg));
    case 'gaussian-rowcol':
      return perFrameScore(name, 'z-score after subtracting each frame’s row and column medians', (x, w, h) =>
        rowColZ(x, w, h, stats, cfg),
      );
    case 'matched-filter':
      return perFrameScore(
        name,
        `row/column-corrected z smoothed by a Gaussian (σ = ${cfg.matchedFilterSigma} px), renormalised, one-sided`,
        (x, w, h) => matchedFilter(x, w, h, stats, cfg),
      );
  }
}
