/**
 * Conv2DBackpropInput on oneDNN backward-data: the gradient of Conv2D with respect to its input,
 * and also how tfjs computes conv2dTranspose (the decoder's up-sampling).
 * dy [N, OH, OW, Cout], filter [kh, kw, Cin, Cout] -> dx [N, H, W, Cin] with H, W from inputShape.
 */
import { Conv2DBackpropInput, type Conv2DBackpropInputAttrs, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import { conv2dInfo, convGeometry } from './conv-geometry.js';
import { addon, f32, fallback, output, type KernelArgs } from './util.js';

function conv2dBackpropInputNative(args: KernelArgs): TensorInfo {
  const { dy, filter } = args.inputs;
  const attrs = args.attrs as unknown as Conv2DBackpropInputAttrs;
  const info = conv2dInfo(attrs.inputShape, filter.shape, attrs);
  const dyv = f32(args.backend, dy);
  const wv = f32(args.backend, filter);
  const geometry = convGeometry(info);
  if (dyv == null || wv == null || geometry == null) return fallback(Conv2DBackpropInput, args) as TensorInfo;
  const out = output(args.backend, [...attrs.inputShape]);
  addon().conv2dBackwardData(dyv, wv, out.values, ...geometry);
  return out.info;
}

export function conv2dBackpropInputConfig(backendName: string): KernelConfig {
  return {
    kernelName: Conv2DBackpropInput,
    backendName,
    kernelFunc: conv2dBackpropInputNative as unknown as KernelConfig['kernelFunc'],
  };
}
