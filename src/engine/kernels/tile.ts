/**
 * Tile of a float32 tensor of any rank, e.g. tfjs's batch-norm gradient tiling a per-channel vector
 * [1, ..., 1, C] over the input shape, or the gradient of a mean over H and W tiling [N, 1, 1, C]
 * (the cpu kernel indexes element by element: ~60 ms for the autoencoder's global average pool at
 * 256² batch 8). Other dtypes and small outputs use the cpu kernel.
 */
import { Tile, util, type KernelConfig, type TensorInfo, type TileAttrs } from '@tensorflow/tfjs-core';
import { addon, f32, fallback, NATIVE_MIN_ELEMENTS, output, type KernelArgs } from './util.js';

/**
 * The same tiling on fewer axes: untiled neighbours merge (row-major contiguous), as do size-1
 * neighbours (a constant along both), and size-1 untiled axes go. A scalar over [8, 256, 256, 1]
 * (the mean's gradient) becomes one fill instead of 524 288 one-element rows.
 */
function collapse(shape: readonly number[], reps: readonly number[]): [number[], number[]] {
  const s: number[] = [];
  const r: number[] = [];
  shape.forEach((d, i) => {
    const k = s.length - 1;
    if (d === 1 && reps[i] === 1) return;
    if (k >= 0 && reps[i] === 1 && r[k] === 1) s[k] *= d;
    else if (k >= 0 && d === 1 && s[k] === 1) r[k] *= reps[i];
    else {
      s.push(d);
      r.push(reps[i]);
    }
  });
  return s.length === 0 ? [[1], [1]] : [s, r];
}

function tileNative(args: KernelArgs): TensorInfo {
  const { x } = args.inputs;
  const { reps } = args.attrs as unknown as TileAttrs;
  const xv = f32(args.backend, x);
  const outShape = x.shape.map((d, i) => d * reps[i]);
  if (xv == null || x.shape.length === 0 || reps.length !== x.shape.length || util.sizeFromShape(outShape) < NATIVE_MIN_ELEMENTS) {
    return fallback(Tile, args) as TensorInfo;
  }
  const out = output(args.backend, outShape);
  addon().tile(xv, out.values, ...collapse(x.shape, reps));
  return out.info;
}

export function tileConfig(backendName: string): KernelConfig {
  return { kernelName: Tile, backendName, kernelFunc: tileNative as unknown as KernelConfig['kernelFunc'] };
}
