/** Conv2D on oneDNN (forward). x [N, H, W, Cin], filter [kh, kw, Cin, Cout] -> [N, OH, OW, Cout]. */
import { Conv2D, type Conv2DAttrs, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import { conv2dInfo, convGeometry } from './conv-geometry.js';
import { addon, f32, fallback, output, type KernelArgs } from './util.js';

export function conv2dNative(args: KernelArgs): TensorInfo {
  const { x, filter } = args.inputs;
  const info = conv2dInfo(x.shape, filter.shape, args.attrs as unknown as Conv2DAttrs);
  const xv = f32(args.backend, x);
  const wv = f32(args.backend, filter);
  const geometry = convGeometry(info);
  if (xv == null || wv == null || geometry == null) return fallback(Conv2D, args) as TensorInfo;
  const out = output(args.backend, info.outShape);
  addon().conv2dForward(xv, wv, out.values, ...geometry);
  return out.info;
}

export function conv2dConfig(backendName: string): KernelConfig {
  return { kernelName: Conv2D, backendName, kernelFunc: conv2dNative as unknown as KernelConfig['kernelFunc'] };
}
