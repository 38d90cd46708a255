/**
 * Deposits → the event's noiseless image ("truth"), in expected camera counts per pixel.
 *
 * In: an event's deposits (x, y px; z cm; visible keV), the config, the vignetting map, the event's Rng.
 * Out: an `EventImage`: the lit pixels of the frame and their expected counts.
 * Steps:
 *  1. electrons per deposit: E/W, rounded stochastically (sub-Poissonian, like a small Fano factor);
 *  2. electrons are grouped into clusters of m (m = 1 unless the event exceeds `maxClustersPerEvent`);
 *     a cluster's centroid is displaced by drift diffusion σ_d/√m, σ_d = D_T·√z, and it is drawn with
 *     width sqrt(σ0² + σ_d²(1 − 1/m)) — exact in the second moment for any m, so grouping changes no
 *     spot size; m = 1 gives single-electron granularity;
 *  3. gain: the first GEM multiplies each electron by an exponential factor (a cluster of m gets a
 *     Gamma(m) sum), scaled so the mean is the light yield (counts/keV) × W;
 *  4. each cluster is a 2-D Gaussian integrated over the pixels (erf differences), truncated at
 *     `truncationSigmas` and renormalised, so a spot's sum is exact; light falling off the sensor is lost;
 *  5. saturation per pixel from the 3-D charge density (see `saturate`), then vignetting.
 * Ignored: single-photon granularity (Poisson statistics are applied to the summed frame, frame.ts),
 * saturation shared by overlapping events, GEM hole pattern.
 */
import type { Rng } from '../../core/rng.js';
import { normalCdf } from '../common.js';
import type { LimeConfig } from '../../config/lime.js';
import { driftSigmaLMm, driftSigmaTPx } from './physics.js';
import type { Deposits } from './tracks.js';

/** An event's noiseless image, sparse: the pixels it lights, in increasing frame index y·W + x. */
export interface EventImage {
  readonly index: Int32Array;
  /** Expected counts of each listed pixel (> 0). */
  readonly counts: Float32Array;
}

/** Clusters of electrons: centroid (px), width (px), counts, arrival depth (mm) and its spread² (mm²). */
interface Clusters {
  x: number[];
  y: number[];
  sigma: number[];
  counts: number[];
  zMm: number[];
  spreadZ2: number[];
}

function makeClusters(cfg: LimeConfig, deposits: Deposits, rng: Rng): Clusters {
  const p = cfg.physics;
  const wKeV = p.wEv / 1000;
  const countsPerElectron = p.lightYieldCountsPerKeV * wKeV;
  let total = 0;
  for (let i = 0; i < deposits.length; i++) total += deposits.eVis[i] / wKeV;
  const m = Math.max(1, Math.ceil(total / p.maxClustersPerEvent));
  const s0 = p.sigma0Mm / cfg.camera.pixelPitchMm; // px
  const c: Clusters = { x: [], y: [], sigma: [], counts: [], zMm: [], spreadZ2: [] };
  for (let i = 0; i < deposits.length; i++) {
    const n = Math.floor(deposits.eVis[i] / wKeV + rng.uniform());
    if (n === 0) continue;
    const z = deposits.z[i];
    const sd = driftSigmaTPx(cfg, z);
    const sl = driftSigmaLMm(cfg, z);
    for (let left = n; left > 0; left -= m) {
      const k = Math.min(m, left);
      const rk = 1 / Math.sqrt(k);
      c.x.push(deposits.x[i] + sd * rk * rng.normal());
      c.y.push(deposits.y[i] + sd * rk * rng.normal());
      c.sigma.push(Math.sqrt(s0 * s0 + sd * sd * (1 - 1 / k)));
      const gain = p.gainFluctuation === 'none' ? k : k === 1 ? rng.exponential() : rng.gamma(k);
      c.counts.push(countsPerElectron * gain);
      c.zMm.push(z * 10 + sl * rk * rng.normal());
      c.spreadZ2.push(p.sigmaL0Mm ** 2 + sl * sl * (1 - 1 / k));
    }
  }
  return c;
}

/**
 * Saturation at the last GEM: the light of a pixel is divided by (1 + (ρ/ρ_sat)^p)^(1/p), where
 * ρ = counts / (√(2π)·σ_z) is its counts per mm of arrival depth — charge arriving spread in depth
 * (time) saturates less than charge arriving at once, so an alpha lying flat saturates far more than
 * a ⁵⁵Fe spot of the same brightness per pixel.
 */
function saturate(a: number, b: number, c: number, cfg: LimeConfig): number {
  const p = cfg.physics;
  const meanZ = b / a;
  const varZ = Math.max(c / a - meanZ * meanZ, p.sigmaL0Mm * p.sigmaL0Mm);
  const rho = a / Math.sqrt(2 * Math.PI * varZ);
  const q = Math.pow(rho / p.saturationDensity, p.saturationSharpness);
  return a / Math.pow(1 + q, 1 / p.saturationSharpness);
}

/**
 * Renders events into frame-sized scratch buffers reused from event to event (a muon can span the
 * whole frame; allocating per event would churn tens of MB). Only the touched span of each row is
 * visited afterwards and cleared again, so a thin diagonal track costs its area, not its bounding box.
 */
export class EventRenderer {
  private readonly a: Float32Array; // counts
  private readonly b: Float32Array; // counts · Δz, mm (saturation only)
  private readonly c: Float32Array; // counts · (Δz² + σ_z²), mm² (saturation only)
  private readonly rowMin: Int32Array;
  private readonly rowMax: Int32Array;

  constructor(
    private readonly cfg: LimeConfig,
    private readonly vignetting: Float32Array,
  ) {
    const { width: w, height: h } = cfg.camera;
    this.a = new Float32Array(w * h);
    this.b = cfg.physics.saturation ? new Float32Array(w * h) : this.a;
    this.c = cfg.physics.saturation ? new Float32Array(w * h) : this.a;
    this.rowMin = new Int32Array(h).fill(w);
    this.rowMax = new Int32Array(h).fill(-1);
  }

  /** The event's image; null when no light reaches the frame. */
  render(deposits: Deposits, rng: Rng): EventImage | null {
    const cfg = this.cfg;
    const { width: fw, height: fh } = cfg.camera;
    const { a, b, c, rowMin, rowMax } = this;
    const cl = makeClusters(cfg, deposits, rng);
    const nc = cl.x.length;
    if (nc === 0) return null;
    const trunc = cfg.physics.truncationSigmas;
    const sat = cfg.physics.saturation;
    const zRef = cl.zMm[0]; // depths relative to one cluster keep the float32 sums precise
    let sigmaMax = 0;
    for (let j = 0; j < nc; j++) sigmaMax = Math.max(sigmaMax, cl.sigma[j]);
    const wx = new Float64Array(2 * Math.ceil(trunc * sigmaMax) + 4);
    const wy = new Float64Array(wx.length);
    let yLo = fh;
    let yHi = -1;

    for (let j = 0; j < nc; j++) {
      const s = cl.sigma[j];
      const r = trunc * s;
      const cx = cl.x[j];
      const cy = cl.y[j];
      // 1-D pixel weights over the full truncated window (off-frame pixels included in the norm)
      const ix0 = Math.floor(cx - r);
      const iy0 = Math.floor(cy - r);
      const nx = Math.floor(cx + r) - ix0 + 1;
      const ny = Math.floor(cy + r) - iy0 + 1;
      const kx0 = Math.max(0, -ix0);
      const kx1 = Math.min(nx - 1, fw - 1 - ix0);
      const ky0 = Math.max(0, -iy0);
      const ky1 = Math.min(ny - 1, fh - 1 - iy0);
      if (kx1 < kx0 || ky1 < ky0) continue; // entirely off the sensor
      let sx = 0;
      let prev = normalCdf((ix0 - cx) / s);
      for (let k = 0; k < nx; k++) {
        const next = normalCdf((ix0 + k + 1 - cx) / s);
        wx[k] = next - prev;
        sx += wx[k];
        prev = next;
      }
      let sy = 0;
      prev = normalCdf((iy0 - cy) / s);
      for (let k = 0; k < ny; k++) {
        const next = normalCdf((iy0 + k + 1 - cy) / s);
        wy[k] = next - prev;
        sy += wy[k];
        prev = next;
      }
      const norm = cl.counts[j] / (sx * sy);
      const dz = cl.zMm[j] - zRef;
      const dz2 = dz * dz + cl.spreadZ2[j];
      yLo = Math.min(yLo, iy0 + ky0);
      yHi = Math.max(yHi, iy0 + ky1);
      for (let ky = ky0; ky <= ky1; ky++) {
        const y = iy0 + ky;
        if (ix0 + kx0 < rowMin[y]) rowMin[y] = ix0 + kx0;
        if (ix0 + kx1 > rowMax[y]) rowMax[y] = ix0 + kx1;
        const rowW = norm * wy[ky];
        const base = y * fw + ix0;
        for (let kx = kx0; kx <= kx1; kx++) {
          const v = rowW * wx[kx];
          a[base + kx] += v;
          if (sat) {
            b[base + kx] += v * dz;
            c[base + kx] += v * dz2;
          }
        }
      }
    }
    if (yHi < yLo) return null;

    // saturation (3-D density), then the lens; collect the lit pixels and clear the scratch
    let span = 0;
    for (let y = yLo; y <= yHi; y++) if (rowMax[y] >= rowMin[y]) span += rowMax[y] - rowMin[y] + 1;
    const index = new Int32Array(span);
    const counts = new Float32Array(span);
    let n = 0;
    for (let y = yLo; y <= yHi; y++) {
      for (let i = y * fw + rowMin[y], end = y * fw + rowMax[y]; i <= end; i++) {
        let v = a[i];
        if (v > 0) {
          if (sat) v = saturate(v, b[i], c[i], cfg);
          index[n] = i;
          counts[n++] = v * this.vignetting[i];
        }
        a[i] = 0;
        if (sat) {
          b[i] = 0;
          c[i] = 0;
        }
      }
      rowMin[y] = fw;
      rowMax[y] = -1;
    }
    return { index: index.subarray(0, n), counts: counts.subarray(0, n) };
  }
}

/** Truth pixels of an event image: frame indices (increasing) whose counts reach minCounts, rounded to 0.01. */
export function truthPixels(img: EventImage, minCounts: number): { index: number[]; counts: number[] } {
  const index: number[] = [];
  const counts: number[] = [];
  const floor = Math.max(minCounts, 0.005); // a listed pixel never rounds to 0
  for (let k = 0; k < img.index.length; k++) {
    const v = img.counts[k];
    if (v >= floor) {
      index.push(img.index[k]);
      counts.push(Math.round(v * 100) / 100);
    }
  }
  return { index, counts };
}

/** Adds an event image into a frame-sized signal buffer (counts). */
export function addToFrame(img: EventImage, signal: Float32Array): void {
  for (let k = 0; k < img.index.length; k++) signal[img.index[k]] += img.counts[k];
}
