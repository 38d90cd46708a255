/**
 * FusedBatchNorm (tfjs batchNorm) with per-channel mean, variance, scale and offset. Its gradient
 * stays tfjs's (a composition of the binary, reduce and tile kernels above).
 */
import { FusedBatchNorm, util, type FusedBatchNormAttrs, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import { addon, f32, fallback, NATIVE_MIN_ELEMENTS, output, type KernelArgs } from './util.js';

function fusedBatchNormNative(args: KernelArgs): TensorInfo {
  const { x, mean, variance, scale, offset } = args.inputs;
  const { varianceEpsilon } = args.attrs as unknown as FusedBatchNormAttrs;
  const c = x.shape[x.shape.length - 1];
  const perChannel = (t: TensorInfo | undefined) => t == null || util.sizeFromShape(t.shape) === c;
  const xv = f32(args.backend, x);
  const mv = f32(args.backend, mean);
  const vv = f32(args.backend, variance);
  const sv = scale == null ? null : f32(args.backend, scale);
  const ov = offset == null ? null : f32(args.backend, offset);
  const ok =
    xv != null && mv != null && vv != null && (scale == null || sv != null) && (offset == null || ov != null) &&
    [mean, variance, scale, offset].every(perChannel) && xv.length >= NATIVE_MIN_ELEMENTS;
  if (!ok) return fallback(FusedBatchNorm, args) as TensorInfo;
  const out = output(args.backend, [...x.shape]);
  addon().batchNorm(xv!, mv!, vv!, sv, ov, out.values, xv!.length / c, c, varianceEpsilon);
  return out.info;
}

export function fusedBatchNormConfig(backendName: string): KernelConfig {
  return { kernelName: FusedBatchNorm, backendName, kernelFunc: fusedBatchNormNative as unknown as KernelConfig['kernelFunc'] };
}
