/**
 * Translates tfjs's Conv2DInfo (NHWC, HWIO filter, explicit pads from 'same'/'valid') into the
 * argument tuple of the addon's convolution functions, or null when the case is not native
 * (channels-first data, depthwise/grouped shapes, strided 1x1 kernels).
 */
import { backend_util } from '@tensorflow/tfjs-core';
import type { ConvGeometryArgs } from '../addon.js';

type Shape4 = [number, number, number, number];

/** tfjs's Conv2DInfo for the attributes every conv kernel receives (the one shared computation). */
export function conv2dInfo(
  inShape: number[],
  filterShape: number[],
  attrs: { strides: number | [number, number]; dilations?: number | [number, number]; pad: 'same' | 'valid' | number | backend_util.ExplicitPadding; dimRoundingMode?: 'floor' | 'round' | 'ceil'; dataFormat: 'NHWC' | 'NCHW' },
): backend_util.Conv2DInfo {
  return backend_util.computeConv2DInfo(
    inShape as Shape4,
    filterShape as Shape4,
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    backend_util.convertConv2DDataFormat(attrs.dataFormat),
  );
}

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
