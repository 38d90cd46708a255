/**
 * The overlap-separation U-Net of spec overlap-separation.md ("Model"), built with tfjs-layers only
 * (no backend import: it runs on 'cpu', 'tpcvision-native' or anything else registered).
 *
 * For an H×W×1 scaled input (spec 288×512; any H, W divisible by 8), base width b (spec 32):
 *   enc     conv block 1 → b                                   H×W×b        -> skip s0
 *   down k  depthwise 3×3 stride 2, conv block → 2b, 4b, 8b    H/2 … H/8    -> skips s1, s2
 *   bottle  conv block 8b → 8b                                 H/8×W/8×8b
 *   up k    bilinear ×2, 1×1 conv → 4b, 2b, b, concat skip (s2, s1, s0), conv block → 4b, 2b, b
 *   head    1×1 conv → 2 channels (ER, NR), softplus (outputs ≥ 0, scaled target units)
 * conv block = (3×3 conv with bias, GroupNorm 8 groups, SiLU) twice.
 *
 * Parameters at b = 32: 2,982,274 (spec: "about 3.0 M"). By hand: 3×3 conv kernels of the eight conv
 * blocks 2,930,976; 1×1 up projections 43,008 and head 64; depthwise kernels 2,016; biases 1,920 +
 * 224 + 2 + 224; GroupNorm γ, β 3,840 (`oasisParameterCount`, checked in the tests). The small
 * difference from the release's count, if any, would come from the bias choices below.
 *
 * Choices the spec leaves open, written down:
 * - Convolutions carry biases (PyTorch's nn.Conv2d default), also before a GroupNorm.
 * - The depthwise conv keeps the channel count (multiplier 1) and has a bias; the following conv
 *   block doubles the channels. It is our layer (depthwise.ts): the same weights and arithmetic as
 *   tfl.layers.depthwiseConv2d, run as a dense conv with a diagonal kernel so its gradient goes
 *   through the native conv kernels instead of tfjs' element-by-element cpu loop.
 * - 'same' padding is TensorFlow's (for stride 2 the extra row/column of padding goes after), where
 *   PyTorch pads 1 on both sides.
 * - Bilinear ×2 upsampling is our own layer (bilinear-upsample.ts), identical to PyTorch's
 *   align_corners=False; tfjs' upSampling2d bilinear has a broken gradient for non-square maps.
 * - SiLU is the tfjs 'swish' activation, x·sigmoid(x) (alpha 1, checked in tfjs-layers 4.22), applied
 *   by the GroupNormalization layer itself (option activation: 'swish'): fused, the pair is one pass
 *   each way on the native backend. Models saved with a separate Activation layer still load.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { bilinearUpsample2x } from './bilinear-upsample.js';
import { depthwiseStride2 } from './depthwise.js';
import { groupNormalization } from './group-norm.js';

export interface OasisUnetOptions {
  /** Input height and width, px; each divisible by 8 (three stride-2 stages). Spec: 288 × 512. */
  height: number;
  width: number;
  /** Channels of the first level; deeper levels have 2×, 4×, 8×. Divisible by 8 (GroupNorm groups). Spec: 32. */
  base?: number;
  /** GroupNorm groups [spec: 8]. */
  groups?: number;
}

export const OASIS_UNET_DEFAULTS = { height: 288, width: 512, base: 32, groups: 8 };

type T = tfl.SymbolicTensor;
const apply = (layer: { apply(x: T | T[]): unknown }, x: T | T[]): T => layer.apply(x) as T;

function convBlock(x: T, filters: number, groups: number, name: string): T {
  for (const k of [1, 2]) {
    x = apply(tfl.layers.conv2d({ filters, kernelSize: 3, padding: 'same', name: `${name}_conv${k}` }), x);
    x = apply(groupNormalization({ groups, activation: 'swish', name: `${name}_gn${k}` }), x); // GroupNorm + SiLU
  }
  return x;
}

export function buildOasisUnet(options: OasisUnetOptions): tfl.LayersModel {
  const { height, width } = options;
  const base = options.base ?? OASIS_UNET_DEFAULTS.base;
  const groups = options.groups ?? OASIS_UNET_DEFAULTS.groups;
  if (!(height > 0 && width > 0 && height % 8 === 0 && width % 8 === 0)) {
    throw new RangeError(`oasis-unet: input ${height}×${width} must be positive and divisible by 8 (three stride-2 stages)`);
  }
  if (!(Number.isInteger(base) && base > 0 && base % groups === 0)) {
    throw new RangeError(`oasis-unet: base width ${base} must be a positive multiple of ${groups} (GroupNorm groups)`);
  }
  const input = tfl.input({ shape: [height, width, 1], name: 'image' }); // [N, H, W, 1], scaled intensity

  // 1. Encoder: full-resolution block, then three stride-2 stages; keep each level as a skip.
  const skips: T[] = [];
  let x = convBlock(input, base, groups, 'enc');
  for (let k = 1; k <= 3; k++) {
    skips.push(x); // [N, H/2^(k−1), W/2^(k−1), base·2^(k−1)]
    x = apply(depthwiseStride2({ name: `down${k}_dw` }), x);
    x = convBlock(x, base << k, groups, `down${k}`);
  }
  // 2. Bottleneck at H/8 × W/8 × 8b.
  x = convBlock(x, base << 3, groups, 'bottleneck');
  // 3. Decoder: upsample, reduce channels, join the skip of the same resolution.
  for (let k = 3; k >= 1; k--) {
    const filters = base << (k - 1);
    x = apply(bilinearUpsample2x({ name: `up${4 - k}_resize` }), x);
    x = apply(tfl.layers.conv2d({ filters, kernelSize: 1, name: `up${4 - k}_proj` }), x);
    x = apply(tfl.layers.concatenate({ axis: -1, name: `up${4 - k}_concat` }), [x, skips[k - 1]]);
    x = convBlock(x, filters, groups, `up${4 - k}`);
  }
  // 4. Head: ER and NR intensities, ≥ 0.
  const out = apply(tfl.layers.conv2d({ filters: 2, kernelSize: 1, activation: 'softplus', name: 'head' }), x); // [N, H, W, 2]
  return tfl.model({ inputs: input, outputs: out, name: 'oasis_unet' });
}

/** Trainable parameters of the U-Net at a base width (independent of the image size). */
export function oasisParameterCount(base = OASIS_UNET_DEFAULTS.base): number {
  const m = buildOasisUnet({ height: 16, width: 16, base });
  const n = m.countParams();
  m.dispose();
  return n;
}

/**
 * Multiply-adds ×2 of the U-Net's convolutions for one H×W sample (forward pass): Σ over conv layers
 * of 2·k_h·k_w·c_in·c_out·H_out·W_out, the depthwise stages at their nominal 2·9·C·H_out·W_out (they
 * run as dense convs here, C× that: `executedFlops`). GroupNorm, SiLU, the upsampling and softplus
 * are a few operations per activation and are left out. A training step costs about 3× the forward.
 */
export function oasisConvFlops(height: number, width: number, base = OASIS_UNET_DEFAULTS.base): { nominal: number; executed: number } {
  const m = buildOasisUnet({ height, width, base });
  let nominal = 0;
  let executed = 0;
  for (const layer of m.layers) {
    const out = layer.outputShape as number[];
    const cls = layer.getClassName();
    if (cls !== 'Conv2D' && cls !== 'DepthwiseStride2') continue;
    const kernel = layer.getWeights()[0].shape as number[]; // [kh, kw, cin, cout] or depthwise [kh, kw, C, 1]
    const px = out[1] * out[2];
    if (cls === 'Conv2D') {
      const f = 2 * kernel[0] * kernel[1] * kernel[2] * kernel[3] * px;
      nominal += f;
      executed += f;
    } else {
      nominal += 2 * kernel[0] * kernel[1] * kernel[2] * px;
      executed += 2 * kernel[0] * kernel[1] * kernel[2] * kernel[2] * px;
    }
  }
  m.dispose();
  return { nominal, executed };
}
