/**
 * One converter per tfjs-layers class: given the layer, its already-converted inputs and
 * (for convolutions) a batch norm to fold, append ONNX nodes and return the output value. Add a
 * class by adding an entry to LAYER_CONVERTERS. Besides the tfjs-layers classes of the ROI
 * autoencoder it converts the OASIS U-Net's own layers (GroupNormalization, DepthwiseStride2,
 * BilinearUpsample2x), keyed by class name.
 */
import type { Tensor } from '@tensorflow/tfjs-core';
import type { layers } from '@tensorflow/tfjs-layers';
import { emitActivation } from './activations.js';
import { permute4d, type GraphBuilder, type OnnxValue } from './graph-builder.js';

type Layer = layers.Layer;

/** Per-channel affine map y = x·scale + shift of a batch norm in inference mode. */
export interface FoldedNorm {
  scale: Float32Array;
  shift: Float32Array;
}

export interface ConvertArgs {
  layer: Layer;
  inputs: OnnxValue[];
  b: GraphBuilder;
  /** the batch norm that follows this convolution and is folded into it */
  fold?: FoldedNorm;
}

export type LayerConverter = (args: ConvertArgs) => OnnxValue;

type Config = Record<string, unknown>;
const config = (layer: Layer) => layer.getConfig() as Config;
const values = (t: Tensor) => t.dataSync() as Float32Array;
const pair = (v: unknown): [number, number] => (Array.isArray(v) ? [v[0], v[1] ?? v[0]] : [v as number, v as number]);
const outShape = (layer: Layer) => (layer.outputShape as Array<number | null>).slice();

/** Inference-mode batch norm as a per-channel affine map (gamma, beta optional as in Keras). */
export function batchNormAffine(layer: Layer): FoldedNorm {
  const c = config(layer);
  const weights = layer.getWeights();
  let i = 0;
  const gamma = c.scale !== false ? values(weights[i++]) : null;
  const beta = c.center !== false ? values(weights[i++]) : null;
  const mean = values(weights[i++]);
  const variance = values(weights[i++]);
  const eps = c.epsilon as number;
  const scale = new Float32Array(mean.length);
  const shift = new Float32Array(mean.length);
  for (let j = 0; j < mean.length; j++) {
    const s = (gamma ? gamma[j] : 1) / Math.sqrt(variance[j] + eps);
    scale[j] = s;
    shift[j] = (beta ? beta[j] : 0) - mean[j] * s;
  }
  return { scale, shift };
}

/** TF 'same'/'valid' padding of one spatial axis: [begin, end]. */
function tfPads(size: number, k: number, stride: number, dilation: number, padding: string): [number, number] {
  if (padding !== 'same') return [0, 0];
  const kEff = (k - 1) * dilation + 1;
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + kEff - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/**
 * Weights and bias of a (transposed) convolution in ONNX order with an optional batch norm
 * folded in. `outAxis` is the output-channel axis of the ONNX weight: 0 for Conv [O, I, kh, kw],
 * 1 for ConvTranspose [I, O, kh, kw].
 */
function convWeights(layer: Layer, outAxis: 0 | 1, fold: FoldedNorm | undefined) {
  const c = config(layer);
  const [kernel, bias] = layer.getWeights();
  // tfjs Conv2D kernel [kh, kw, in, out]; Conv2DTranspose [kh, kw, out, in]: both -> (3, 2, 0, 1)
  const w = permute4d(values(kernel), kernel.shape, [3, 2, 0, 1]);
  const outC = w.shape[outAxis];
  const b = new Float32Array(outC);
  if (c.useBias !== false && bias) b.set(values(bias));
  if (fold) {
    const inner = w.shape[2] * w.shape[3];
    const rowsPerOut = outAxis === 0 ? w.shape[1] : 1;
    for (let i = 0; i < w.values.length; i++) {
      const o = outAxis === 0 ? Math.floor(i / (rowsPerOut * inner)) : Math.floor(i / inner) % outC;
      w.values[i] *= fold.scale[o];
    }
    for (let o = 0; o < outC; o++) b[o] = b[o] * fold.scale[o] + fold.shift[o];
  }
  return { w, b };
}

/** An ONNX Conv of an NCHW value with TF 'same'/'valid' padding or `p` on every side; `group` > 1 for depthwise. */
function emitConv(b: GraphBuilder, x: OnnxValue, name: string, w: { values: Float32Array; shape: number[] }, bias: Float32Array, opts: { kernel: [number, number]; strides: [number, number]; dilations: [number, number]; padding: string | number; group?: number }): string {
  const [kh, kw] = opts.kernel;
  const [sh, sw] = opts.strides;
  const [dh, dw] = opts.dilations;
  const p = opts.padding;
  const [pt, pb] = typeof p === 'number' ? [p, p] : tfPads(x.shape[1] as number, kh, sh, dh, p);
  const [pl, pr] = typeof p === 'number' ? [p, p] : tfPads(x.shape[2] as number, kw, sw, dw, p);
  return b.node('Conv', [x.name, b.floatInit(`${name}_W`, w.shape, w.values), b.floatInit(`${name}_B`, [bias.length], bias)], name, [
    { name: 'kernel_shape', kind: 'ints', value: [kh, kw] },
    { name: 'strides', kind: 'ints', value: [sh, sw] },
    { name: 'dilations', kind: 'ints', value: [dh, dw] },
    { name: 'pads', kind: 'ints', value: [pt, pl, pb, pr] },
    { name: 'group', kind: 'int', value: opts.group ?? 1 },
  ]);
}

const conv2d: LayerConverter = ({ layer, inputs, b, fold }) => {
  const c = config(layer);
  const { w, b: bias } = convWeights(layer, 0, fold);
  const y = emitConv(b, b.toNchw(inputs[0]), layer.name, w, bias, {
    kernel: pair(c.kernelSize),
    strides: pair(c.strides),
    dilations: pair(c.dilationRate ?? 1),
    padding: c.padding as string,
  });
  return { name: emitActivation(b, c.activation as string, y, `${layer.name}_act`), layout: 'nchw', shape: outShape(layer) };
};

const conv2dTranspose: LayerConverter = ({ layer, inputs, b, fold }) => {
  const c = config(layer);
  const x = b.toNchw(inputs[0]);
  const out = outShape(layer);
  const [kh, kw] = pair(c.kernelSize);
  const [sh, sw] = pair(c.strides);
  const [dh, dw] = pair(c.dilationRate ?? 1);
  // tfjs computes conv2dTranspose as the input-gradient of a conv from the output size to the
  // input size; ONNX ConvTranspose with that conv's pads, plus output_padding for the remainder.
  const axis = (size: number, outSize: number, k: number, s: number, d: number) => {
    const [p0, p1] = tfPads(outSize, k, s, d, c.padding as string);
    return { p0, p1, extra: outSize - (s * (size - 1) + (k - 1) * d + 1 - p0 - p1) };
  };
  const ah = axis(x.shape[1] as number, out[1] as number, kh, sh, dh);
  const aw = axis(x.shape[2] as number, out[2] as number, kw, sw, dw);
  const { w, b: bias } = convWeights(layer, 1, fold);
  const y = b.node('ConvTranspose', [x.name, b.floatInit(`${layer.name}_W`, w.shape, w.values), b.floatInit(`${layer.name}_B`, [bias.length], bias)], layer.name, [
    { name: 'kernel_shape', kind: 'ints', value: [kh, kw] },
    { name: 'strides', kind: 'ints', value: [sh, sw] },
    { name: 'dilations', kind: 'ints', value: [dh, dw] },
    { name: 'pads', kind: 'ints', value: [ah.p0, aw.p0, ah.p1, aw.p1] },
    { name: 'output_padding', kind: 'ints', value: [ah.extra, aw.extra] },
  ]);
  return { name: emitActivation(b, c.activation as string, y, `${layer.name}_act`), layout: 'nchw', shape: out };
};

/** A batch norm that could not be folded: ONNX BatchNormalization on the channel axis. */
const batchNormalization: LayerConverter = ({ layer, inputs, b }) => {
  const x = inputs[0].shape.length === 4 ? b.toNchw(inputs[0]) : inputs[0];
  if (x.shape.length !== 4 && x.shape.length !== 2) throw new Error(`ONNX export: ${layer.name}: batch norm of rank ${x.shape.length}`);
  const { scale, shift } = batchNormAffine(layer);
  const n = scale.length;
  const y = b.node('BatchNormalization', [
    x.name,
    b.floatInit(`${layer.name}_scale`, [n], scale),
    b.floatInit(`${layer.name}_shift`, [n], shift),
    b.floatInit(`${layer.name}_zero`, [n], new Float32Array(n)),
    b.floatInit(`${layer.name}_one`, [n], new Float32Array(n).fill(1)),
  ], layer.name, [{ name: 'epsilon', kind: 'float', value: 0 }]);
  return { name: y, layout: x.layout, shape: outShape(layer) };
};

const activationLayer = (name: (c: Config) => string): LayerConverter => ({ layer, inputs, b }) => {
  const x = inputs[0];
  return { name: emitActivation(b, name(config(layer)), x.name, layer.name), layout: x.layout, shape: outShape(layer) };
};

const concatenate: LayerConverter = ({ layer, inputs, b }) => {
  const rank = inputs[0].shape.length;
  let axis = (config(layer).axis as number) ?? -1;
  if (axis < 0) axis += rank;
  const xs = rank === 4 ? inputs.map((v) => b.toNchw(v)) : inputs;
  const onnxAxis = rank === 4 ? [0, 2, 3, 1][axis] : axis;
  const y = b.node('Concat', xs.map((v) => v.name), layer.name, [{ name: 'axis', kind: 'int', value: onnxAxis }]);
  return { name: y, layout: xs[0].layout, shape: outShape(layer) };
};

const globalAveragePooling2d: LayerConverter = ({ layer, inputs, b }) => {
  const x = b.toNchw(inputs[0]);
  const pooled = b.node('GlobalAveragePool', [x.name], `${layer.name}_pool`); // [N, C, 1, 1]
  const y = b.node('Flatten', [pooled], layer.name, [{ name: 'axis', kind: 'int', value: 1 }]);
  return { name: y, layout: 'plain', shape: outShape(layer) };
};

const dense: LayerConverter = ({ layer, inputs, b }) => {
  const c = config(layer);
  const x = inputs[0];
  if (x.shape.length !== 2) throw new Error(`ONNX export: ${layer.name}: Dense on rank ${x.shape.length} input is not supported`);
  const [kernel, bias] = layer.getWeights(); // kernel [in, units]
  const units = kernel.shape[1] as number;
  const biasValues = c.useBias !== false && bias ? values(bias) : new Float32Array(units);
  const y = b.node('Gemm', [x.name, b.floatInit(`${layer.name}_W`, kernel.shape, values(kernel)), b.floatInit(`${layer.name}_B`, [units], biasValues)], layer.name);
  return { name: emitActivation(b, c.activation as string, y, `${layer.name}_act`), layout: 'plain', shape: outShape(layer) };
};

const reshape: LayerConverter = ({ layer, inputs, b }) => {
  const x = b.toPlain(inputs[0]); // reshape acts on tfjs (NHWC) element order
  const target = config(layer).targetShape as number[];
  const y = b.node('Reshape', [x.name, b.int64Init(`${layer.name}_shape`, [-1, ...target])], layer.name);
  return { name: y, layout: 'plain', shape: outShape(layer) };
};

const flatten: LayerConverter = ({ layer, inputs, b }) => {
  const x = b.toPlain(inputs[0]);
  const y = b.node('Flatten', [x.name], layer.name, [{ name: 'axis', kind: 'int', value: 1 }]);
  return { name: y, layout: 'plain', shape: outShape(layer) };
};

/**
 * DepthwiseStride2 (src/models/depthwise.ts): its dense diagonal-kernel conv equals a grouped Conv
 * with group = C and kernel [C, 1, k, k] from depthwise_kernel [k, k, C, 1], padded (k − 1)/2 on
 * every side as the layer pads (PyTorch's convention).
 */
const depthwiseStride2: LayerConverter = ({ layer, inputs, b }) => {
  const c = config(layer);
  const [kernel, bias] = layer.getWeights();
  const channels = kernel.shape[2] as number;
  const w = permute4d(values(kernel), kernel.shape, [2, 3, 0, 1]); // [C, 1, k, k]
  const y = emitConv(b, b.toNchw(inputs[0]), layer.name, w, values(bias), {
    kernel: pair(c.kernelSize),
    strides: pair(c.strides),
    dilations: [1, 1],
    padding: (pair(c.kernelSize)[0] - 1) / 2,
    group: channels,
  });
  return { name: y, layout: 'nchw', shape: outShape(layer) };
};

/**
 * GroupNormalization (src/models/group-norm.ts) without the opset-18 op (whose scale/bias meaning
 * changed between opsets 18 and 21):
 *   1. [N, C, H, W] -> [N, G, C/G·H·W];  2. InstanceNormalization with unit scale, zero shift and the
 *   layer's ε (biased variance of each group, as the layer);  3. back to [N, C, H, W];
 *   4. per-channel ·γ + β;  5. the layer's activation, if any (the U-Net's GroupNorm applies SiLU).
 * The layer's variance is E[x²] − μ² and ONNX Runtime's two-pass E[(x − μ)²]: equal up to float32
 * rounding, which differs only when a group's variance is tiny against μ².
 */
const groupNormalization: LayerConverter = ({ layer, inputs, b }) => {
  const c = config(layer);
  const x = b.toNchw(inputs[0]);
  const [, h, w, channels] = x.shape as number[];
  const groups = c.groups as number;
  const [gamma, beta] = layer.getWeights().map(values);
  const n = layer.name;
  const grouped = b.node('Reshape', [x.name, b.int64Init(`${n}_grouped_shape`, [0, groups, -1])], `${n}_grouped`); // [N, G, C/G·H·W]
  const normed = b.node('InstanceNormalization', [
    grouped,
    b.floatInit(`${n}_unit`, [groups], new Float32Array(groups).fill(1)),
    b.floatInit(`${n}_zero`, [groups], new Float32Array(groups)),
  ], `${n}_normed`, [{ name: 'epsilon', kind: 'float', value: c.epsilon as number }]);
  const back = b.node('Reshape', [normed, b.int64Init(`${n}_shape`, [0, channels, h, w])], `${n}_ungrouped`); // [N, C, H, W]
  const scaled = b.node('Mul', [back, b.floatInit(`${n}_gamma`, [channels, 1, 1], gamma)], `${n}_scaled`);
  const linear = (c.activation ?? 'linear') === 'linear';
  const y = b.node('Add', [scaled, b.floatInit(`${n}_beta`, [channels, 1, 1], beta)], linear ? n : `${n}_affine`);
  return { name: emitActivation(b, c.activation as string | undefined, y, n), layout: 'nchw', shape: outShape(layer) };
};

/**
 * BilinearUpsample2x (src/models/bilinear-upsample.ts): out[2k] = 0.75·x[k] + 0.25·x[k−1],
 * out[2k+1] = 0.75·x[k] + 0.25·x[k+1] with the edge repeated, per axis — ONNX Resize 'linear' with
 * 'half_pixel' coordinates (source k ∓ 1/4, clamped to the border) and scales [1, 1, 2, 2].
 */
const bilinearUpsample2x: LayerConverter = ({ layer, inputs, b }) => {
  const x = b.toNchw(inputs[0]);
  const scales = b.floatInit(`${layer.name}_scales`, [4], Float32Array.of(1, 1, 2, 2));
  const y = b.node('Resize', [x.name, '', scales], layer.name, [
    { name: 'mode', kind: 'string', value: 'linear' },
    { name: 'coordinate_transformation_mode', kind: 'string', value: 'half_pixel' },
  ]);
  return { name: y, layout: 'nchw', shape: outShape(layer) };
};

export const LAYER_CONVERTERS: Record<string, LayerConverter> = {
  Conv2D: conv2d,
  Conv2DTranspose: conv2dTranspose,
  BatchNormalization: batchNormalization,
  ReLU: activationLayer(() => 'relu'),
  Activation: activationLayer((c) => c.activation as string),
  Concatenate: concatenate,
  GlobalAveragePooling2D: globalAveragePooling2d,
  Dense: dense,
  Reshape: reshape,
  Flatten: flatten,
  // the custom layers of src/models (matched by class name; the engine does not import models)
  DepthwiseStride2: depthwiseStride2,
  GroupNormalization: groupNormalization,
  BilinearUpsample2x: bilinearUpsample2x,
};

/** Layers whose output can absorb a following batch norm. */
export const FOLDABLE = new Set(['Conv2D', 'Conv2DTranspose']);
