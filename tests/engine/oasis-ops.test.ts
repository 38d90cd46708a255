/**
 * The native custom ops of the OASIS U-Net and its loss against their tfjs-op formulations on tfjs's
 * reference cpu backend (relative error < 1e-4, forward and gradients), on seeded random shapes with
 * batch > 1, odd sizes and one case large enough for the OpenMP loops:
 * - GroupNormalization (linear and with SiLU), inputs far from zero mean included: y, dx, dγ, dβ;
 * - BilinearUpsample2x: y and dx, down to 1×1 maps;
 * - Concat on every axis (and rank 5), with its SplitV gradient;
 * - partialLoss / oasisLoss: value and d/dpred with a partly invalid mask and ties (tfjs: |u|' = −1 at 0).
 * Each comparison asserts (expectNative) that the kernels it is about ran natively, so that none
 * compares a tfjs-op composite or a cpu kernel with itself. Also: the group norm's SiLU is fused
 * (no Sigmoid kernel), and no tensor leaks.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Concat, SplitV } from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { NATIVE_BACKEND, registerNativeBackend } from '../../src/engine/index.js';
import { TPC_GROUP_NORM, TPC_GROUP_NORM_GRAD } from '../../src/engine/kernels/group-norm.js';
import { TPC_MASKED_TV_GRAD, TPC_MASKED_TV_SUM, TPC_WEIGHTED_ABS_GRAD, TPC_WEIGHTED_ABS_SUM } from '../../src/engine/kernels/oasis-loss.js';
import { TPC_UPSAMPLE2X, TPC_UPSAMPLE2X_GRAD } from '../../src/engine/kernels/upsample.js';
import { bilinearUpsample2x } from '../../src/models/bilinear-upsample.js';
import { groupNormalization, type GroupNormActivation } from '../../src/models/group-norm.js';
import { oasisLoss, partialLoss } from '../../src/overlap/loss.js';
import { expectClose, expectNative, randomArray } from './helpers.js';

type Shape4 = [number, number, number, number];
const size = (s: number[]) => s.reduce((p, d) => p * d, 1);

/**
 * fn on cpu and on the native backend; each returns named flat outputs, compared to 1e-4. On the
 * native backend each of `kernels` must run natively (expectNative).
 */
async function compareNative(kernels: string[], what: string, fn: () => Record<string, Float32Array>, tol = 1e-4): Promise<void> {
  const run = async (backend: string) => {
    await tf.setBackend(backend);
    return backend === NATIVE_BACKEND ? expectNative(kernels, fn) : fn();
  };
  const ref = await run('cpu');
  const nat = await run(NATIVE_BACKEND);
  for (const key of Object.keys(ref)) expectClose(nat[key], ref[key], tol, `${what} ${key}`);
}

/** y of a layer on x and the gradients of Σ y·r for x and the layer's weights. */
function layerGrads(layer: tfl.layers.Layer, xv: Float32Array, shape: Shape4, weights: Float32Array[], rv: Float32Array): Record<string, Float32Array> {
  layer.build(shape);
  if (weights.length > 0) layer.setWeights(weights.map((w) => tf.tensor1d(w)));
  const x = tf.variable(tf.tensor4d(xv, shape));
  const vars = [x, ...layer.trainableWeights.map((w) => w.read() as tf.Variable)];
  const out: Record<string, Float32Array> = {};
  const { value, grads } = tf.variableGrads(() => {
    const y = layer.apply(x) as tf.Tensor;
    out.y = y.dataSync() as Float32Array;
    return tf.sum(tf.mul(y, tf.tensor(rv, y.shape))) as tf.Scalar;
  }, vars);
  vars.forEach((v, i) => (out[`d${i === 0 ? 'x' : layer.trainableWeights[i - 1].originalName}`] = grads[v.name].dataSync() as Float32Array));
  tf.dispose([x, value, ...Object.values(grads)]);
  for (const v of layer.weights) v.dispose();
  return out;
}

beforeAll(() => registerNativeBackend());

describe('GroupNormalization custom op', () => {
  const cases: Array<[Shape4, number, number, number]> = [
    // shape, groups, mean, spread
    [[1, 5, 7, 6], 3, 0, 1],
    [[3, 9, 4, 8], 4, 0.5, 2],
    [[2, 6, 11, 16], 8, 3, 1], // off zero mean
    [[2, 3, 3, 4], 1, -1, 1], // one group
    [[2, 64, 64, 32], 8, 0, 3], // large enough for OpenMP
  ];
  for (const activation of ['linear', 'swish'] as GroupNormActivation[]) {
    for (const [shape, groups, mean, spread] of cases) {
      it(`${activation} ${JSON.stringify(shape)} ${groups} groups, mean ${mean}: y, dx, dγ, dβ match`, async () => {
        const rng = new Rng(size(shape) + groups);
        const c = shape[3];
        const xv = randomArray(rng, size(shape), mean - spread, mean + spread);
        const weights = [randomArray(rng, c, 0.5, 1.5), randomArray(rng, c, -0.5, 0.5)];
        const rv = randomArray(rng, size(shape));
        const eps = groups === 1 ? 0.1 : 1e-5;
        await compareNative([TPC_GROUP_NORM, TPC_GROUP_NORM_GRAD], `${activation} ${shape}`, () => layerGrads(groupNormalization({ groups, epsilon: eps, activation }), xv, shape, weights, rv));
      });
    }
  }

  // At mean 20, std 0.3 the tfjs path's float32 E[x²] − μ² loses ~4e-4 relative in y; the native
  // shifted double sums do not: both against a float64 computation.
  it('mean 20, std 0.3: the native y is within float32 rounding where the tfjs-op path is not', async () => {
    const shape: Shape4 = [2, 6, 11, 16];
    const [n, h, w, c] = shape;
    const g = 8;
    const rng = new Rng(20);
    const xv = randomArray(rng, size(shape), 19.5, 20.5);
    const gamma = randomArray(rng, c, 0.5, 1.5);
    const beta = randomArray(rng, c, -0.5, 0.5);
    // 1. float64 reference: per (sample, group) two-pass mean and biased variance
    const ref = new Float64Array(xv.length);
    const cg = c / g;
    for (let s = 0; s < n; s++) {
      for (let k = 0; k < g; k++) {
        const idx: number[] = [];
        for (let p = 0; p < h * w; p++) for (let j = k * cg; j < (k + 1) * cg; j++) idx.push((s * h * w + p) * c + j);
        const mu = idx.reduce((a, i) => a + xv[i], 0) / idx.length;
        const variance = idx.reduce((a, i) => a + (xv[i] - mu) ** 2, 0) / idx.length;
        for (const i of idx) ref[i] = ((xv[i] - mu) / Math.sqrt(variance + 1e-5)) * gamma[i % c] + beta[i % c];
      }
    }
    const y = async (backend: string) => {
      await tf.setBackend(backend);
      const layer = groupNormalization({ groups: g });
      layer.build(shape);
      layer.setWeights([tf.tensor1d(gamma), tf.tensor1d(beta)]);
      const out = tf.tidy(() => (layer.apply(tf.tensor4d(xv, shape)) as tf.Tensor).dataSync() as Float32Array);
      for (const v of layer.weights) v.dispose();
      return out;
    };
    expectClose(await y(NATIVE_BACKEND), ref, 1e-5, 'native'); // ~2e-6: the float32 rounding of x − μ itself
    expectClose(await y('cpu'), ref, 1e-2, 'tfjs ops'); // ~4e-4: why the native path shifts first
  });

  it('runs the native kernels, survives toJSON/fromJSON with its activation, leaks no tensor', async () => {
    await tf.setBackend(NATIVE_BACKEND);
    const layer = groupNormalization({ groups: 2, activation: 'swish' });
    expect(layer.getConfig().activation).toBe('swish');
    expect(() => groupNormalization({ activation: 'relu' as GroupNormActivation })).toThrow(/not one of linear, swish/);
    const x = tf.randomNormal([2, 8, 8, 4], 0, 1, 'float32', 3);
    layer.apply(x); // builds
    const before = tf.memory().numTensors;
    const info = await tf.profile(() =>
      expectNative([TPC_GROUP_NORM, TPC_GROUP_NORM_GRAD], () => {
        const { value, grads } = tf.variableGrads(() => tf.sum(layer.apply(x) as tf.Tensor) as tf.Scalar);
        tf.dispose([value, ...Object.values(grads)]);
      }),
    );
    expect(info.kernelNames).not.toContain('Sigmoid');
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    for (const v of layer.weights) v.dispose();
  });
});

describe('BilinearUpsample2x custom op', () => {
  for (const shape of [[2, 5, 3, 3], [1, 1, 1, 2], [3, 1, 2, 5], [2, 2, 1, 4], [1, 7, 6, 1], [2, 32, 64, 16]] as Shape4[]) {
    it(`${JSON.stringify(shape)}: y and dx match`, async () => {
      const rng = new Rng(size(shape));
      const xv = randomArray(rng, size(shape));
      const rv = randomArray(rng, 4 * size(shape));
      await compareNative([TPC_UPSAMPLE2X, TPC_UPSAMPLE2X_GRAD], `upsample ${shape}`, () => layerGrads(bilinearUpsample2x(), xv, shape, [], rv));
    });
  }
});

describe('Concat on any axis', () => {
  const cases: Array<[number[][], number]> = [
    [[[1, 40, 30, 8], [1, 40, 30, 8]], 0],
    [[[2, 1, 30, 20], [2, 16, 30, 20], [2, 1, 30, 20]], 1],
    [[[2, 9, 1, 33], [2, 9, 47, 33], [2, 9, 1, 33]], 2],
    [[[2, 18, 1, 17, 9], [2, 18, 1, 17, 9]], 2], // the 5-D interleave of upsample2Axis
    [[[3, 7, 5, 9], [3, 7, 5, 4]], 3],
    [[[4000], [97]], 0],
  ];
  for (const [shapes, axis] of cases) {
    it(`${JSON.stringify(shapes)} on axis ${axis}, and its gradient`, async () => {
      const rng = new Rng(axis + shapes.length);
      const vals = shapes.map((s) => randomArray(rng, size(s)));
      const outShape = [...shapes[0]];
      outShape[axis] = shapes.reduce((s, t) => s + t[axis], 0);
      const rv = randomArray(rng, size(outShape));
      await compareNative([Concat, SplitV], `concat axis ${axis}`, () => {
        const xs = vals.map((v, i) => tf.tensor(v, shapes[i]));
        const gs = tf.grads((...ts: tf.Tensor[]) => tf.sum(tf.mul(tf.concat(ts, axis), tf.tensor(rv, outShape))))(xs);
        const out: Record<string, Float32Array> = { y: tf.concat(xs, axis).dataSync() as Float32Array };
        gs.forEach((g, i) => (out[`d${i}`] = g.dataSync() as Float32Array));
        return out;
      });
    });
  }
});

describe('overlap-aware loss custom ops', () => {
  const cfg = { channelWeights: { er: 5, nr: 1 }, regWeight: 1, tvWeight: 0.01, regionWeights: { background: 1, erOnly: 3, nrOnly: 1, overlap: 6 } };
  for (const shape of [[2, 7, 9, 2], [1, 1, 5, 2], [3, 4, 1, 2], [2, 144, 256, 2]] as Shape4[]) {
    it(`${JSON.stringify(shape)}: loss terms and d/dpred match, ties included`, async () => {
      const rng = new Rng(size(shape) + 1);
      const [n, h, w] = shape;
      const px = n * h * w;
      // values on a coarse grid so that p = t and equal neighbours occur (zero subgradient)
      const grid = (k: number) => Float32Array.from(randomArray(rng, k, 0, 4), (v) => Math.floor(v) / 4);
      const pv = grid(size(shape));
      const tv = grid(size(shape));
      const valid = Float32Array.from({ length: px }, (_, i) => ((i % w) < w - 1 || w === 1 ? 1 : 0) * (rng.uniform() < 0.9 ? 1 : 0));
      const weight = Float32Array.from(valid, (v) => v * rng.range(0.2, 3));
      await compareNative([TPC_WEIGHTED_ABS_SUM, TPC_WEIGHTED_ABS_GRAD, TPC_MASKED_TV_SUM, TPC_MASKED_TV_GRAD], `loss ${shape}`, () => {
        const [p, t, v, wt] = [tf.variable(tf.tensor4d(pv, shape)), tf.tensor4d(tv, shape), tf.tensor4d(valid, [n, h, w, 1]), tf.tensor4d(weight, [n, h, w, 1])];
        const out: Record<string, Float32Array> = {};
        const { value, grads } = tf.variableGrads(() => partialLoss(p as tf.Tensor4D, t, v, wt, cfg, 1000, 1700), [p]);
        out.partial = value.dataSync() as Float32Array;
        out.dpartial = grads[p.name].dataSync() as Float32Array;
        const terms = oasisLoss(p as tf.Tensor4D, t, v, wt, cfg);
        out.reg = terms.reg.dataSync() as Float32Array;
        out.tv = terms.tv.dataSync() as Float32Array;
        const g2 = tf.variableGrads(() => oasisLoss(p as tf.Tensor4D, t, v, wt, { ...cfg, regWeight: 0 }).total, [p]);
        out.dtv = g2.grads[p.name].dataSync() as Float32Array;
        tf.dispose([p, t, v, wt, value, grads[p.name], terms.reg, terms.tv, terms.total, g2.value, g2.grads[p.name]]);
        return out;
      });
    });
  }
});
