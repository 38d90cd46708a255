/**
 * FusedConv2D (what tfjs-layers' Conv2D layer calls): native convolution, then bias and a
 * linear/relu/sigmoid activation applied in place by the element-wise kernels. Other
 * activations (prelu, leakyrelu, elu, relu6) fall back to the cpu kernel.
 */
import { FusedConv2D, util, type FusedConv2DAttrs, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import { conv2dInfo, convGeometry } from './conv-geometry.js';
import { BinaryOp, BroadcastMode, UnaryOp } from './ops.js';
import { addon, f32, fallback, output, type KernelArgs } from './util.js';

const ACTIVATIONS: Record<string, UnaryOp | null> = { linear: null, relu: UnaryOp.Relu, sigmoid: UnaryOp.Sigmoid };

function fusedConv2dNative(args: KernelArgs): TensorInfo {
  const { x, filter, bias } = args.inputs;
  const attrs = args.attrs as unknown as FusedConv2DAttrs;
  const { activation } = attrs;
  const info = conv2dInfo(x.shape, filter.shape, attrs);
  const xv = f32(args.backend, x);
  const wv = f32(args.backend, filter);
  const bv = bias == null ? null : f32(args.backend, bias);
  const geometry = convGeometry(info);
  const act = ACTIVATIONS[activation ?? 'linear'];
  const biasOk = bias == null || (bv != null && util.sizeFromShape(bias.shape) === info.outChannels);
  if (xv == null || wv == null || geometry == null || act === undefined || !biasOk || args.inputs.preluActivationWeights != null) {
    return fallback(FusedConv2D, args) as TensorInfo;
  }
  const out = output(args.backend, info.outShape);
  const native = addon();
  native.conv2dForward(xv, wv, out.values, ...geometry);
  const n = out.values.length;
  if (bv != null) native.binary(BinaryOp.Add, BroadcastMode.BChannel, out.values, bv, out.values, n, info.outChannels);
  if (act != null) native.unary(act, out.values, out.values, n, 0);
  return out.info;
}

export function fusedConv2dConfig(backendName: string): KernelConfig {
  return { kernelName: FusedConv2D, backendName, kernelFunc: fusedConv2dNative as unknown as KernelConfig['kernelFunc'] };
}
