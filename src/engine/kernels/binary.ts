/**
 * Element-wise binary arithmetic on float32 tensors for the broadcast patterns batch norm and its
 * gradient produce: equal shapes, a per-channel vector ([C] or [1, 1, 1, C]) on either side, or a
 * scalar on either side. Any other broadcast, dtype or a tiny output goes to the cpu kernel.
 */
import {
  Add, backend_util, Maximum, Minimum, Multiply, RealDiv, SquaredDifference, Sub, util,
  type KernelConfig, type TensorInfo,
} from '@tensorflow/tfjs-core';
import { BinaryOp, BroadcastMode } from './ops.js';
import { addon, f32, fallback, NATIVE_MIN_ELEMENTS, output, type KernelArgs } from './util.js';

const BINARY_KERNELS: Array<[string, BinaryOp]> = [
  [Add, BinaryOp.Add],
  [Sub, BinaryOp.Sub],
  [Multiply, BinaryOp.Mul],
  [RealDiv, BinaryOp.Div],
  [SquaredDifference, BinaryOp.SquaredDifference],
  [Maximum, BinaryOp.Max],
  [Minimum, BinaryOp.Min],
];

/** True when t holds one value per channel: shape [..., 1, C] with every other axis 1. */
function isChannelVector(shape: number[], channels: number): boolean {
  return shape.length >= 1 && shape[shape.length - 1] === channels && util.sizeFromShape(shape) === channels;
}

/** The broadcast mode for a op b with output outShape, or null if not a native pattern. */
export function broadcastMode(aShape: number[], bShape: number[], outShape: number[]): BroadcastMode | null {
  const n = util.sizeFromShape(outShape);
  const na = util.sizeFromShape(aShape);
  const nb = util.sizeFromShape(bShape);
  const c = outShape.length > 0 ? outShape[outShape.length - 1] : 1;
  if (na === n && nb === n) return BroadcastMode.Same;
  if (na === n && nb === 1) return BroadcastMode.BScalar;
  if (nb === n && na === 1) return BroadcastMode.AScalar;
  if (na === n && isChannelVector(bShape, c)) return BroadcastMode.BChannel;
  if (nb === n && isChannelVector(aShape, c)) return BroadcastMode.AChannel;
  return null;
}

function binaryKernel(kernelName: string, op: BinaryOp) {
  return (args: KernelArgs): TensorInfo => {
    const { a, b } = args.inputs;
    const av = f32(args.backend, a);
    const bv = f32(args.backend, b);
    const outShape = backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    const n = util.sizeFromShape(outShape);
    const mode = broadcastMode(a.shape, b.shape, outShape);
    if (av == null || bv == null || mode == null || n < NATIVE_MIN_ELEMENTS) return fallback(kernelName, args) as TensorInfo;
    const out = output(args.backend, outShape);
    addon().binary(op, mode, av, bv, out.values, n, outShape[outShape.length - 1] ?? 1);
    return out.info;
  };
}

export function binaryConfigs(backendName: string): KernelConfig[] {
  return BINARY_KERNELS.map(([kernelName, op]) => ({
    kernelName,
    backendName,
    kernelFunc: binaryKernel(kernelName, op) as unknown as KernelConfig['kernelFunc'],
  }));
}
