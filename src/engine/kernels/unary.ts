/**
 * Element-wise activations on float32 tensors, multithreaded: Relu, Sigmoid, Step (which tfjs's
 * Relu gradient uses: dy * step(x)), Neg, Square, Exp, Rsqrt, Sqrt (AdamW's update), Softplus (the OASIS head). Others dtypes and tiny tensors use the cpu kernels.
 */
import { Exp, Neg, Relu, Rsqrt, Sigmoid, Softplus, Sqrt, Square, Step, util, type KernelConfig, type StepAttrs, type TensorInfo } from '@tensorflow/tfjs-core';
import { UnaryOp } from './ops.js';
import { addon, f32, fallback, NATIVE_MIN_ELEMENTS, output, type KernelArgs } from './util.js';

const UNARY_KERNELS: Array<[string, UnaryOp]> = [
  [Relu, UnaryOp.Relu],
  [Sigmoid, UnaryOp.Sigmoid],
  [Step, UnaryOp.Step],
  [Neg, UnaryOp.Neg],
  [Square, UnaryOp.Square],
  [Exp, UnaryOp.Exp],
  [Rsqrt, UnaryOp.Rsqrt],
  [Sqrt, UnaryOp.Sqrt],
  [Softplus, UnaryOp.Softplus],
];

function unaryKernel(kernelName: string, op: UnaryOp) {
  return (args: KernelArgs): TensorInfo => {
    const { x } = args.inputs;
    const xv = f32(args.backend, x);
    if (xv == null || util.sizeFromShape(x.shape) < NATIVE_MIN_ELEMENTS) return fallback(kernelName, args) as TensorInfo;
    const alpha = op === UnaryOp.Step ? ((args.attrs as unknown as StepAttrs | undefined)?.alpha ?? 0) : 0;
    const out = output(args.backend, [...x.shape]);
    addon().unary(op, xv, out.values, out.values.length, alpha);
    return out.info;
  };
}

export function unaryConfigs(backendName: string): KernelConfig[] {
  return UNARY_KERNELS.map(([kernelName, op]) => ({
    kernelName,
    backendName,
    kernelFunc: unaryKernel(kernelName, op) as unknown as KernelConfig['kernelFunc'],
  }));
}
