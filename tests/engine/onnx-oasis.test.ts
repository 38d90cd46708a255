/**
 * ONNX export of the OASIS U-Net and of its three own layers: the exported model run in ONNX
 * Runtime gives tfjs's output (cpu backend) to 1e-4 relative (max |Δ| over max |tfjs|).
 * - each layer alone on odd and even spatial sizes (the depthwise conv's 'same' padding is
 *   asymmetric for stride 2 on even sizes and for even kernels; bilinear ×2 repeats the edge);
 * - the whole U-Net at base 8 on 32×64 and on 40×24 (levels 40×24 → 5×3: odd maps in the
 *   decoder), with seeded random weights and non-trivial GroupNorm γ, β and biases.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { buildOnnxGraph, exportOnnx, OnnxModel } from '../../src/engine/index.js';
import { bilinearUpsample2x } from '../../src/models/bilinear-upsample.js';
import { depthwiseStride2 } from '../../src/models/depthwise.js';
import { groupNormalization } from '../../src/models/group-norm.js';
import { buildOasisUnet } from '../../src/models/oasis-unet.js';
import { expectClose, randomArray } from './helpers.js';

/** Every weight uniform random: kernels ±√(3/fan-in) (unit-variance outputs), γ in [0.5, 1.5], β and biases ±0.3. */
function randomiseWeights(model: tfl.LayersModel, rng: Rng): void {
  const ws = model.weights.map((w) => {
    const shape = w.shape as number[];
    const size = shape.reduce((p, q) => p * q, 1);
    const name = w.originalName;
    let data: Float32Array;
    if (/kernel/.test(name)) {
      const fanIn = shape.length === 4 ? shape[0] * shape[1] * (/depthwise/.test(name) ? 1 : shape[2]) : shape[0];
      const limit = Math.sqrt(3 / fanIn);
      data = randomArray(rng, size, -limit, limit);
    } else if (/gamma/.test(name)) {
      data = randomArray(rng, size, 0.5, 1.5);
    } else {
      data = randomArray(rng, size, -0.3, 0.3);
    }
    return tf.tensor(data, shape);
  });
  model.setWeights(ws);
  ws.forEach((t) => t.dispose());
}

function predict(model: tfl.LayersModel, input: Float32Array, shape: number[]): Float32Array {
  return tf.tidy(() => (model.predict(tf.tensor4d(input, shape as [number, number, number, number])) as tf.Tensor).dataSync() as Float32Array);
}

async function runOnnx(model: tfl.LayersModel, input: Float32Array, shape: number[]) {
  const session = await OnnxModel.load(await exportOnnx(model), { threads: 1 });
  try {
    return await session.runWithShape(input, shape);
  } finally {
    await session.dispose();
  }
}

/** One layer on an input [2, h, w, c] in [lo, hi]: tfjs vs ONNX Runtime. */
async function checkLayer(layer: tfl.layers.Layer, h: number, w: number, c: number, rng: Rng, lo = -1, hi = 1): Promise<void> {
  const x = tfl.input({ shape: [h, w, c] });
  const model = tfl.model({ inputs: x, outputs: layer.apply(x) as tfl.SymbolicTensor });
  randomiseWeights(model, rng);
  const shape = [2, h, w, c];
  const input = randomArray(rng, 2 * h * w * c, lo, hi);
  const expected = predict(model, input, shape);
  const out = await runOnnx(model, input, shape);
  expect(out.shape).toEqual([2, ...(model.outputs[0].shape.slice(1) as number[])]);
  expectClose(out.data, expected, 1e-4, `${layer.getClassName()} ${h}×${w}×${c}`);
  model.dispose();
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('ONNX export of the OASIS layers', () => {
  const rng = new Rng(11);

  // PyTorch's padding, (k − 1)/2 on every side: odd and even sizes, strides 1 and 2, k 3 and 5, a 1-row input
  for (const [k, s, h, w] of [[3, 2, 7, 9], [3, 2, 8, 6], [5, 2, 7, 6], [3, 1, 5, 4], [5, 1, 5, 4], [3, 2, 1, 2]]) {
    it(`DepthwiseStride2 k${k} s${s} on ${h}×${w} → Conv with group = C`, async () => {
      await checkLayer(depthwiseStride2({ kernelSize: k, strides: s }), h, w, 5, rng);
    });
  }

  it('DepthwiseStride2 refuses an even kernel (no symmetric padding)', () => {
    expect(() => depthwiseStride2({ kernelSize: 4 })).toThrow(/kernel size 4 must be odd/);
  });

  // input offset by +2 so the group means are far from 0 (the mean subtraction matters)
  for (const [h, w, c, groups] of [[5, 7, 6, 3], [4, 6, 8, 8], [3, 1, 4, 1]]) {
    it(`GroupNormalization ${groups} groups on ${h}×${w}×${c}`, async () => {
      await checkLayer(groupNormalization({ groups }), h, w, c, rng, 1, 3);
    });
  }

  it('GroupNormalization with its SiLU (the U-Net\'s GroupNorm + SiLU pair) → … Add, Sigmoid, Mul', async () => {
    await checkLayer(groupNormalization({ groups: 4, activation: 'swish' }), 5, 6, 8, rng, -2, 2);
    const x = tfl.input({ shape: [4, 4, 8] });
    const model = tfl.model({ inputs: x, outputs: groupNormalization({ groups: 4, activation: 'swish', name: 'gn' }).apply(x) as tfl.SymbolicTensor });
    const ops = buildOnnxGraph(model).nodes.map((n) => n.opType);
    expect(ops.slice(ops.indexOf('Add'), ops.indexOf('Add') + 3)).toEqual(['Add', 'Sigmoid', 'Mul']);
    model.dispose();
  });

  it('GroupNormalization keeps a non-default ε (1e-1 on inputs of variance ~1e-2)', async () => {
    await checkLayer(groupNormalization({ groups: 2, epsilon: 0.1 }), 3, 5, 4, rng, -0.2, 0.2);
  });

  for (const [h, w] of [[5, 3], [4, 6], [1, 2], [2, 1]]) {
    it(`BilinearUpsample2x on ${h}×${w} → Resize half_pixel`, async () => {
      await checkLayer(bilinearUpsample2x(), h, w, 3, rng);
    });
  }

  // the U-Net's SiLU ('swish') and softplus head: ORT's Softplus must not overflow at large x
  for (const activation of ['swish', 'softplus']) {
    it(`${activation} matches at |x| up to 200`, async () => {
      const x = tfl.input({ shape: [1, 8, 1] });
      const model = tfl.model({ inputs: x, outputs: tfl.layers.activation({ activation: activation as 'swish' }).apply(x) as tfl.SymbolicTensor });
      const input = Float32Array.of(-200, -90, -20, -1e-3, 0, 1, 30, 200);
      const out = await runOnnx(model, input, [1, 1, 8, 1]);
      expect(out.data.every(Number.isFinite)).toBe(true);
      expectClose(out.data, predict(model, input, [1, 1, 8, 1]), 1e-6, activation);
      model.dispose();
    });
  }

  it('writes the expected ONNX ops', () => {
    const x = tfl.input({ shape: [6, 6, 8] });
    let y = depthwiseStride2({ name: 'dw' }).apply(x) as tfl.SymbolicTensor;
    y = groupNormalization({ groups: 4, name: 'gn' }).apply(y) as tfl.SymbolicTensor;
    y = bilinearUpsample2x({ name: 'up' }).apply(y) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: x, outputs: y });
    const graph = buildOnnxGraph(model);
    const conv = graph.nodes.find((n) => n.opType === 'Conv')!;
    expect(conv.attributes).toContainEqual({ name: 'group', kind: 'int', value: 8 });
    expect(conv.attributes).toContainEqual({ name: 'pads', kind: 'ints', value: [1, 1, 1, 1] });
    expect(graph.nodes.map((n) => n.opType)).toEqual(['Transpose', 'Conv', 'Reshape', 'InstanceNormalization', 'Reshape', 'Mul', 'Add', 'Resize', 'Transpose', 'Identity']);
    const resize = graph.nodes.find((n) => n.opType === 'Resize')!;
    expect(resize.attributes).toContainEqual({ name: 'coordinate_transformation_mode', kind: 'string', value: 'half_pixel' });
    model.dispose();
  });
});

describe('ONNX export of the OASIS U-Net (base 8)', () => {
  for (const [h, w] of [[32, 64], [40, 24]]) {
    it(`matches tfjs in ONNX Runtime at ${h}×${w}`, async () => {
      const rng = new Rng(h * 100 + w);
      const model = buildOasisUnet({ height: h, width: w, base: 8 });
      randomiseWeights(model, rng);
      const shape = [2, h, w, 1];
      const input = randomArray(rng, 2 * h * w, 0, 1);
      const expected = predict(model, input, shape);
      const out = await runOnnx(model, input, shape);
      expect(out.shape).toEqual([2, h, w, 2]);
      // the outputs are not trivially flat: softplus of O(1) values
      expect(Math.max(...expected) - Math.min(...expected)).toBeGreaterThan(0.1);
      expectClose(out.data, expected, 1e-4, `U-Net ${h}×${w}`);
      model.dispose();
    });
  }
});
