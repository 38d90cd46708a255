/**
 * The overlap-aware loss (spec overlap-separation.md, "Overlap-aware loss").
 *
 * In: a batch of predictions and targets [N, H, W, 2] (channel 0 ER, channel 1 NR, scaled units),
 * the valid mask [N, H, W, 1] (1 inside each sample's valid box) and the region-weight map
 * [N, H, W, 1] from `regionWeightMap`. Out: scalars total = reg·L_reg + tv·L_TV and both terms.
 *
 *   regions (from the targets): ER = t_ER > 0, NR = t_NR > 0; ER-only, NR-only, overlap (both),
 *     background (valid, neither); outside the valid box the weight is 0.
 *   region weights rescaled so their mean over the batch's valid pixels is 1. The map is built from
 *     the targets in plain TypeScript, so the scale is a constant and never differentiated.
 *   L_reg = Σ_valid w_region · (c_ER·|p_ER − t_ER| + c_NR·|p_NR − t_NR|) / ((c_ER + c_NR) · #valid):
 *     the weighted mean, over both channels and the valid pixels, of the absolute errors — the
 *     reference's Σ(c·w·|e|)/Σ(c·w), since the region weights average 1 over the valid pixels (with
 *     all weights 1 it is the plain MAE inside the valid box). Dividing by 2·#valid instead would make
 *     L_reg (c_ER + c_NR)/2 = 3× larger in the nominal preset and weaken the TV term by as much.
 *   L_TV = Σ over edges with both pixels valid, summed over the 2 channels, of |p(a) − p(b)| (right
 *     and down neighbours), divided by the number of such edges (pixel pairs, not pair×channel).
 * Ignored: pixels outside the valid box (weight 0, no edges), isotropic TV, per-sample rescaling
 * (the mean-1 rescaling is over the whole batch, as a batched tensor implementation does it).
 * On the native backend both sums are fused custom ops (one pass forward, one backward each,
 * src/engine/kernels/oasis-loss.ts); elsewhere tfjs slices and arithmetic. Same values to float32
 * rounding; the derivative of |u| at u = 0 is −1 in both (tfjs's Abs gradient, step(u, −1)).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LossConfig } from '../config/oasis.js';

export type RegionWeights = LossConfig['regionWeights'];

/** Region codes of one pixel: 0 outside the valid box, then background, ER-only, NR-only, overlap. */
export const REGION = { invalid: 0, background: 1, erOnly: 2, nrOnly: 3, overlap: 4 } as const;

/** Region code per pixel [N·H·W] from the targets (> 0 = present) and the valid mask. */
export function regionMasks(er: ArrayLike<number>, nr: ArrayLike<number>, valid: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(valid.length);
  for (let i = 0; i < valid.length; i++) {
    if (!valid[i]) continue;
    const e = er[i] > 0;
    const n = nr[i] > 0;
    out[i] = e && n ? REGION.overlap : e ? REGION.erOnly : n ? REGION.nrOnly : REGION.background;
  }
  return out;
}

/**
 * Region-weight map [N·H·W]: the region's weight, rescaled so the mean over valid pixels is 1; 0
 * outside. A batch with no valid pixel (impossible for prepared samples) gives all zeros.
 */
export function regionWeightMap(er: ArrayLike<number>, nr: ArrayLike<number>, valid: ArrayLike<number>, weights: RegionWeights): Float32Array {
  const regions = regionMasks(er, nr, valid);
  const byCode = [0, weights.background, weights.erOnly, weights.nrOnly, weights.overlap];
  const out = new Float32Array(regions.length);
  let sum = 0;
  let count = 0;
  for (let i = 0; i < regions.length; i++) {
    if (regions[i] === REGION.invalid) continue;
    out[i] = byCode[regions[i]];
    sum += out[i];
    count++;
  }
  const scale = sum > 0 ? count / sum : 0;
  for (let i = 0; i < out.length; i++) out[i] *= scale;
  return out;
}

// Kernels registered by the native backend (src/engine/kernels/oasis-loss.ts), looked up by name.
const ABS_SUM = 'TpcWeightedAbsSum';
const ABS_GRAD = 'TpcWeightedAbsGrad';
const TV_SUM = 'TpcMaskedTvSum';
const TV_GRAD = 'TpcMaskedTvGrad';

/** Whether the fused native terms apply: the backend has the kernels and every tensor is float32. */
function nativeTerms(kernel: string, ...ts: tf.Tensor[]): boolean {
  return ts.every((t) => t.dtype === 'float32') && tf.getKernel(kernel, tf.getBackend()) != null;
}

const shapesEqual = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

/**
 * Σ weight·channel·|pred − target| over [N, H, W, C] (weight [N, H, W, 1], channel [C]), a scalar
 * differentiable in pred. Native: one pass each way (a tf.customGrad op; the constants are saved for
 * the backward pass, which runs after the caller's tidy has disposed them). Otherwise tfjs ops.
 */
function weightedAbsSum(pred: tf.Tensor4D, target: tf.Tensor4D, weight: tf.Tensor4D, channel: tf.Tensor1D): tf.Scalar {
  const c = pred.shape[3];
  const fits = shapesEqual(target.shape, pred.shape) && weight.size * c === pred.size && channel.size === c;
  if (!fits || !nativeTerms(ABS_SUM, pred, target, weight, channel)) {
    return tf.sum(tf.mul(tf.mul(tf.abs(tf.sub(pred, target)), channel), weight));
  }
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const p = args[0] as tf.Tensor;
    (args[1] as tf.GradSaveFunc)([p, target, weight, channel]);
    return {
      value: tf.engine().runKernel(ABS_SUM, { pred: p, target, weight, channel }) as tf.Scalar,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [ps, ts, ws, cs] = saved;
        return tf.engine().runKernel(ABS_GRAD, { dy: dy as tf.Tensor, pred: ps, target: ts, weight: ws, channel: cs }) as tf.Tensor;
      },
    };
  });
  return op(pred) as tf.Scalar;
}

/** Products of the valid flags of horizontal (x, x+1) [N, H, W−1, 1] and vertical (y, y+1) [N, H−1, W, 1] neighbours. */
function edgeMasks(valid: tf.Tensor4D): [tf.Tensor4D, tf.Tensor4D] {
  const [n, h, w] = valid.shape;
  const sl = (y: number, x: number, hh: number, ww: number) => tf.slice(valid, [0, y, x, 0], [n, hh, ww, 1]);
  return [tf.mul(sl(0, 0, h, w - 1), sl(0, 1, h, w - 1)), tf.mul(sl(0, 0, h - 1, w), sl(1, 0, h - 1, w))];
}

/** Σ over edges with both pixels valid of |Δpred|, summed over channels; differentiable in pred. */
function tvSum(pred: tf.Tensor4D, valid: tf.Tensor4D): tf.Scalar {
  if (valid.size * pred.shape[3] === pred.size && nativeTerms(TV_SUM, pred, valid)) {
    const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
      const p = args[0] as tf.Tensor;
      (args[1] as tf.GradSaveFunc)([p, valid]);
      return {
        value: tf.engine().runKernel(TV_SUM, { pred: p, valid }) as tf.Scalar,
        gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => tf.engine().runKernel(TV_GRAD, { dy: dy as tf.Tensor, pred: saved[0], valid: saved[1] }) as tf.Tensor,
      };
    });
    return op(pred) as tf.Scalar;
  }
  const [n, h, w, c] = pred.shape;
  const sl = (y: number, x: number, hh: number, ww: number) => tf.slice(pred, [0, y, x, 0], [n, hh, ww, c]);
  const [vx, vy] = edgeMasks(valid);
  const dx = tf.abs(tf.sub(sl(0, 1, h, w - 1), sl(0, 0, h, w - 1))); // [N, H, W−1, C]
  const dy = tf.abs(tf.sub(sl(1, 0, h - 1, w), sl(0, 0, h - 1, w))); // [N, H−1, W, C]
  return tf.add(tf.sum(tf.mul(dx, vx)), tf.sum(tf.mul(dy, vy))) as tf.Scalar;
}

/** Anisotropic TV of `pred` [N, H, W, C] over edges with both pixels valid ([N, H, W, 1]), per edge. */
export function totalVariation(pred: tf.Tensor4D, valid: tf.Tensor4D): tf.Scalar {
  return tf.tidy(() => {
    const [vx, vy] = edgeMasks(valid);
    const edges = tf.add(tf.sum(vx), tf.sum(vy));
    return tf.div(tvSum(pred, valid), tf.maximum(edges, 1)) as tf.Scalar; // no valid edge: TV 0, not NaN
  });
}

/** Number of edges (right and down neighbours) whose two pixels are valid; valid [N·H·W]. */
export function validEdgeCount(valid: ArrayLike<number>, n: number, h: number, w: number): number {
  let edges = 0;
  for (let k = 0; k < n; k++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const i = (k * h + y) * w + x;
        if (!valid[i]) continue;
        if (x + 1 < w && valid[i + 1]) edges++;
        if (y + 1 < h && valid[i + w]) edges++;
      }
    }
  }
  return edges;
}

/** Σ over the valid pixels of the channel weights: the weighted mean's denominator (≥ a tiny positive). */
function regDenominator(cfg: LossConfig, validPixels: number): number {
  return Math.max((cfg.channelWeights.er + cfg.channelWeights.nr) * validPixels, 1e-6);
}

/**
 * The loss of part of a batch with the whole batch's denominators (valid pixels, valid edges), so
 * that the losses — and gradients — of the parts add up to the loss of the whole batch: what
 * gradient accumulation over micro-batches needs. The region weights must come from the whole batch.
 */
export function partialLoss(pred: tf.Tensor4D, target: tf.Tensor4D, valid: tf.Tensor4D, weight: tf.Tensor4D, cfg: LossConfig, batchValidPixels: number, batchValidEdges: number): tf.Scalar {
  return tf.tidy(() => {
    const channel = tf.tensor1d([cfg.channelWeights.er, cfg.channelWeights.nr]);
    const reg = tf.div(weightedAbsSum(pred, target, weight, channel), regDenominator(cfg, batchValidPixels));
    const tv = tf.div(tvSum(pred, valid), Math.max(batchValidEdges, 1));
    return tf.add(tf.mul(reg, cfg.regWeight), tf.mul(tv, cfg.tvWeight)) as tf.Scalar;
  });
}

export interface LossTerms {
  total: tf.Scalar;
  reg: tf.Scalar;
  tv: tf.Scalar;
}

/**
 * The loss of one batch. pred, target [N, H, W, 2]; valid, weight [N, H, W, 1] (weight from
 * regionWeightMap, already 0 outside the valid box).
 */
export function oasisLoss(pred: tf.Tensor4D, target: tf.Tensor4D, valid: tf.Tensor4D, weight: tf.Tensor4D, cfg: LossConfig): LossTerms {
  const [reg, tv] = tf.tidy(() => {
    const channel = tf.tensor1d([cfg.channelWeights.er, cfg.channelWeights.nr]); // broadcasts over [N, H, W, 2]
    const denom = tf.maximum(tf.mul(tf.sum(valid), cfg.channelWeights.er + cfg.channelWeights.nr), 1e-6);
    return [tf.div(weightedAbsSum(pred, target, weight, channel), denom) as tf.Scalar, totalVariation(pred, valid)];
  });
  const total = tf.tidy(() => tf.add(tf.mul(reg, cfg.regWeight), tf.mul(tv, cfg.tvWeight)) as tf.Scalar);
  return { total, reg, tv };
}
