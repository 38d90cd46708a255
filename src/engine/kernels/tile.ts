/**
 * Tile of a per-channel vector [1, ..., 1, C] over a full map (tfjs's batch-norm gradient tiles
 * 1/sqrt(var + eps) to the input shape). Other tilings use the cpu kernel.
 */
import { Tile, util, type KernelConfig, type TensorInfo, type TileAttrs } from '@tensorflow/tfjs-core';
import { addon, f32, fallback, NATIVE_MIN_ELEMENTS, output, type KernelArgs } from './util.js';

function tileNative(args: KernelArgs): TensorInfo {
  const { x } = args.inputs;
  const { reps } = args.attrs as unknown as TileAttrs;
  const xv = f32(args.backend, x);
  const rank = x.shape.length;
  const c = x.shape[rank - 1];
  const outShape = x.shape.map((d, i) => d * reps[i]);
  const isChannelVector = rank >= 1 && util.sizeFromShape(x.shape) === c && reps[rank - 1] === 1;
  if (xv == null || !isChannelVector || util.sizeFromShape(outShape) < NATIVE_MIN_ELEMENTS) {
    return fallback(Tile, args) as TensorInfo;
  }
  const out = output(args.backend, outShape);
  addon().broadcastChannels(xv, out.values, out.values.length / c, c);
  return out.info;
}

export function tileConfig(backendName: string): KernelConfig {
  return { kernelName: Tile, backendName, kernelFunc: tileNative as unknown as KernelConfig['kernelFunc'] };
}
