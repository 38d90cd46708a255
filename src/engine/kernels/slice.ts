/**
 * Slice (the gradient of a channel concat slices channels back apart; tfjs's cpu backend does a
 * non-contiguous slice element by element). Any rank, float32.
 */
import { Slice, slice_util, util, type KernelConfig, type SliceAttrs, type TensorInfo } from '@tensorflow/tfjs-core';
import { addon, f32, fallback, NATIVE_MIN_ELEMENTS, output, type KernelArgs } from './util.js';

function sliceNative(args: KernelArgs): TensorInfo {
  const { x } = args.inputs;
  const { begin, size } = args.attrs as unknown as SliceAttrs;
  const xv = f32(args.backend, x);
  const [begin_, size_] = slice_util.parseSliceParams(x, begin, size);
  if (xv == null || x.shape.length === 0 || util.sizeFromShape(size_) < NATIVE_MIN_ELEMENTS) {
    return fallback(Slice, args) as TensorInfo;
  }
  const out = output(args.backend, size_);
  addon().slice(xv, out.values, x.shape, begin_, size_);
  return out.info;
}

export function sliceConfig(backendName: string): KernelConfig {
  return { kernelName: Slice, backendName, kernelFunc: sliceNative as unknown as KernelConfig['kernelFunc'] };
}
