/**
 * SSIM with the semantics of TensorFlow's tf.image.ssim (spec roi-trigger.md, "Losses"), in two
 * implementations that must agree:
 * - `ssim`: differentiable tfjs version on [N, H, W, C] tensors, used inside the losses (works under
 *   tf.grad and optimizers);
 * - `ssimReference`: plain float64 loops over one [H, W] image, for tests and metrics.
 *
 * TF semantics (tensorflow/python/ops/image_ops_impl.py, `_fspecial_gauss`, `_ssim_helper`,
 * `_ssim_per_channel`, `ssim`):
 * - window: size×size Gaussian, w_ij ∝ exp(−(i² + j²)/(2σ²)) with i, j ∈ {−(size−1)/2 … (size−1)/2},
 *   normalised to sum 1 (TF builds it with a softmax); defaults size 11, σ 1.5;
 * - local statistics by a VALID convolution (no padding): μx = Σw·x, and the biased (population)
 *   moments σx² = Σw·x² − μx², σxy = Σw·xy − μxμy ("compensation" = 1);
 * - c1 = (k1·max_val)², c2 = (k2·max_val)², k1 = 0.01, k2 = 0.03, max_val = 1;
 * - SSIM map = (2μxμy + c1)/(μx² + μy² + c1) · (2σxy + c2)/(σx² + σy² + c2), averaged over the
 *   valid positions, then over channels: one value per image.
 * Images smaller than the window are rejected (TF asserts the same).
 */
import * as tf from '@tensorflow/tfjs-core';
// Side effect, needed for tf.grad and optimizers: tfjs-core's Node bundle registers no gradient
// functions; tfjs-layers' bundle registers those of every core kernel (conv2d, mean, split …) into
// the shared registry. Without it, tf.grad over ssim fails ("gradient function not found for Sum")
// unless the caller happened to load tfjs-layers first.
import '@tensorflow/tfjs-layers';
import { InputError } from '../core/errors.js';

export interface SsimOptions {
  /** Dynamic range of the pixel values (TF max_val); 1 for the normalised [0, 1] frames. */
  maxVal: number;
  /** Window side, px (TF filter_size). */
  filterSize: number;
  /** Gaussian σ of the window, px (TF filter_sigma). */
  filterSigma: number;
  k1: number;
  k2: number;
}

/** tf.image.ssim's defaults (spec "Losses": 11×11, σ = 1.5, K1 = 0.01, K2 = 0.03, max_val = 1). */
export const SSIM_DEFAULTS: Readonly<SsimOptions> = Object.freeze({ maxVal: 1, filterSize: 11, filterSigma: 1.5, k1: 0.01, k2: 0.03 });

/**
 * Normalised 1-D Gaussian of `size` taps. TF's 2-D window is softmax(−(i² + j²)/(2σ²)), which factors
 * exactly as the outer product of this vector with itself; the tfjs version uses the factorisation
 * (two 11-tap passes instead of one 121-tap pass: 5.5× fewer multiply-adds on 1024² frames).
 */
export function gaussianWindow1d(size: number, sigma: number): Float64Array {
  const g = new Float64Array(size);
  const half = (size - 1) / 2;
  let sum = 0;
  for (let i = 0; i < size; i++) {
    g[i] = Math.exp(-((i - half) * (i - half)) / (2 * sigma * sigma));
    sum += g[i];
  }
  for (let i = 0; i < size; i++) g[i] /= sum;
  return g;
}

/**
 * Differentiable SSIM per image: x, y [N, H, W, C] → [N].
 * Float32 care: the local variances are computed as E[x²] − E[x]², which in float32 loses most digits
 * when the variance is tiny compared with the mean square (pedestal frames: σ ~ 1e-2 around a mean of
 * ~0.5). The contrast-structure factor is invariant under a constant shift of x or of y, so it is
 * computed on images centred by their own global mean; the luminance factor adds the means back.
 * This is the same function as TF's, with smaller rounding error.
 */
export function ssim(x: tf.Tensor4D, y: tf.Tensor4D, options: Partial<SsimOptions> = {}): tf.Tensor1D {
  const o = { ...SSIM_DEFAULTS, ...options };
  const [n, h, w, c] = x.shape;
  if (y.shape.some((d, i) => d !== x.shape[i])) {
    throw new InputError('ssim', `image shapes differ: [${x.shape.join(', ')}] vs [${y.shape.join(', ')}]`);
  }
  if (h < o.filterSize || w < o.filterSize) {
    throw new InputError('ssim', `images of ${h}×${w} px are smaller than the ${o.filterSize}×${o.filterSize} window`);
  }
  return tf.tidy(() => {
    const g = Float32Array.from(gaussianWindow1d(o.filterSize, o.filterSigma));
    const kRow = tf.tensor4d(g, [1, o.filterSize, 1, 1]); // [1, k, in 1, out 1]
    const kCol = tf.tensor4d(g, [o.filterSize, 1, 1, 1]); // [k, 1, 1, 1]
    // 1. channels into the batch, so each channel is filtered alone (TF's depthwise convolution)
    const toSingle = (t: tf.Tensor4D): tf.Tensor4D =>
      c === 1 ? t : tf.reshape(tf.transpose(t, [0, 3, 1, 2]), [n * c, h, w, 1]);
    const xs = toSingle(x); // [NC, H, W, 1]
    const ys = toSingle(y);
    // 2. centre each image (see above); mx, my [NC, 1, 1, 1]
    const mx = tf.mean(xs, [1, 2, 3], true);
    const my = tf.mean(ys, [1, 2, 3], true);
    const xc = tf.sub(xs, mx);
    const yc = tf.sub(ys, my);
    // 3. the four local averages in one pair of valid separable convolutions
    const stack = tf.concat([xc, yc, tf.mul(xc, yc), tf.add(tf.square(xc), tf.square(yc))], 0) as tf.Tensor4D; // [4NC, H, W, 1]
    const filtered = tf.conv2d(tf.conv2d(stack, kRow, 1, 'valid'), kCol, 1, 'valid'); // [4NC, H−k+1, W−k+1, 1]
    const [muXc, muYc, eXY, eXXYY] = tf.split(filtered, 4, 0);
    // 4. luminance on the true means, contrast-structure on the centred moments (shift-invariant)
    const c1 = (o.k1 * o.maxVal) ** 2;
    const c2 = (o.k2 * o.maxVal) ** 2;
    const muX = tf.add(muXc, mx);
    const muY = tf.add(muYc, my);
    const luminance = tf.div(tf.add(tf.mul(tf.mul(muX, muY), 2), c1), tf.add(tf.add(tf.square(muX), tf.square(muY)), c1));
    const covXY = tf.sub(eXY, tf.mul(muXc, muYc));
    const varSum = tf.sub(eXXYY, tf.add(tf.square(muXc), tf.square(muYc)));
    const cs = tf.div(tf.add(tf.mul(covXY, 2), c2), tf.add(varSum, c2));
    // 5. mean over valid positions, then over channels
    const perChannel = tf.mean(tf.mul(luminance, cs), [1, 2, 3]); // [NC]
    return tf.mean(tf.reshape(perChannel, [n, c]), 1) as tf.Tensor1D; // [N]
  });
}

/**
 * Float64 reference SSIM of one single-channel image pair, row-major [H, W]: a direct transcription of
 * TF's definition (full 2-D window, E[x²] − E[x]², valid positions), kept independent of `ssim`.
 */
export function ssimReference(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  width: number,
  height: number,
  options: Partial<SsimOptions> = {},
): number {
  const o = { ...SSIM_DEFAULTS, ...options };
  const k = o.filterSize;
  if (a.length !== width * height || b.length !== width * height) {
    throw new InputError('ssimReference', `images must have ${width}×${height} = ${width * height} pixels, got ${a.length} and ${b.length}`);
  }
  if (width < k || height < k) {
    throw new InputError('ssimReference', `images of ${height}×${width} px are smaller than the ${k}×${k} window`);
  }
  // TF's _fspecial_gauss: softmax over −(i² + j²)/(2σ²)
  const win = new Float64Array(k * k);
  const half = (k - 1) / 2;
  let total = 0;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      const v = Math.exp(-((i - half) ** 2 + (j - half) ** 2) / (2 * o.filterSigma * o.filterSigma));
      win[i * k + j] = v;
      total += v;
    }
  }
  for (let i = 0; i < win.length; i++) win[i] /= total;
  const c1 = (o.k1 * o.maxVal) ** 2;
  const c2 = (o.k2 * o.maxVal) ** 2;
  let sum = 0;
  let count = 0;
  for (let y0 = 0; y0 + k <= height; y0++) {
    for (let x0 = 0; x0 + k <= width; x0++) {
      let mx = 0;
      let my = 0;
      let mxx = 0;
      let myy = 0;
      let mxy = 0;
      for (let i = 0; i < k; i++) {
        const row = (y0 + i) * width + x0;
        for (let j = 0; j < k; j++) {
          const wij = win[i * k + j];
          const xv = a[row + j];
          const yv = b[row + j];
          mx += wij * xv;
          my += wij * yv;
          mxx += wij * xv * xv;
          myy += wij * yv * yv;
          mxy += wij * xv * yv;
        }
      }
      const luminance = (2 * mx * my + c1) / (mx * mx + my * my + c1);
      const cs = (2 * (mxy - mx * my) + c2) / (mxx - mx * mx + (myy - my * my) + c2);
      sum += luminance * cs;
      count++;
    }
  }
  return sum / count;
}
