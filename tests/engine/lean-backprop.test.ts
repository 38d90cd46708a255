/**
 * The lean backward loop (src/engine/lean-backprop.ts) against tfjs's own Engine.gradients: the
 * same gradients bit for bit (same kernels, same accumulation order), no tensor left behind, the
 * caller's tensors untouched, intermediate gradients freed during the pass, customGrad ops intact.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { NATIVE_BACKEND, registerNativeBackend } from '../../src/engine/index.js';
import { installLeanBackprop, uninstallLeanBackprop } from '../../src/engine/lean-backprop.js';
import { buildOasisUnet } from '../../src/models/oasis-unet.js';
import { buildRoiAutoencoder } from '../../src/models/roi-autoencoder.js';
import { initializeWeights } from '../../src/training/init.js';
import { randomArray } from './helpers.js';

/** Runs fn with tfjs's original gradients() and then with the lean one. */
function bothLoops<T>(fn: () => T): { tfjs: T; lean: T } {
  uninstallLeanBackprop();
  let tfjs: T;
  try {
    tfjs = fn();
  } finally {
    installLeanBackprop();
  }
  return { tfjs, lean: fn() };
}

/** The values of the gradient `compute` returns; checks that nothing else is left allocated. */
function leakFreeValues(compute: () => tf.Tensor): number[] {
  const before = tf.memory().numTensors;
  const g = compute();
  const values = Array.from(g.dataSync());
  g.dispose();
  expect(tf.memory().numTensors).toBe(before);
  return values;
}

/** Loss and every trainable weight's gradient of an MSE reconstruction step, as plain arrays. */
function modelGrads(model: tfl.LayersModel, x: Float32Array, shape: [number, number, number, number]) {
  const input = tf.tensor4d(x, shape);
  const { value, grads } = tf.variableGrads(() => {
    const y = model.apply(input, { training: true }) as tf.Tensor;
    return tf.mean(tf.squaredDifference(y, input)) as tf.Scalar;
  });
  const out = {
    loss: value.dataSync()[0],
    grads: Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, Array.from(g.dataSync())])),
  };
  tf.dispose([input, value, ...Object.values(grads)]);
  return out;
}

describe('lean backward loop', () => {
  beforeAll(async () => {
    registerNativeBackend();
    await tf.setBackend(NATIVE_BACKEND);
  });
  afterAll(() => installLeanBackprop());

  it('is installed with the native backend', () => {
    uninstallLeanBackprop();
    const tfjsGradients = (tf.engine() as unknown as { gradients: unknown }).gradients;
    installLeanBackprop();
    expect((tf.engine() as unknown as { gradients: unknown }).gradients).not.toBe(tfjsGradients);
  });

  it('gives the ROI autoencoder (32×32, batch 2) exactly tfjs\'s gradients', () => {
    const model = buildRoiAutoencoder({ height: 32, width: 32, filters: [4, 6, 8, 10] });
    initializeWeights(model, new Rng(21)); // seeded: tfjs's initialisers are not
    const x = randomArray(new Rng(11), 2 * 32 * 32, 0, 1);
    const { tfjs, lean } = bothLoops(() => modelGrads(model, x, [2, 32, 32, 1]));
    expect(lean.loss).toBe(tfjs.loss);
    expect(Object.keys(lean.grads)).toEqual(Object.keys(tfjs.grads));
    expect(Object.keys(tfjs.grads).length).toBe(model.trainableWeights.length);
    for (const name of Object.keys(tfjs.grads)) expect(lean.grads[name], name).toEqual(tfjs.grads[name]);
    model.dispose();
  });

  it('gives the OASIS U-Net (base 8, 32×32, batch 2) exactly tfjs\'s gradients', () => {
    const model = buildOasisUnet({ height: 32, width: 32, base: 8 });
    initializeWeights(model, new Rng(22)); // seeded: tfjs's initialisers are not
    const channels = (model.inputs[0].shape[3] ?? 1) as number;
    const x = randomArray(new Rng(12), 2 * 32 * 32 * channels, 0, 1);
    const { tfjs, lean } = bothLoops(() => {
      const input = tf.tensor4d(x, [2, 32, 32, channels]);
      const { value, grads } = tf.variableGrads(() => {
        const y = model.apply(input, { training: true }) as tf.Tensor;
        return tf.mean(tf.square(y)) as tf.Scalar;
      });
      const out = Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, Array.from(g.dataSync())]));
      tf.dispose([input, value, ...Object.values(grads)]);
      return out;
    });
    expect(Object.keys(tfjs).length).toBe(model.trainableWeights.length);
    for (const name of Object.keys(tfjs)) expect(lean[name], name).toEqual(tfjs[name]);
    model.dispose();
  });

  it('leaves no tensor behind after an optimizer step', () => {
    const model = buildRoiAutoencoder({ height: 32, width: 32, filters: [4, 6, 8, 10] });
    initializeWeights(model, new Rng(23)); // seeded: tfjs's initialisers are not
    const input = tf.tensor4d(randomArray(new Rng(13), 2 * 32 * 32, 0, 1), [2, 32, 32, 1]);
    const optimizer = tf.train.adam(1e-3);
    const step = () => tf.dispose(optimizer.minimize(() => {
      const y = model.apply(input, { training: true }) as tf.Tensor;
      return tf.mean(tf.squaredDifference(y, input)) as tf.Scalar;
    }, true) ?? []);
    step(); // creates Adam's slots
    const before = tf.memory().numTensors;
    step();
    step();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(input);
    optimizer.dispose();
    model.dispose();
  });

  it('handles a tensor with two consumers and data saved by several nodes', () => {
    // t = v·w is consumed by mul(t, t) (saves t twice) and square(t) (saves t once); u = t·t + t².
    // y = Σ u·dy with a caller's dy:  dy/dv = Σ 4·t·w·dy, here v = [1, 2], w = [3, −1], dy = [1, 2]:
    // t = [3, −2], dv = [4·3·3·1, 4·(−2)·(−1)·2] = [36, 16].
    const v = tf.variable(tf.tensor1d([1, 2]));
    const w = tf.tensor1d([3, -1]);
    const dy = tf.tensor1d([1, 2]);
    const { tfjs, lean } = bothLoops(() => leakFreeValues(() => tf.grads((a: tf.Tensor) => {
      const t = tf.mul(a, w);
      return tf.add(tf.mul(t, t), tf.square(t));
    })([v], dy)[0]));
    expect(lean).toEqual(tfjs);
    expect(lean).toEqual([36, 16]);
    // The caller's tensors are untouched.
    expect(Array.from(w.dataSync())).toEqual([3, -1]);
    expect(Array.from(dy.dataSync())).toEqual([1, 2]);
    tf.dispose([v, w, dy]);
  });

  it('keeps customGrad ops working, including a gradient that is its dy or its saved input', () => {
    // passDy: gradient dy (the same tensor object); viaSaved: gradient dy·x with x saved.
    const passDy = tf.customGrad(((x: tf.Tensor) => ({ value: tf.mul(x, 2), gradFunc: (g: tf.Tensor) => g })) as never);
    const viaSaved = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
      save([x]);
      return { value: tf.mul(x, x), gradFunc: (g: tf.Tensor, saved: tf.Tensor[]) => tf.mul(g, saved[0]) };
    }) as never);
    const x = tf.tensor1d([1, -2, 3]);
    // y = Σ viaSaved(passDy(x)) + Σ passDy(x):  dy/dx = z + 1 with z = 2x.
    const { tfjs, lean } = bothLoops(() => leakFreeValues(() => tf.grad((a: tf.Tensor) => {
      const z = (passDy as (t: tf.Tensor) => tf.Tensor)(a);
      return tf.add(tf.sum((viaSaved as (t: tf.Tensor) => tf.Tensor)(z)), tf.sum(z));
    })(x)));
    expect(lean).toEqual(tfjs);
    expect(lean).toEqual([3, -3, 7]);
    x.dispose();
  });

  it('frees intermediate gradients and saved tensors during the pass', () => {
    // A chain of 12 ReLUs on 64K elements; a customGrad identity at the bottom reads the engine's
    // byte count when its gradient runs, i.e. at the end of the backward pass. tfjs still holds
    // all 12 intermediate gradients (3 MB) and saved outputs; the lean loop about two of each.
    const n = 1 << 16;
    let bytesAtEnd = 0;
    const spy = tf.customGrad(((x: tf.Tensor) => ({
      value: tf.mul(x, 1),
      gradFunc: (g: tf.Tensor) => {
        bytesAtEnd = tf.memory().numBytes;
        return tf.mul(g, 1);
      },
    })) as never) as (t: tf.Tensor) => tf.Tensor;
    const x = tf.variable(tf.tensor1d(randomArray(new Rng(14), n)));
    const run = () => {
      const { value, grads } = tf.variableGrads(() => {
        let h = spy(x);
        for (let i = 0; i < 12; i++) h = tf.relu(tf.add(h, 0.01));
        return tf.sum(h) as tf.Scalar;
      }, [x]);
      const g = Array.from(grads[x.name].dataSync());
      tf.dispose([value, grads[x.name]]);
      return { g, bytes: bytesAtEnd };
    };
    const { tfjs, lean } = bothLoops(run);
    expect(lean.g).toEqual(tfjs.g);
    expect(tfjs.bytes).toBeGreaterThan(lean.bytes + 20 * 4 * n);
    expect(lean.bytes).toBeLessThan(x.size * 4 + 8 * 4 * n);
    x.dispose();
  });
});
