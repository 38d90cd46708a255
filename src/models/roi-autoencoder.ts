/**
 * The ROI-trigger autoencoder of spec roi-trigger.md ("The autoencoder"): a U-Net-like
 * convolutional autoencoder, built with tfjs-layers only (no runtime or backend import, so it runs
 * unchanged on 'cpu', 'tpcvision-native', or exported to ONNX).
 *
 * Layer for layer, for an H×W×1 input (spec: 1024×1024; here any H, W divisible by 16):
 *   stem       conv block (22)                                  H×W×22        -> skip s0
 *   down 1..4  down block (22, 44, 66, 88)                      H/2 … H/16    -> skips s1, s2, s3
 *   bottleneck GlobalAveragePooling2D (88) -> Dense(128) latent
 *   seed       Dense(latent -> (H/16)(W/16)·3) -> Reshape (H/16)×(W/16)×3
 *   up 1..4    transposed conv block (88, 66, 44, 22), concat skip (s3, s2, s1, s0), conv block
 *   output     3×3 conv -> 1 channel, sigmoid
 * conv block = 3×3 conv, stride 1, same, no bias -> BN -> ReLU
 * down block = 3×3 conv, stride 2, same, no bias -> BN -> ReLU, then a conv block (same filters)
 * up block   = 3×3 transposed conv, stride 2, same, no bias -> BN -> ReLU -> concat -> conv block
 *
 * Choices the spec leaves open, written down:
 * - A full-resolution stem conv block with the first level's 22 filters exists, and its output is
 *   the full-resolution skip (the spec concatenates at every decoder resolution including H×W,
 *   and the down blocks only produce H/2 … H/16).
 * - Up-block filters mirror the encoder from the deepest level: 88, 66, 44, 22 (up 1 at H/8 uses
 *   88, the last one at full resolution 22, like the stem). With transposed-conv FLOPs counted at
 *   input resolution this gives 66.2 GFLOP per 1024² forward pass, the figure of the engine issue.
 * - BatchNormalization: Keras defaults, momentum 0.99, epsilon 1e-3 (the paper used Keras).
 * - Dense layers (bottleneck and seed) are linear with bias; the output conv has a bias (Keras
 *   default) since no BN follows it. Weight init: Keras defaults (glorot uniform, zeros).
 */
import * as tfl from '@tensorflow/tfjs-layers';

export interface RoiAutoencoderOptions {
  /** input height in pixels; divisible by 16 (spec: 1024) */
  height: number;
  /** input width in pixels; divisible by 16 (spec: 1024) */
  width: number;
  /** encoder filters per level, deepest last (spec: [22, 44, 66, 88]) */
  filters?: [number, number, number, number];
  /** bottleneck latent size (spec: 128) */
  latent?: number;
  /** channels of the decoder seed map (spec: 3) */
  seedChannels?: number;
}

export const ROI_AUTOENCODER_DEFAULTS = { filters: [22, 44, 66, 88] as [number, number, number, number], latent: 128, seedChannels: 3 };

// Keras BatchNormalization defaults.
const BN = { momentum: 0.99, epsilon: 1e-3 };

function convBnRelu(x: tfl.SymbolicTensor, filters: number, strides: number, name: string): tfl.SymbolicTensor {
  let y = tfl.layers
    .conv2d({ filters, kernelSize: 3, strides, padding: 'same', useBias: false, name: `${name}_conv` })
    .apply(x) as tfl.SymbolicTensor;
  y = tfl.layers.batchNormalization({ ...BN, name: `${name}_bn` }).apply(y) as tfl.SymbolicTensor;
  return tfl.layers.reLU({ name: `${name}_relu` }).apply(y) as tfl.SymbolicTensor;
}

function upBnRelu(x: tfl.SymbolicTensor, filters: number, name: string): tfl.SymbolicTensor {
  let y = tfl.layers
    .conv2dTranspose({ filters, kernelSize: 3, strides: 2, padding: 'same', useBias: false, name: `${name}_tconv` })
    .apply(x) as tfl.SymbolicTensor;
  y = tfl.layers.batchNormalization({ ...BN, name: `${name}_bn` }).apply(y) as tfl.SymbolicTensor;
  return tfl.layers.reLU({ name: `${name}_relu` }).apply(y) as tfl.SymbolicTensor;
}

export function buildRoiAutoencoder(options: RoiAutoencoderOptions): tfl.LayersModel {
  const { height, width } = options;
  const filters = options.filters ?? ROI_AUTOENCODER_DEFAULTS.filters;
  const latent = options.latent ?? ROI_AUTOENCODER_DEFAULTS.latent;
  const seedChannels = options.seedChannels ?? ROI_AUTOENCODER_DEFAULTS.seedChannels;
  if (height % 16 !== 0 || width % 16 !== 0 || height <= 0 || width <= 0) {
    throw new RangeError(`roi-autoencoder: input ${height}×${width} must be positive and divisible by 16 (four stride-2 levels)`);
  }
  const input = tfl.input({ shape: [height, width, 1], name: 'frame' }); // [N, H, W, 1], normalised intensity

  // 1. Encoder: full-resolution stem, then four down blocks; keep each resolution's map as a skip.
  const skips: tfl.SymbolicTensor[] = [];
  let x = convBnRelu(input, filters[0], 1, 'stem');
  for (let level = 0; level < 4; level++) {
    skips.push(x); // H/2^level resolution
    x = convBnRelu(x, filters[level], 2, `down${level + 1}a`);
    x = convBnRelu(x, filters[level], 1, `down${level + 1}b`);
  }
  // x: [N, H/16, W/16, filters[3]]

  // 2. Bottleneck and decoder seed.
  const pooled = tfl.layers.globalAveragePooling2d({ name: 'bottleneck_gap' }).apply(x) as tfl.SymbolicTensor;
  const z = tfl.layers.dense({ units: latent, name: 'latent' }).apply(pooled) as tfl.SymbolicTensor;
  const h16 = height / 16;
  const w16 = width / 16;
  let y = tfl.layers.dense({ units: h16 * w16 * seedChannels, name: 'seed' }).apply(z) as tfl.SymbolicTensor;
  y = tfl.layers.reshape({ targetShape: [h16, w16, seedChannels], name: 'seed_reshape' }).apply(y) as tfl.SymbolicTensor;

  // 3. Decoder: four up blocks, mirror filter counts, skip concat at each resolution.
  for (let i = 0; i < 4; i++) {
    const level = 3 - i;
    y = upBnRelu(y, filters[level], `up${i + 1}`);
    y = tfl.layers.concatenate({ axis: -1, name: `up${i + 1}_concat` }).apply([y, skips[level]]) as tfl.SymbolicTensor;
    y = convBnRelu(y, filters[level], 1, `up${i + 1}b`);
  }

  // 4. Output: reconstruction in [0, 1].
  const output = tfl.layers
    .conv2d({ filters: 1, kernelSize: 3, padding: 'same', activation: 'sigmoid', name: 'reconstruction' })
    .apply(y) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: output, name: 'roi_autoencoder' });
}

/** Number of weights (trainable and BN moving statistics), as Keras' model.countParams(). */
export function roiAutoencoderParamCount(model: tfl.LayersModel): number {
  return model.countParams();
}

/**
 * Forward FLOPs (2 per multiply-add) of the convolutions and dense layers for one H×W frame;
 * transposed convolutions counted at their input resolution (each input pixel scatters a 3×3
 * kernel), BN/ReLU/concat ignored.
 */
export function roiAutoencoderFlops(height: number, width: number, filters = ROI_AUTOENCODER_DEFAULTS.filters): number {
  const conv = (h: number, w: number, cin: number, cout: number) => 2 * h * w * cin * cout * 9;
  let f = conv(height, width, 1, filters[0]);
  let cin = filters[0];
  for (let l = 0; l < 4; l++) {
    const h = height >> (l + 1);
    const w = width >> (l + 1);
    f += conv(h, w, cin, filters[l]) + conv(h, w, filters[l], filters[l]);
    cin = filters[l];
  }
  f += 2 * (filters[3] * 128 + 128 * (height / 16) * (width / 16) * 3);
  let c = 3;
  for (let i = 0; i < 4; i++) {
    const level = 3 - i;
    const hIn = height >> (level + 1);
    const wIn = width >> (level + 1);
    const skipC = level === 0 ? filters[0] : filters[level - 1];
    f += conv(hIn, wIn, c, filters[level]);
    f += conv(hIn * 2, wIn * 2, filters[level] + skipC, filters[level]);
    c = filters[level];
  }
  return f + conv(height, width, c, 1);
}
