/**
 * Concat along the last (channel) axis, the U-Net skip connection: one memcpy per pixel row per
 * input, multithreaded. Other axes or dtypes use the cpu kernel.
 */
import { Concat, util, type ConcatAttrs, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import { addon, f32, fallback, NATIVE_MIN_ELEMENTS, output, type KernelArgs } from './util.js';

function concatNative(args: KernelArgs): TensorInfo {
  const tensors = args.inputs as unknown as TensorInfo[];
  const { axis } = args.attrs as unknown as ConcatAttrs;
  const first = tensors[0];
  const rank = first.shape.length;
  const ax = util.parseAxisParam(axis, first.shape)[0];
  const values = tensors.map((t) => f32(args.backend, t));
  const rows = util.sizeFromShape(first.shape.slice(0, -1));
  const sameRows = tensors.every((t) => t.shape.length === rank && util.sizeFromShape(t.shape.slice(0, -1)) === rows);
  const channels = tensors.map((t) => t.shape[rank - 1]);
  const total = channels.reduce((s, c) => s + c, 0);
  if (rank < 2 || ax !== rank - 1 || !sameRows || values.some((v) => v == null) || rows * total < NATIVE_MIN_ELEMENTS) {
    return fallback(Concat, args) as TensorInfo;
  }
  const out = output(args.backend, [...first.shape.slice(0, -1), total]);
  addon().concatLast(values as Float32Array[], channels, out.values, rows);
  return out.info;
}

export function concatConfig(backendName: string): KernelConfig {
  return { kernelName: Concat, backendName, kernelFunc: concatNative as unknown as KernelConfig['kernelFunc'] };
}
