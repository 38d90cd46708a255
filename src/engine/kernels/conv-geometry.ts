/**
 * Translates tfjs's Conv2DInfo (NHWC, HWIO filter, explicit pads from 'same'/'valid') into the
 * argument tuple of the addon's convolution functions, or null when the case is not native
 * (channels-first data, depthwise/grouped shapes, strided 1x1 kernels).
 */
import type { backend_util } from '@tensorflow/tfjs-core';
import type { ConvGeometryArgs } from '../addon.js';

export function convGeometry(info: backend_util.Conv2DInfo): ConvGeometryArgs | null {
  if (info.dataFormat !== 'channelsLast') return null;
  if (info.filterShape[2] !== info.inChannels) return null; // grouped or depthwise
  // oneDNN 2.6's jit 1x1 kernels with stride > 1 (backward-data and backward-weights on nhwc)
  // write out of bounds and corrupt the heap; such layers are rare, so they stay on the cpu kernels.
  if (info.filterHeight === 1 && info.filterWidth === 1 && (info.strideHeight > 1 || info.strideWidth > 1)) return null;
  const { padInfo } = info;
  if ([padInfo.top, padInfo.bottom, padInfo.left, padInfo.right].some((p) => p < 0)) return null;
  return [
    [info.batchSize, info.inHeight, info.inWidth, info.inChannels],
    [info.filterHeight, info.filterWidth, info.inChannels, info.outChannels],
    [info.batchSize, info.outHeight, info.outWidth, info.outChannels],
    [info.strideHeight, info.strideWidth],
    [padInfo.top, padInfo.bottom, padInfo.left, padInfo.right],
    [info.dilationHeight, info.dilationWidth],
  ];
}
