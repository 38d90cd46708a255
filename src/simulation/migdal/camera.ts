/**
 * The camera noise of a dark-subtracted, 4×4-binned MIGDAL frame. What is fixed for a run (built once
 * from Rng.derive(seed, 'camera')): the per-pixel offsets the master dark left behind and each pixel's
 * read-noise σ. What is fresh in every frame (from the event's Rng): Gaussian read noise and a few
 * flickering hot pixels.
 *
 * In: the resolved config, the run seed. Out: `MigdalCamera`; `addCameraNoise` adds one frame of
 * noise (ADU, mean ≈ 0) into an image [H·W].
 * Ignored: sparks, afterglow of bright tracks, rolling-shutter artefacts [det: real frames show them],
 * the non-Gaussian tails of sCMOS pixels (binning 16 pixels makes the read noise close to Gaussian).
 */
import { Rng } from '../../core/rng.js';
import { BulkRng } from '../../core/bulk-rng.js';
import type { MigdalConfig } from '../../config/migdal.js';

export interface MigdalCamera {
  readonly width: number;
  readonly height: number;
  /** Residual offset of each pixel after dark subtraction, ADU. [H·W] */
  readonly offset: Float32Array;
  /** Read-noise σ of each pixel, ADU. [H·W] */
  readonly sigma: Float32Array;
}

export function buildMigdalCamera(cfg: MigdalConfig, seed: number): MigdalCamera {
  const { width: w, height: h } = cfg.image;
  const c = cfg.camera;
  const rng = Rng.derive(seed, 'camera');
  const g = new BulkRng(rng); // ~4 ns a normal: a frame has 147,456 pixels
  const offset = new Float32Array(w * h);
  const sigma = new Float32Array(w * h);
  for (let i = 0; i < w * h; i++) {
    offset[i] = c.residualOffsetAdu * g.normal();
    sigma[i] = c.readNoiseAdu * Math.exp(c.readNoiseLogSpread * g.normal());
  }
  return { width: w, height: h, offset, sigma };
}

/** Add one frame of camera noise into `image` [H·W], ADU; returns the number of hot pixels lit. */
export function addCameraNoise(cfg: MigdalConfig, camera: MigdalCamera, rng: Rng, image: Float32Array): number {
  const n = camera.width * camera.height;
  const g = new BulkRng(rng);
  for (let i = 0; i < n; i++) image[i] += camera.offset[i] + camera.sigma[i] * g.normal();
  const hot = rng.poisson(cfg.camera.hotPixelsPerFrame);
  const [lo, hi] = cfg.camera.hotPixelAdu;
  for (let k = 0; k < hot; k++) {
    const i = Math.floor(rng.uniform() * n);
    const u = rng.uniform();
    image[i] += lo > 0 ? lo * Math.pow(hi / lo, u) : hi * u; // log-uniform excess (uniform if lo = 0)
  }
  return hot;
}
