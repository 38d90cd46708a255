/**
 * Concat along any axis of any rank: with O = the product of the dimensions before the axis, each
 * input is O blocks of (its size / O) contiguous values and the output interleaves them, block by
 * block (one memcpy per block and input, multithreaded). On the channel axis that is the U-Net skip
 * connection; on axis 0 a batch join; in between (e.g. the 5-D interleave of an upsampling) the
 * same. Non-float32 inputs or mismatched outer dimensions use the cpu kernel.
 */
import { Concat, util, type ConcatAttrs, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import { addon, f32, fallback, NATIVE_MIN_ELEMENTS, output, type KernelArgs } from './util.js';

function concatNative(args: KernelArgs): TensorInfo {
  const tensors = args.inputs as unknown as TensorInfo[];
  const { axis } = args.attrs as unknown as ConcatAttrs;
  const first = tensors[0];
  const rank = first.shape.length;
  const ax = rank === 0 ? 0 : util.parseAxisParam(axis, first.shape)[0];
  const values = tensors.map((t) => f32(args.backend, t));
  const outer = util.sizeFromShape(first.shape.slice(0, ax));
  // every input must agree on all dimensions but the axis
  const compatible = tensors.every((t) => t.shape.length === rank && t.shape.every((d, i) => i === ax || d === first.shape[i]));
  const blocks = tensors.map((t) => util.sizeFromShape(t.shape.slice(ax))); // values per outer index
  const total = blocks.reduce((s, c) => s + c, 0);
  if (rank < 1 || !compatible || values.some((v) => v == null) || outer * total < NATIVE_MIN_ELEMENTS) {
    return fallback(Concat, args) as TensorInfo;
  }
  const shape = [...first.shape];
  shape[ax] = tensors.reduce((s, t) => s + t.shape[ax], 0);
  const out = output(args.backend, shape);
  addon().concatLast(values as Float32Array[], blocks, out.values, outer);
  return out.info;
}

export function concatConfig(backendName: string): KernelConfig {
  return { kernelName: Concat, backendName, kernelFunc: concatNative as unknown as KernelConfig['kernelFunc'] };
}
