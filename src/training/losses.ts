/**
 * Training objectives of the autoencoder (spec roi-trigger.md, "Losses"), as tfjs functions of the
 * clean target x and the reconstruction x̂, both [N, H, W, 1] in the normalised [0, 1] scale:
 * - baseline training: hybridLoss  = α(1 − SSIM(x, x̂)) + (1 − α)·mean((x̂ − x)²);
 * - refined training:  refinedLoss = α(1 − SSIM(x, x̂)) + (1 − α)·mean((1 + λm)(x̂ − x)²), where m is
 *   the binary injection mask and the SSIM term is deliberately NOT weighted;
 * - autoLambda: λ ≈ 1/p − 1 from the mean mask occupancy p, so that masked and unmasked pixels carry
 *   equal total weight in the MSE term.
 * SSIM is averaged over the batch (one SSIM per image, then the mean), as Keras averages a per-sample
 * loss; every loss returns a scalar and keeps no intermediate tensors.
 */
import * as tf from '@tensorflow/tfjs-core';
import { InputError } from '../core/errors.js';
import { ssim, type SsimOptions } from './ssim.js';

/** Weight of the SSIM term, dimensionless (spec "Losses": α = 0.55). */
export const DEFAULT_ALPHA = 0.55;
/** Extra weight of masked pixels in the refined MSE term, dimensionless (spec "Losses": λ = 30). */
export const DEFAULT_LAMBDA = 30;

function checkShapes(where: string, ...ts: tf.Tensor[]): void {
  const ref = ts[0].shape;
  if (ref.length !== 4) throw new InputError(where, `expected [N, H, W, C] tensors, got rank ${ref.length}`);
  for (const t of ts) {
    if (t.shape.length !== ref.length || t.shape.some((d, i) => d !== ref[i])) {
      throw new InputError(where, `shapes differ: [${ref.join(', ')}] vs [${t.shape.join(', ')}]`);
    }
  }
}

function checkAlpha(where: string, alpha: number): void {
  if (!(alpha >= 0 && alpha <= 1)) throw new InputError(where, `alpha must lie in [0, 1], got ${alpha}`);
}

/** 1 − batch-mean SSIM; a scalar. */
function ssimTerm(x: tf.Tensor4D, xhat: tf.Tensor4D, options?: Partial<SsimOptions>): tf.Scalar {
  return tf.sub(1, tf.mean(ssim(x, xhat, options))) as tf.Scalar;
}

/** Hybrid loss of the baseline training: α(1 − SSIM(x, x̂)) + (1 − α)·MSE(x, x̂); a scalar. */
export function hybridLoss(
  x: tf.Tensor4D,
  xhat: tf.Tensor4D,
  alpha = DEFAULT_ALPHA,
  ssimOptions?: Partial<SsimOptions>,
): tf.Scalar {
  checkShapes('hybridLoss', x, xhat);
  checkAlpha('hybridLoss', alpha);
  return tf.tidy(() => {
    const mse = tf.mean(tf.squaredDifference(xhat, x));
    return tf.add(tf.mul(alpha, ssimTerm(x, xhat, ssimOptions)), tf.mul(1 - alpha, mse)) as tf.Scalar;
  });
}

/**
 * Refined loss: α(1 − SSIM(x, x̂)) + (1 − α)·mean((1 + λ·m)(x̂ − x)²); a scalar.
 * `mask` is the injection mask as 0/1 floats, same shape as x ([N, H, W, 1]); the mean runs over all
 * pixels (not over the weights), exactly as the spec's formula.
 */
export function refinedLoss(
  x: tf.Tensor4D,
  xhat: tf.Tensor4D,
  mask: tf.Tensor4D,
  alpha = DEFAULT_ALPHA,
  lambda = DEFAULT_LAMBDA,
  ssimOptions?: Partial<SsimOptions>,
): tf.Scalar {
  checkShapes('refinedLoss', x, xhat, mask);
  checkAlpha('refinedLoss', alpha);
  if (!(lambda >= 0) || !Number.isFinite(lambda)) throw new InputError('refinedLoss', `lambda must be finite and ≥ 0, got ${lambda}`);
  return tf.tidy(() => {
    const weight = tf.add(1, tf.mul(lambda, tf.cast(mask, 'float32'))); // [N, H, W, 1]
    const weightedMse = tf.mean(tf.mul(weight, tf.squaredDifference(xhat, x)));
    return tf.add(tf.mul(alpha, ssimTerm(x, xhat, ssimOptions)), tf.mul(1 - alpha, weightedMse)) as tf.Scalar;
  });
}

/** Mean occupancy p of binary masks (fraction of pixels with m = 1), pooled over all pixels given. */
export function maskOccupancy(masks: Iterable<ArrayLike<number>>): number {
  let ones = 0;
  let total = 0;
  for (const m of masks) {
    for (let i = 0; i < m.length; i++) if (m[i] !== 0) ones++;
    total += m.length;
  }
  if (total === 0) throw new InputError('maskOccupancy', 'no mask pixels given');
  return ones / total;
}

/**
 * λ = 1/p − 1 (spec "Losses", automatic λ), p the mean mask occupancy of a few training batches: with
 * it, the masked pixels' total weight p(1 + λ) equals 1, the unmasked pixels' (1 − p) ≈ 1.
 */
export function autoLambda(masks: Iterable<ArrayLike<number>>): number {
  const p = maskOccupancy(masks);
  if (p === 0) throw new InputError('autoLambda', 'the masks are empty (occupancy 0): λ = 1/p − 1 is undefined');
  return 1 / p - 1;
}
