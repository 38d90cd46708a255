/**
 * Sum and Mean over a contiguous run of axes (batch-norm statistics over [0, 1, 2], global
 * average pooling over [1, 2], a full reduction for a loss), accumulated in double natively.
 * Non-contiguous axes or other dtypes use the cpu kernels.
 */
import { Mean, Sum, util, type KernelConfig, type SumAttrs, type TensorInfo } from '@tensorflow/tfjs-core';
import { addon, f32, fallback, NATIVE_MIN_ELEMENTS, output, type KernelArgs } from './util.js';

function reduceKernel(kernelName: string, mean: boolean) {
  return (args: KernelArgs): TensorInfo => {
    const { x } = args.inputs;
    const { axis, keepDims } = args.attrs as unknown as SumAttrs;
    const xv = f32(args.backend, x);
    const axes = util.parseAxisParam(axis, x.shape).sort((p, q) => p - q);
    const contiguous = axes.length > 0 && axes.every((ax, i) => i === 0 || ax === axes[i - 1] + 1);
    if (xv == null || !contiguous || xv.length < NATIVE_MIN_ELEMENTS) return fallback(kernelName, args) as TensorInfo;
    const first = axes[0];
    const last = axes[axes.length - 1];
    const outer = util.sizeFromShape(x.shape.slice(0, first));
    const r = util.sizeFromShape(x.shape.slice(first, last + 1));
    const inner = util.sizeFromShape(x.shape.slice(last + 1));
    const outShape = keepDims
      ? x.shape.map((d, i) => (i >= first && i <= last ? 1 : d))
      : x.shape.filter((_, i) => i < first || i > last);
    const out = output(args.backend, outShape);
    addon().reduceMiddle(xv, out.values, outer, r, inner, mean);
    return out.info;
  };
}

export function reduceConfigs(backendName: string): KernelConfig[] {
  return [
    { kernelName: Sum, backendName, kernelFunc: reduceKernel(Sum, false) as unknown as KernelConfig['kernelFunc'] },
    { kernelName: Mean, backendName, kernelFunc: reduceKernel(Mean, true) as unknown as KernelConfig['kernelFunc'] },
  ];
}
