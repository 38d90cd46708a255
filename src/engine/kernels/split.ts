/**
 * SplitV (the gradient of Concat: tfjs splits dy back into the concatenated parts). Along the
 * channel axis each part is a non-contiguous slice, which tfjs's cpu backend copies element by
 * element with index arithmetic (tens of seconds per training step of the autoencoder); here
 * each part is one native slice, and a split along the last axis one pass for all parts.
 */
import { backend_util, SplitV, util, type KernelConfig, type SplitVAttrs, type TensorInfo } from '@tensorflow/tfjs-core';
import { addon, f32, fallback, NATIVE_MIN_ELEMENTS, output, type KernelArgs } from './util.js';

function splitVNative(args: KernelArgs): TensorInfo[] {
  const { x } = args.inputs;
  const { numOrSizeSplits, axis } = args.attrs as unknown as SplitVAttrs;
  const xv = f32(args.backend, x);
  if (xv == null || xv.length < NATIVE_MIN_ELEMENTS) return fallback(SplitV, args) as TensorInfo[];
  const $axis = util.parseAxisParam(axis, x.shape)[0];
  const sizes = backend_util.prepareSplitSize(x, numOrSizeSplits, $axis);
  const native = addon();
  if ($axis === x.shape.length - 1) {
    // channel split: every part in one pass over x
    const outs = sizes.map((s) => output(args.backend, [...x.shape.slice(0, -1), s]));
    native.splitLast(xv, outs.map((o) => o.values), sizes, xv.length / x.shape[$axis]);
    return outs.map((o) => o.info);
  }
  const begin = new Array<number>(x.shape.length).fill(0);
  return sizes.map((s) => {
    const size = x.shape.slice();
    size[$axis] = s;
    const out = output(args.backend, size);
    if (out.values.length > 0) native.slice(xv, out.values, x.shape, begin.slice(), size);
    begin[$axis] += s;
    return out.info;
  });
}

export function splitVConfig(backendName: string): KernelConfig {
  return { kernelName: SplitV, backendName, kernelFunc: splitVNative as unknown as KernelConfig['kernelFunc'] };
}
