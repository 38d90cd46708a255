/**
 * The simulated sCMOS camera: everything about the pedestal that is fixed for a camera (built once
 * per seed) or for a run (the isolated hot pixels).
 *
 * In: the resolved config and the run seed. Out: per-pixel maps and sparse pixel lists that noise.ts
 * samples every frame from. Each pixel's noise distribution is its own: a Gaussian core of its own σ,
 * for some pixels Laplace bursts of their own rate and scale, for others random-telegraph levels of
 * their own amplitude and occupancy (docs/SIMULATION.md, "Noise model").
 * Ignored: temperature dependence, gain non-uniformity of the pixels (photon response), dark current
 * other than in hot pixels, the dual-amplifier sCMOS readout.
 */
import { Rng } from '../../core/rng.js';
import { BulkRng } from '../../core/bulk-rng.js';
import { type LimeConfig } from '../../config/lime.js';
import { geometryScale } from './derived.js';

export interface LimeCamera {
  readonly width: number;
  readonly height: number;
  /** Per-pixel mean, counts: the fixed pattern, hot clusters included. [H·W] */
  readonly mean: Float32Array;
  /** Per-pixel σ of the Gaussian core, counts. [H·W] */
  readonly sigma: Float32Array;
  /** Burst pixels: index y·W + x, per-frame probability, Laplace scale (counts). */
  readonly bursts: SparsePixels;
  /** Random-telegraph pixels: index, probability of the high level, level separation (counts). */
  readonly telegraph: SparsePixels;
  /** Number of pixels raised by hot clusters (fixed pattern). */
  readonly hotClusterPixels: number;
}

export interface SparsePixels {
  readonly index: Int32Array;
  readonly probability: Float32Array;
  readonly amplitude: Float32Array;
}

/** Isolated hot pixels of one run: index, mean excess (counts), σ of their dark-current noise (counts). */
export interface RunHotPixels {
  readonly runIndex: number;
  readonly index: Int32Array;
  readonly excess: Float32Array;
  readonly sigma: Float32Array;
}

const sparsePixels = (n: number): SparsePixels => ({
  index: new Int32Array(n),
  probability: new Float32Array(n),
  amplitude: new Float32Array(n),
});

const logUniform = (g: BulkRng, [a, b]: readonly [number, number]): number => a * Math.exp(Math.log(b / a) * g.uniform());

/**
 * Multiplier of σ or mean spread at distance d (px) from the nearest edge: `factor` at the edge,
 * decaying as exp(−3d/band) so that it is within 5% of 1 at the inner side of the band.
 */
function edgeProfile(band: number, factor: number): (d: number) => number {
  if (band <= 0 || factor === 1) return () => 1;
  return (d) => 1 + (factor - 1) * Math.exp((-3 * d) / band);
}

export function buildCamera(cfg: LimeConfig, seed: number): LimeCamera {
  const c = cfg.camera;
  const { width: w, height: h } = c;
  const n = w * h;
  const rng = Rng.derive(seed, 'camera');
  const g = new BulkRng(rng);
  const mean = new Float32Array(n);
  const sigma = new Float32Array(n);
  const band = c.edgeBandPx * geometryScale(cfg);
  const sigmaEdge = edgeProfile(band, c.edgeSigmaFactor);
  const spreadEdge = edgeProfile(band, c.edgeSpreadFactor);
  // the σ tail starts where the log-normal core thins out (median · e^{2 s})
  const tailStart = Math.min(c.sigmaTailMax, c.sigmaMedian * Math.exp(2 * c.sigmaLogSpread));
  // tabulated by distance to the edge out to 2.5 bands (factor within 0.1% of 1), then exactly 1
  const edgeSigma = new Float64Array(Math.ceil(2.5 * band) + 2).fill(1);
  const edgeSpread = new Float64Array(edgeSigma.length).fill(1);
  const last = edgeSigma.length - 1;
  for (let d = 0; d < last; d++) {
    edgeSigma[d] = sigmaEdge(d + 0.5);
    edgeSpread[d] = spreadEdge(d + 0.5);
  }

  // 1. fixed pattern: per-pixel mean and σ, with the edge band noisier and less uniform
  for (let y = 0; y < h; y++) {
    const dy = Math.min(y, h - 1 - y);
    for (let x = 0; x < w; x++) {
      const d = Math.min(last, dy, x, w - 1 - x);
      const i = y * w + x;
      mean[i] = c.pedestalMean + c.pedestalSpread * edgeSpread[d] * g.normal();
      const s =
        g.uniform() < c.sigmaTailFraction
          ? logUniform(g, [tailStart, c.sigmaTailMax])
          : Math.max(c.sigmaMin, c.sigmaMedian * Math.exp(c.sigmaLogSpread * g.normal()));
      sigma[i] = s * edgeSigma[d];
    }
  }

  // 2. clustered hot spots (structured fixed pattern)
  let hotClusterPixels = 0;
  const hc = cfg.structuredNoise.hotClusters;
  if (cfg.noise === 'structured' && hc.enabled) {
    const count = rng.poisson((hc.perMegapixel * n) / 1e6);
    const raised = new Uint8Array(n);
    for (let k = 0; k < count; k++) {
      const cx = g.uniform() * w;
      const cy = g.uniform() * h;
      const radius = logUniform(g, hc.radiusPx);
      const amp = logUniform(g, hc.amplitude);
      const reach = Math.ceil(radius * 1.5);
      for (let y = Math.max(0, Math.floor(cy - reach)); y <= Math.min(h - 1, Math.floor(cy + reach)); y++) {
        for (let x = Math.max(0, Math.floor(cx - reach)); x <= Math.min(w - 1, Math.floor(cx + reach)); x++) {
          const r2 = (x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2;
          if (r2 > reach * reach) continue;
          const i = y * w + x;
          // Gaussian falloff with σ = radius/2: "clusters" are a bright core with dimmer neighbours
          const excess = amp * Math.exp(-r2 / (0.5 * radius * radius));
          mean[i] += excess;
          sigma[i] = Math.sqrt(sigma[i] * sigma[i] + c.hotPixelVariancePerCount * excess);
          if (!raised[i]) hotClusterPixels++;
          raised[i] = 1;
        }
      }
    }
  }

  // 3. per-pixel non-Gaussian shapes: burst pixels and random-telegraph pixels (disjoint sets);
  //    classify first, then fill exactly sized arrays (no growing lists of millions of entries)
  const kind = new Uint8Array(n); // 0 Gaussian only, 1 bursts, 2 telegraph
  let nBursts = 0;
  let nTelegraph = 0;
  for (let i = 0; i < n; i++) {
    const u = g.uniform();
    if (u < c.telegraphFraction) {
      kind[i] = 2;
      nTelegraph++;
    } else if (u < c.telegraphFraction + c.burstFraction) {
      kind[i] = 1;
      nBursts++;
    }
  }
  const bursts = sparsePixels(nBursts);
  const telegraph = sparsePixels(nTelegraph);
  const [p0, p1] = c.telegraphHighProbability;
  const [s0, s1] = c.burstScaleSigmas;
  for (let i = 0, b = 0, t = 0; i < n; i++) {
    if (kind[i] === 1) {
      bursts.index[b] = i;
      bursts.probability[b] = logUniform(g, c.burstProbability);
      bursts.amplitude[b++] = sigma[i] * (s0 + (s1 - s0) * g.uniform());
    } else if (kind[i] === 2) {
      telegraph.index[t] = i;
      telegraph.probability[t] = p0 + (p1 - p0) * g.uniform();
      telegraph.amplitude[t++] = logUniform(g, c.telegraphAmplitude);
    }
  }
  return { width: w, height: h, mean, sigma, bursts, telegraph, hotClusterPixels };
}

/** Isolated hot pixels of run `runIndex`: drawn from Rng.derive(seed, 'run:' + runIndex), so they change from run to run. */
export function runHotPixels(cfg: LimeConfig, camera: LimeCamera, seed: number, runIndex: number): RunHotPixels {
  const c = cfg.camera;
  const n = camera.width * camera.height;
  const rng = Rng.derive(seed, `run:${runIndex}`);
  const count = rng.poisson((c.hotPixelsPerMegapixel * n) / 1e6);
  const chosen = new Set<number>();
  while (chosen.size < Math.min(count, n)) chosen.add(Math.floor(rng.uniform() * n));
  const index = Int32Array.from([...chosen].sort((a, b) => a - b));
  const excess = new Float32Array(index.length);
  const sigma = new Float32Array(index.length);
  const [lo, hi] = c.hotPixelAmplitude;
  for (let k = 0; k < index.length; k++) {
    excess[k] = lo * Math.pow(hi / lo, rng.uniform());
    sigma[k] = Math.sqrt(c.hotPixelVariancePerCount * excess[k]);
  }
  return { runIndex, index, excess, sigma };
}
