/**
 * Synthetic perturbations of the refined training (spec roi-trigger.md, "Refined training: on-the-fly
 * synthetic perturbations"): Gaussian blobs and quadratic-Bézier tracks added to a clean pedestal
 * frame, with the binary mask that the refined loss up-weights. The network sees `input` and is asked
 * to reproduce the clean frame, so it learns NOT to reconstruct localised structure.
 *
 * Pure TypeScript over typed arrays (no tensors): the training loop converts to tensors itself. The
 * parameters (`InjectionConfig`, key `injection` of the training config) live in src/config/training.ts.
 *
 * Conventions (the spec leaves them open; written down here):
 * - Pixel (x, y) is the sample at continuous coordinates (x, y); the image covers
 *   [−0.5, W − 0.5) × [−0.5, H − 0.5), and "uniform over the image" means uniform on that rectangle.
 * - A Gaussian of amplitude A, centre (cx, cy) and width σ adds A·exp(−((x−cx)² + (y−cy)²)/(2σ²))
 *   (A is the peak value), rendered only where |x − cx| ≤ 4σ and |y − cy| ≤ 4σ (an axis-aligned
 *   box; the neglected tail is below e⁻⁸ ≈ 3×10⁻⁴ of A).
 * - The mask box [cx − 3σ, cx + 3σ] × [cy − 3σ, cy + 3σ] covers the pixels whose coordinates lie in
 *   it (closed interval), clipped to the image.
 * - Track width: ONE w ~ U(2, 6) px per track (a track of constant width; the spec's "at each point …
 *   w ~ U(2, 6)" read per point would give a ragged track with no physical meaning).
 * - Tracks are sampled at u_k = k/(n − 1), k = 0 … n − 1 (both ends included, u ∈ [0, 1]).
 * - The amplitude mixture is drawn once per structure (a blob's A, a track's A0).
 * - Draw order (fixed, so a seed reproduces a sample): blob count; per blob amplitude, cx, cy, σ;
 *   track count; per track amplitude, P0, P1, P2 (x then y), w, u0, s.
 */
import { InputError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import { resolveInjectionConfig, type InjectionConfig, type InjectionConfigInput } from '../config/training.js';

/** One rendered Gaussian: a blob, or one sample point of a track. Coordinates in px, amplitude in [0, 1] units. */
export interface Deposit {
  kind: 'blob' | 'track';
  /** Index into `structures` of the blob or track this deposit belongs to. */
  structure: number;
  cx: number;
  cy: number;
  sigma: number;
  amplitude: number;
}

export type Population = 'faint' | 'bright';

export interface BlobRecord {
  kind: 'blob';
  population: Population;
  amplitude: number;
  cx: number;
  cy: number;
  sigma: number;
}

export interface TrackRecord {
  kind: 'track';
  population: Population;
  /** A0, the base amplitude before the bump. */
  amplitude: number;
  /** Control points P0, P1, P2 as [x, y], px. */
  controlPoints: [[number, number], [number, number], [number, number]];
  /** Full width w, px, and the deposit σ = max(minTrackSigma, w / fwhmPerSigma), px. */
  width: number;
  sigma: number;
  u0: number;
  s: number;
}

export type StructureRecord = BlobRecord | TrackRecord;

export interface Injection {
  /** clip(image + Σ deposits, 0, 1), row-major [H, W]. */
  input: Float32Array;
  /** 1 inside the ±3σ box of any deposit, else 0; row-major [H, W]. */
  mask: Uint8Array;
  /** Every rendered Gaussian, in rendering order. */
  deposits: Deposit[];
  /** The drawn parameters of each blob and track. */
  structures: StructureRecord[];
}

function drawAmplitude(rng: Rng, cfg: InjectionConfig): { population: Population; amplitude: number } {
  const faint = rng.uniform() < cfg.faintProbability;
  const [lo, hi] = faint ? cfg.faintAmplitude : cfg.brightAmplitude;
  return { population: faint ? 'faint' : 'bright', amplitude: rng.range(lo, hi) };
}

/** A point uniform over the image rectangle [−0.5, W − 0.5) × [−0.5, H − 0.5). */
function drawPoint(rng: Rng, width: number, height: number): [number, number] {
  return [rng.range(-0.5, width - 0.5), rng.range(-0.5, height - 0.5)];
}

/** Integer pixel range [lo, hi] whose coordinates lie in [c − h, c + h], clipped to [0, n − 1]; empty if lo > hi. */
function pixelRange(c: number, h: number, n: number): [number, number] {
  return [Math.max(0, Math.ceil(c - h)), Math.min(n - 1, Math.floor(c + h))];
}

/** Draw the blobs and tracks of one sample (no rendering). */
export function drawStructures(width: number, height: number, rng: Rng, cfg: InjectionConfig): StructureRecord[] {
  const structures: StructureRecord[] = [];
  const nBlobs = rng.int(cfg.blobCount[0], cfg.blobCount[1]);
  for (let i = 0; i < nBlobs; i++) {
    const { population, amplitude } = drawAmplitude(rng, cfg);
    const [cx, cy] = drawPoint(rng, width, height);
    const sigma = rng.range(cfg.blobSigma[0], cfg.blobSigma[1]);
    structures.push({ kind: 'blob', population, amplitude, cx, cy, sigma });
  }
  const nTracks = rng.int(cfg.trackCount[0], cfg.trackCount[1]);
  for (let i = 0; i < nTracks; i++) {
    const { population, amplitude } = drawAmplitude(rng, cfg);
    const p0 = drawPoint(rng, width, height);
    const p1 = drawPoint(rng, width, height);
    const p2 = drawPoint(rng, width, height);
    const w = rng.range(cfg.trackWidth[0], cfg.trackWidth[1]);
    const u0 = rng.range(cfg.bumpPosition[0], cfg.bumpPosition[1]);
    const s = rng.range(cfg.bumpStrength[0], cfg.bumpStrength[1]);
    const sigma = Math.max(cfg.minTrackSigma, w / cfg.fwhmPerSigma);
    structures.push({ kind: 'track', population, amplitude, controlPoints: [p0, p1, p2], width: w, sigma, u0, s });
  }
  return structures;
}

/** Expand structures into Gaussian deposits: one per blob, `trackSamples` per track. */
export function structureDeposits(structures: readonly StructureRecord[], cfg: InjectionConfig): Deposit[] {
  const deposits: Deposit[] = [];
  structures.forEach((st, index) => {
    if (st.kind === 'blob') {
      deposits.push({ kind: 'blob', structure: index, cx: st.cx, cy: st.cy, sigma: st.sigma, amplitude: st.amplitude });
      return;
    }
    const [[x0, y0], [x1, y1], [x2, y2]] = st.controlPoints;
    const n = cfg.trackSamples;
    for (let k = 0; k < n; k++) {
      const u = k / (n - 1);
      // quadratic Bézier: B(u) = (1−u)²P0 + 2u(1−u)P1 + u²P2
      const a = (1 - u) * (1 - u);
      const b = 2 * u * (1 - u);
      const c = u * u;
      const t = (u - st.u0) / cfg.bumpWidth;
      const bump = 1 + st.s * Math.exp(-0.5 * t * t);
      deposits.push({
        kind: 'track',
        structure: index,
        cx: a * x0 + b * x1 + c * x2,
        cy: a * y0 + b * y1 + c * y2,
        sigma: st.sigma,
        amplitude: st.amplitude * bump,
      });
    }
  });
  return deposits;
}

/**
 * Add deposits into `acc` (row-major [H, W], float64 so that 1200 overlapping track points do not
 * lose bits) and mark their mask boxes. The Gaussian is separable, so each deposit costs one exp per
 * window row and column instead of one per pixel.
 */
export function renderDeposits(
  acc: Float64Array,
  mask: Uint8Array,
  width: number,
  height: number,
  deposits: readonly Deposit[],
  cfg: InjectionConfig,
): void {
  let gx = new Float64Array(64);
  for (const d of deposits) {
    const inv = 1 / (2 * d.sigma * d.sigma);
    const h = cfg.renderHalfWidthSigmas * d.sigma;
    const [x0, x1] = pixelRange(d.cx, h, width);
    const [y0, y1] = pixelRange(d.cy, h, height);
    if (x1 - x0 + 1 > gx.length) gx = new Float64Array(2 * (x1 - x0 + 1));
    for (let x = x0; x <= x1; x++) gx[x - x0] = Math.exp(-(x - d.cx) * (x - d.cx) * inv);
    for (let y = y0; y <= y1; y++) {
      const gy = Math.exp(-(y - d.cy) * (y - d.cy) * inv);
      const row = y * width;
      for (let x = x0; x <= x1; x++) acc[row + x] += d.amplitude * gx[x - x0] * gy;
    }
    const m = cfg.maskHalfWidthSigmas * d.sigma;
    const [mx0, mx1] = pixelRange(d.cx, m, width);
    const [my0, my1] = pixelRange(d.cy, m, height);
    for (let y = my0; y <= my1; y++) mask.fill(1, y * width + mx0, y * width + mx1 + 1);
  }
}

/**
 * Inject blobs and tracks into a clean normalised image (row-major [H, W], values in [0, 1]).
 * Steps: 1. draw the structures; 2. expand them into Gaussian deposits; 3. render the deposits and
 * their mask boxes; 4. input = clip(image + Σ deposits, 0, 1). The image itself is not modified.
 */
export function injectStructures(
  image: Float32Array,
  width: number,
  height: number,
  rng: Rng,
  cfg: InjectionConfigInput | InjectionConfig = {},
): Injection {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new InputError('injectStructures', `image size must be positive integers, got ${width}×${height}`);
  }
  if (image.length !== width * height) {
    throw new InputError('injectStructures', `image has ${image.length} pixels, expected ${width}×${height} = ${width * height}`);
  }
  const resolved = resolveInjectionConfig(cfg);
  const structures = drawStructures(width, height, rng, resolved);
  const deposits = structureDeposits(structures, resolved);
  const acc = new Float64Array(width * height);
  const mask = new Uint8Array(width * height);
  renderDeposits(acc, mask, width, height, deposits, resolved);
  const input = new Float32Array(width * height);
  for (let i = 0; i < input.length; i++) input[i] = Math.min(1, Math.max(0, image[i] + acc[i]));
  return { input, mask, deposits, structures };
}
