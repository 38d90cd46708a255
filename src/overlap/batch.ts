/**
 * Batches for the overlap-separation model: compact samples and window origins → the model's arrays.
 *
 * In: `CompactSample`s (window.ts; raw ADU + scale factors), the indices of one batch and where each
 * sample's window lies in its frame. Out: flat Float32 arrays in NHWC order over the windows: input
 * [N, h, w, 1], target [N, h, w, 2] (ER, NR interleaved), valid [N, h, w, 1] (1 inside each sample's
 * valid box), and the region-weight map [N, h, w, 1] of the loss. Scaling happens here, per batch,
 * with each sample's own factors (computed on its whole frame), so a window scales as the frame does.
 * Ignored: augmentation (none in the spec).
 */
import * as tf from '@tensorflow/tfjs-core';
import { InputError } from '../core/errors.js';
import { scaleImage, type OverlapSample } from '../core/overlap-sample.js';
import { regionWeightMap, type RegionWeights } from './loss.js';
import { compactSample, intersect, renderRegion, windowBox, type CompactSample, type WindowOrigin, type WindowSize } from './window.js';

export interface BatchArrays {
  n: number;
  height: number;
  width: number;
  input: Float32Array; // [N, H, W, 1]
  target: Float32Array; // [N, H, W, 2]
  valid: Float32Array; // [N, H, W, 1]
  weight: Float32Array; // [N, H, W, 1]
}

/** Samples in compact form (those already compact are kept). */
export function asCompact(samples: readonly (OverlapSample | CompactSample)[]): CompactSample[] {
  return samples.map((s) => ('outsideIndex' in s ? s : compactSample(s)));
}

/** The common frame size of `samples`, or an InputError naming the first sample that differs. */
export function imageSize(samples: readonly { id: string; width: number; height: number }[]): { width: number; height: number } {
  if (samples.length === 0) throw new InputError('dataset', 'no samples');
  const { width, height } = samples[0];
  for (const s of samples) {
    if (s.width !== width || s.height !== height) throw new InputError(s.id, `image ${s.width}×${s.height} differs from ${width}×${height} of ${samples[0].id}`);
  }
  return { width, height };
}

/** The scaled input of sample `c` over the window at `origin` [h·w]. */
export function windowInput(c: CompactSample, origin: WindowOrigin, win: WindowSize): Float32Array {
  return scaleImage(renderRegion(c, windowBox(origin, win), 'input'), c.factors, 'input');
}

export function makeBatch(samples: readonly CompactSample[], indices: readonly number[], origins: readonly WindowOrigin[], win: WindowSize, regionWeights: RegionWeights): BatchArrays {
  const { width, height } = win;
  const px = width * height;
  const n = indices.length;
  const input = new Float32Array(n * px);
  const target = new Float32Array(n * px * 2);
  const valid = new Float32Array(n * px);
  const er = new Float32Array(n * px);
  const nr = new Float32Array(n * px);
  indices.forEach((idx, k) => {
    const s = samples[idx];
    const region = windowBox(origins[k], win);
    input.set(windowInput(s, origins[k], win), k * px);
    const e = scaleImage(renderRegion(s, region, 'er'), s.factors, 'target');
    const r = scaleImage(renderRegion(s, region, 'nr'), s.factors, 'target');
    er.set(e, k * px);
    nr.set(r, k * px);
    for (let i = 0; i < px; i++) {
      target[2 * (k * px + i)] = e[i];
      target[2 * (k * px + i) + 1] = r[i];
    }
    const b = intersect(s.valid, region);
    for (let y = b.y0; y < b.y1; y++) valid.fill(1, k * px + (y - region.y0) * width + (b.x0 - region.x0), k * px + (y - region.y0) * width + (b.x1 - region.x0));
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
