/**
 * Conv2DBackpropInput on oneDNN backward-data: the gradient of Conv2D with respect to its input,
 * and also how tfjs computes conv2dTranspose (the decoder's up-sampling).
 * dy [N, OH, OW, Cout], filter [kh, kw, Cin, Cout] -> dx [N, H, W, Cin] with H, W from inputShape.
 */
import { backend_util, Conv2DBackpropInput, type Conv2DBackpropInputAttrs, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import { convGeometry } from './conv-geometry.js';
import { addon, f32, fallback, output, type KernelArgs } from './util.js';

function conv2dBackpropInputNative(args: KernelArgs): TensorInfo {
  const { dy, filter } = args.inputs;
  const { inputShape, strides, pad, dataFormat, dimRoundingMode } = args.attrs as unknown as Conv2DBackpropInputAttrs;
  const info = backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as [number, number, number, number],
    strides, 1, pad, dimRoundingMode, false,
    backend_util.convertConv2DDataFormat(dataFormat),
  );
  const dyv = f32(args.backend, dy);
  const wv = f32(args.backend, filter);
  const geometry = convGeometry(info);
  if (dyv == null || wv == null || geometry == null) return fallback(Conv2DBackpropInput, args) as TensorInfo;
  const out = output(args.backend, [...inputShape]);
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
