/**
 * From primary ionisation to a noiseless image: electrons (E/W, Poisson) → drift with transverse
 * diffusion (σ = D_T·√z) → two GEMs (transmission, exponential first-stage gain, per-electron second
 * stage) → spread after each GEM → camera light through the vignetting → ADU.
 *
 * In: `Segments` (tracks.ts), the config, an Rng. Out: a Float32 image [H·W] in ADU added into `image`
 * (the caller gives one image per species, so the truth of each species is exact by construction).
 * Each transmitted primary electron's avalanche is rendered as one pixel-integrated Gaussian of
 * σ² = σ_drift² + σ_GEM1² + σ_GEM2²; charge falling off the image is lost.
 * Ignored: longitudinal diffusion (the camera integrates over time), the GEM hole pattern
 * (170 µm holes at 280 µm pitch, below the spread), photon statistics of the camera (the avalanche
 * fluctuations dominate), saturation, attachment.
 */
import type { Rng } from '../../core/rng.js';
import type { MigdalConfig } from '../../config/migdal.js';
import type { Segments } from './tracks.js';

/** Per-pixel vignetting response [H·W], linear between the profile points, constant beyond. */
export function vignettingMap(cfg: MigdalConfig): Float32Array {
  const { width: w, height: h, vignetting: pts } = cfg.image;
  const map = new Float32Array(w * h);
  const at = (r: number): number => {
    if (r >= pts[pts.length - 1][0]) return pts[pts.length - 1][1];
    let i = 0;
    while (r > pts[i + 1][0]) i++;
    const t = (r - pts[i][0]) / (pts[i + 1][0] - pts[i][0]);
    return pts[i][1] + t * (pts[i + 1][1] - pts[i][1]);
  };
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) map[y * w + x] = at(Math.hypot(x + 0.5 - w / 2, y + 0.5 - h / 2));
  }
  return map;
}

/** Mean gain of each GEM, chosen equal so that t₁·g₁·t₂·g₂ = the total effective gain. */
export function stageGains(cfg: MigdalConfig): [number, number] {
  const [t1, t2] = cfg.gem.transmission;
  const g = Math.sqrt(cfg.gem.totalGain / (t1 * t2));
  return [g, g];
}

/** ADU per electron leaving the last GEM, so that the mean image sum is E·aduPerKeV at vignetting 1. */
export function aduPerElectron(cfg: MigdalConfig): number {
  return (cfg.gem.aduPerKeV * (cfg.gas.wEv / 1000)) / cfg.gem.totalGain;
}

/** erf to 1.5e-7 (Abramowitz & Stegun 7.1.26): ample for pixel weights. */
function erf(x: number): number {
  const s = x < 0 ? -1 : 1;
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a);
  return s * y;
}

/** Workspace for the 1-D pixel weights of one Gaussian (reused between avalanches). */
const WX = new Float64Array(512);
const WY = new Float64Array(512);

/** Weights of pixels lo..hi (inclusive) under N(mu, σ²), normalised to 1 over the window. */
function weights(out: Float64Array, mu: number, sigma: number, lo: number, hi: number): void {
  const k = 1 / (Math.SQRT2 * sigma);
  let prev = erf((lo - mu) * k);
  let sum = 0;
  for (let p = lo; p <= hi; p++) {
    const next = erf((p + 1 - mu) * k);
    out[p - lo] = next - prev;
    sum += next - prev;
    prev = next;
  }
  for (let p = lo; p <= hi; p++) out[p - lo] /= sum;
}

/** Add `adu` spread as a pixel-integrated Gaussian at (mx, my) px with σ px into `image`. */
export function splat(image: Float32Array, w: number, h: number, mx: number, my: number, sigma: number, adu: number, nSigma: number): void {
  const reach = Math.min(255, Math.max(1, Math.ceil(nSigma * sigma)));
  const x0 = Math.floor(mx) - reach;
  const y0 = Math.floor(my) - reach;
  const x1 = Math.floor(mx) + reach;
  const y1 = Math.floor(my) + reach;
  if (x1 < 0 || y1 < 0 || x0 >= w || y0 >= h) return;
  weights(WX, mx, sigma, x0, x1);
  weights(WY, my, sigma, y0, y1);
  for (let y = Math.max(0, y0); y <= Math.min(h - 1, y1); y++) {
    const wy = WY[y - y0] * adu;
    const row = y * w;
    for (let x = Math.max(0, x0); x <= Math.min(w - 1, x1); x++) image[row + x] += wy * WX[x - x0];
  }
}

/**
 * Electrons leaving GEM 2 for one electron entering GEM 1's hole: n₁ ~ Poisson(Exp(g₁)) (the discrete
 * exponential of the Furry law), then n₁ electrons each passing with t₂ and multiplied by Exp(g₂) —
 * exactly for small n₁, else by a Gaussian of mean n₁·t₂·g₂ and variance n₁·t₂·g₂²·(2 − t₂) (over 60
 * electrons it lies more than 3.4σ above 0, so clamping at 0 biases nothing measurable).
 */
function avalanche(rng: Rng, g1: number, t2: number, g2: number): number {
  const n1 = rng.poisson(rng.exponential(g1));
  if (n1 <= 60) {
    let q = 0;
    for (let k = 0; k < n1; k++) if (rng.uniform() < t2) q += rng.exponential(g2);
    return q;
  }
  return Math.max(0, n1 * t2 * g2 + Math.sqrt(n1 * t2 * (2 - t2)) * g2 * rng.normal());
}

export interface RenderStats {
  /** Primary electrons created and those passing the first GEM. */
  electrons: number;
  transmitted: number;
}

/**
 * Drift, amplify and image the ionisation of `segs`, adding ADU into `image` [H·W].
 * Steps: 1. electrons per piece ~ Poisson(E/W), uniform along the piece; 2. diffusion by D_T·√z;
 * 3. GEM 1: Bernoulli transmission, discrete exponential gain; 4. GEM 2: transmission and gain of each of
 * those electrons (see `avalanche`); 5. light = charge · ADU/electron · vignetting at the centre.
 */
export function renderSegments(cfg: MigdalConfig, segs: Segments, rng: Rng, vignetting: Float32Array, image: Float32Array): RenderStats {
  const { width: w, height: h, pixelMm } = cfg.image;
  const [t1, t2] = cfg.gem.transmission;
  const [g1, g2] = stageGains(cfg);
  const adu = aduPerElectron(cfg);
  const umToPx = 1 / (pixelMm * 1000);
  const dT = cfg.gas.diffusionTUmPerSqrtCm * umToPx; // px/√cm
  const gemVar = (cfg.gem.spreadAfterFirstUm * umToPx) ** 2 + (cfg.gem.spreadAfterLastUm * umToPx) ** 2;
  const nSigma = cfg.gem.truncationSigmas;
  const stats: RenderStats = { electrons: 0, transmitted: 0 };
  for (let s = 0; s < segs.keV.length; s++) {
    const n = rng.poisson((segs.keV[s] * 1000) / cfg.gas.wEv);
    stats.electrons += n;
    for (let e = 0; e < n; e++) {
      if (rng.uniform() >= t1) continue; // 3. lost on the first GEM
      stats.transmitted++;
      const f = rng.uniform();
      const z = segs.z0[s] + f * (segs.z1[s] - segs.z0[s]);
      const sd = dT * Math.sqrt(Math.max(z, 0));
      const x = segs.x0[s] + f * (segs.x1[s] - segs.x0[s]) + sd * rng.normal();
      const y = segs.y0[s] + f * (segs.y1[s] - segs.y0[s]) + sd * rng.normal();
      const q = cfg.gem.fluctuation === 'exponential' ? avalanche(rng, g1, t2, g2) : g1 * t2 * g2;
      const xi = Math.min(w - 1, Math.max(0, Math.floor(x)));
      const yi = Math.min(h - 1, Math.max(0, Math.floor(y)));
      const light = q * adu * vignetting[yi * w + xi];
      if (light > 0) splat(image, w, h, x, y, Math.sqrt(gemVar), light, nSigma);
    }
  }
  return stats;
}
