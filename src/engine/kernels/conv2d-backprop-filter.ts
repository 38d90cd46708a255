/**
 * Conv2DBackpropFilter on oneDNN backward-weights: the filter gradient of Conv2D (and of
 * conv2dTranspose). x [N, H, W, Cin], dy [N, OH, OW, Cout] -> dw [kh, kw, Cin, Cout].
 */
import { Conv2DBackpropFilter, type Conv2DBackpropFilterAttrs, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import { conv2dInfo, convGeometry } from './conv-geometry.js';
import { addon, f32, fallback, output, type KernelArgs } from './util.js';

function conv2dBackpropFilterNative(args: KernelArgs): TensorInfo {
  const { x, dy } = args.inputs;
  const attrs = args.attrs as unknown as Conv2DBackpropFilterAttrs;
  const info = conv2dInfo(x.shape, attrs.filterShape, attrs);
  const xv = f32(args.backend, x);
  const dyv = f32(args.backend, dy);
  const geometry = convGeometry(info);
  if (xv == null || dyv == null || geometry == null) return fallback(Conv2DBackpropFilter, args) as TensorInfo;
  const out = output(args.backend, [...attrs.filterShape]);
  addon().conv2dBackwardWeights(xv, dyv, out.values, ...geometry);
  return out.info;
}

export function conv2dBackpropFilterConfig(backendName: string): KernelConfig {
  return {
    kernelName: Conv2DBackpropFilter,
    backendName,
    kernelFunc: conv2dBackpropFilterNative as unknown as KernelConfig['kernelFunc'],
  };
}
