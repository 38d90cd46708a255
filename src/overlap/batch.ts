/**
 * Batches for the overlap-separation model: prepared samples → the model's arrays.
 *
 * In: `OverlapSample`s (raw ADU + scale factors, core/overlap-sample.ts) and the indices of one batch.
 * Out: flat Float32 arrays in NHWC order: input [N, H, W, 1], target [N, H, W, 2] (ER, NR
 * interleaved), valid [N, H, W, 1] (1 inside each sample's valid box), and the region-weight map
 * [N, H, W, 1] of the loss. Scaling happens here, per batch, so a dataset of thousands of 288×512
 * samples stays sparse-sized in memory. Ignored: augmentation (none in the spec).
 */
import * as tf from '@tensorflow/tfjs-core';
import { InputError } from '../core/errors.js';
import { scaledChannels, type OverlapSample } from '../core/overlap-sample.js';
import { regionWeightMap, type RegionWeights } from './loss.js';

export interface BatchArrays {
  n: number;
  height: number;
  width: number;
  input: Float32Array; // [N, H, W, 1]
  target: Float32Array; // [N, H, W, 2]
  valid: Float32Array; // [N, H, W, 1]
  weight: Float32Array; // [N, H, W, 1]
}

/** The common image size of `samples`, or an InputError naming the first sample that differs. */
export function imageSize(samples: readonly OverlapSample[]): { width: number; height: number } {
  if (samples.length === 0) throw new InputError('dataset', 'no samples');
  const { width, height } = samples[0];
  for (const s of samples) {
    if (s.width !== width || s.height !== height) throw new InputError(s.id, `image ${s.width}×${s.height} differs from ${width}×${height} of ${samples[0].id}`);
  }
  return { width, height };
}

export function makeBatch(samples: readonly OverlapSample[], indices: readonly number[], regionWeights: RegionWeights): BatchArrays {
  const { width, height } = samples[indices[0]];
  const px = width * height;
  const n = indices.length;
  const input = new Float32Array(n * px);
  const target = new Float32Array(n * px * 2);
  const valid = new Float32Array(n * px);
  const er = new Float32Array(n * px);
  const nr = new Float32Array(n * px);
  indices.forEach((idx, k) => {
    const s = samples[idx];
    if (s.width !== width || s.height !== height) throw new InputError(s.id, `image ${s.width}×${s.height} differs from ${width}×${height} in the batch`);
    const ch = scaledChannels(s);
    input.set(ch.input, k * px);
    er.set(ch.er, k * px);
    nr.set(ch.nr, k * px);
    for (let i = 0; i < px; i++) {
      target[2 * (k * px + i)] = ch.er[i];
      target[2 * (k * px + i) + 1] = ch.nr[i];
    }
    const b = s.valid;
    for (let y = b.y0; y < b.y1; y++) valid.fill(1, k * px + y * width + b.x0, k * px + y * width + b.x1);
  });
  return { n, height, width, input, target, valid, weight: regionWeightMap(er, nr, valid, regionWeights) };
}

export interface BatchTensors {
  input: tf.Tensor4D;
  target: tf.Tensor4D;
  valid: tf.Tensor4D;
  weight: tf.Tensor4D;
}

/** The arrays as tensors (the caller disposes them). */
export function batchTensors(b: BatchArrays): BatchTensors {
  const one: [number, number, number, number] = [b.n, b.height, b.width, 1];
  return {
    input: tf.tensor4d(b.input, one),
    target: tf.tensor4d(b.target, [b.n, b.height, b.width, 2]),
    valid: tf.tensor4d(b.valid, one),
    weight: tf.tensor4d(b.weight, one),
  };
}
