/**
 * The fused batch-norm training path (src/engine/batch-norm-training.ts) on the native backend
 * against tfjs-layers' original BatchNormalization.call on tfjs's reference cpu backend: output,
 * dx, dgamma, dbeta (relative error < 1e-4) and the moving statistics after a training call, on
 * seeded random shapes with batch > 1, odd sizes, an input far from zero mean, and one large enough
 * for the OpenMP loops. Also: the fused path really runs (expectNative: its kernels dispatched and
 * calling the addon), inference does not take it, and no tensor leaks. A ReLU layer after it (fused into TpcBatchNormReluGrad)
 * is checked the same way, alone and with the batch norm's output also used by a second term.
 */
import * as tf from '@tensorflow/tfjs-core';
import { FusedBatchNorm } from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { NATIVE_BACKEND, registerNativeBackend } from '../../src/engine/index.js';
import { TPC_BATCH_NORM_GRAD, TPC_BATCH_NORM_RELU_GRAD, TPC_BATCH_NORM_STATS } from '../../src/engine/kernels/batch-norm-train.js';
import { NATIVE_MIN_ELEMENTS } from '../../src/engine/kernels/util.js';
import { expectClose, expectNative, randomArray } from './helpers.js';

type Shape4 = [number, number, number, number];

interface Case {
  shape: Shape4;
  x: Float32Array;
  dyWeights: Float32Array;
  weights: Float32Array[]; // gamma, beta, moving mean, moving variance
}

function makeCase(seed: number, shape: Shape4, offset: number, spread: number): Case {
  const rng = new Rng(seed);
  const n = shape.reduce((p, d) => p * d, 1);
  const c = shape[3];
  const x = randomArray(rng, n, offset - spread, offset + spread);
  return {
    shape,
    x,
    dyWeights: randomArray(rng, n),
    weights: [randomArray(rng, c, 0.5, 1.5), randomArray(rng, c), randomArray(rng, c), randomArray(rng, c, 0.5, 2)],
  };
}

/** A BatchNormalization layer with the case's weights, x as a variable, the dy weights w, gamma and beta. */
function freshLayer(k: Case) {
  const layer = tfl.layers.batchNormalization({ momentum: 0.99, epsilon: 1e-3 });
  layer.build(k.shape);
  layer.setWeights(k.weights.map((w) => tf.tensor1d(w)));
  return {
    layer,
    x: tf.variable(tf.tensor4d(k.x, k.shape)),
    w: tf.tensor4d(k.dyWeights, k.shape),
    gamma: layer.trainableWeights[0].read() as tf.Variable,
    beta: layer.trainableWeights[1].read() as tf.Variable,
  };
}

/** One training call of a fresh layer on `backend`: y, the gradients of Σ y·w, the moving stats after. */
async function trainingCall(backend: string, k: Case) {
  await tf.setBackend(backend);
  const { layer, x, w, gamma, beta } = freshLayer(k);
  let y: Float32Array = new Float32Array(0);
  const step = () =>
    tf.variableGrads(() => {
      const out = layer.apply(x, { training: true }) as tf.Tensor;
      y = out.dataSync() as Float32Array;
      return tf.sum(tf.mul(out, w)) as tf.Scalar;
    }, [x, gamma, beta]);
  // on the native backend the fused path must really run (not tfjs-layers' moments + batchNorm);
  // FusedBatchNorm hands outputs below NATIVE_MIN_ELEMENTS to the cpu kernel
  const fused = [TPC_BATCH_NORM_STATS, TPC_BATCH_NORM_GRAD];
  const native = k.x.length >= NATIVE_MIN_ELEMENTS ? [...fused, FusedBatchNorm] : fused;
  const { value, grads } = backend === NATIVE_BACKEND ? expectNative(native, step) : step();
  const moving = layer.getWeights().slice(2).map((t) => t.dataSync() as Float32Array);
  const result = {
    y,
    dx: grads[x.name].dataSync() as Float32Array,
    dgamma: grads[gamma.name].dataSync() as Float32Array,
    dbeta: grads[beta.name].dataSync() as Float32Array,
    movingMean: moving[0],
    movingVariance: moving[1],
  };
  tf.dispose([x, w, value, ...Object.values(grads)]);
  for (const v of layer.weights) v.dispose();
  return result;
}

/**
 * Gradients of Σ relu(bn(x))·w (+ Σ bn(x)·w², `alsoRaw`: the batch-norm output has a second
 * consumer) with fresh BatchNormalization and ReLU layers on `backend`; also the kernel names.
 */
async function reluCall(backend: string, k: Case, alsoRaw: boolean) {
  await tf.setBackend(backend);
  const { layer: bn, x, w, gamma, beta } = freshLayer(k);
  const relu = tfl.layers.reLU();
  let y: Float32Array = new Float32Array(0);
  let grads: Record<string, tf.Tensor> = {};
  const before = tf.memory().numTensors;
  const step = () => {
    const r = tf.variableGrads(() => {
      const z = bn.apply(x, { training: true }) as tf.Tensor;
      const out = relu.apply(z) as tf.Tensor;
      y = out.dataSync() as Float32Array;
      const loss = tf.sum(tf.mul(out, w));
      return (alsoRaw ? tf.add(loss, tf.sum(tf.mul(z, tf.square(w)))) : loss) as tf.Scalar;
    }, [x, gamma, beta]);
    r.value.dispose();
    grads = r.grads;
  };
  // the batch norm's own gradient runs only when its output has another consumer
  const native = () => expectNative(alsoRaw ? [TPC_BATCH_NORM_STATS, TPC_BATCH_NORM_RELU_GRAD, TPC_BATCH_NORM_GRAD] : [TPC_BATCH_NORM_STATS, TPC_BATCH_NORM_RELU_GRAD], step);
  const profile = await tf.profile(backend === NATIVE_BACKEND ? native : step);
  const result = {
    y,
    dx: grads[x.name].dataSync() as Float32Array,
    dgamma: grads[gamma.name].dataSync() as Float32Array,
    dbeta: grads[beta.name].dataSync() as Float32Array,
    kernels: profile.kernelNames,
  };
  tf.dispose(Object.values(grads));
  const leaked = tf.memory().numTensors - before;
  tf.dispose([x, w]);
  for (const v of bn.weights) v.dispose();
  return { ...result, leaked };
}

describe('fused batch-norm training', () => {
  beforeAll(() => registerNativeBackend());

  const cases: Array<[string, Case]> = [
    ['batch 1, odd sizes', makeCase(1, [1, 5, 7, 3], 0, 1)],
    ['batch 3, odd sizes', makeCase(2, [3, 9, 11, 6], 0.3, 2)],
    ['mean far from zero (mean 20, std ~0.3)', makeCase(3, [2, 13, 6, 5], 20, 0.5)],
    ['large enough for OpenMP', makeCase(4, [2, 64, 64, 40], -1, 3)],
  ];

  for (const [name, k] of cases) {
    it(`matches tfjs-layers on cpu: ${name}`, async () => {
      const ref = await trainingCall('cpu', k);
      const nat = await trainingCall(NATIVE_BACKEND, k);
      expectClose(nat.y, ref.y, 1e-4, 'y');
      expectClose(nat.dx, ref.dx, 1e-4, 'dx');
      expectClose(nat.dgamma, ref.dgamma, 1e-4, 'dgamma');
      expectClose(nat.dbeta, ref.dbeta, 1e-4, 'dbeta');
      // Same update expression on the same variables; the batch statistics differ only by rounding.
      expectClose(nat.movingMean, ref.movingMean, 1e-6, 'moving mean');
      expectClose(nat.movingVariance, ref.movingVariance, 1e-6, 'moving variance');
    });
  }

  it('runs the fused kernels in training only, and leaks no tensor', async () => {
    await tf.setBackend(NATIVE_BACKEND);
    const k = makeCase(5, [2, 8, 8, 16], 0, 1); // 2048 values: FusedBatchNorm's native path
    const layer = tfl.layers.batchNormalization({});
    layer.build(k.shape);
    const x = tf.tensor4d(k.x, k.shape);
    const before = tf.memory().numTensors;
    const kernels = async (training: boolean) => {
      const info = await tf.profile(() =>
        expectNative(training ? [TPC_BATCH_NORM_STATS, TPC_BATCH_NORM_GRAD] : [FusedBatchNorm], () => {
          const { value, grads } = tf.variableGrads(() => tf.sum(layer.apply(x, { training }) as tf.Tensor) as tf.Scalar);
          tf.dispose([value, ...Object.values(grads)]);
        }),
      );
      return info.kernelNames;
    };
    const train = await kernels(true);
    expect(train).not.toContain('Mean');
    expect(tf.memory().numTensors).toBe(before);
    const infer = await kernels(false);
    expect(infer).not.toContain(TPC_BATCH_NORM_STATS);
    x.dispose();
    for (const v of layer.weights) v.dispose();
  });

  const reluCases: Array<[string, Case]> = [
    ['batch 3, odd sizes', makeCase(6, [3, 9, 11, 6], 0.3, 2)],
    ['mean far from zero', makeCase(7, [2, 13, 6, 5], 20, 0.5)],
    ['large enough for OpenMP', makeCase(8, [2, 64, 64, 40], -1, 3)],
  ];
  for (const [name, k] of reluCases) {
    for (const alsoRaw of [false, true]) {
      it(`ReLU after it matches tfjs-layers on cpu: ${name}${alsoRaw ? ', batch-norm output also used directly' : ''}`, async () => {
        const ref = await reluCall('cpu', k, alsoRaw);
        const nat = await reluCall(NATIVE_BACKEND, k, alsoRaw);
        expectClose(nat.y, ref.y, 1e-4, 'y');
        expectClose(nat.dx, ref.dx, 1e-4, 'dx');
        expectClose(nat.dgamma, ref.dgamma, 1e-4, 'dgamma');
        expectClose(nat.dbeta, ref.dbeta, 1e-4, 'dbeta');
        // ran natively: stats, relu grad, and the batch norm's own gradient when alsoRaw (reluCall)
        expect(nat.kernels).not.toContain('TpcReluGrad');
        expect(nat.kernels.includes(TPC_BATCH_NORM_GRAD)).toBe(alsoRaw);
        expect(nat.leaked).toBe(0);
      });
    }
  }
});
