/**
 * The lean batch-norm / Mean / Sum gradients give the same values as tfjs's own (cpu backend,
 * training-mode batch norm as tfjs-layers computes it: moments, then batchNorm).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-layers';
import { describe, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { installLeanGradients, uninstallLeanGradients } from '../../src/engine/lean-gradients.js';
import { expectClose, randomArray } from './helpers.js';

describe('lean gradients', () => {
  it('match tfjs originals for batch norm in training mode, mean and sum', async () => {
    await tf.setBackend('cpu');
    const rng = new Rng(11);
    const shape: [number, number, number, number] = [2, 7, 9, 5];
    const xv = randomArray(rng, 2 * 7 * 9 * 5);
    const wv = randomArray(rng, 2 * 7 * 9 * 5);
    const gv = randomArray(rng, 5, 0.5, 1.5);
    const bv = randomArray(rng, 5);
    const f = (x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) => {
      const { mean, variance } = tf.moments(x, [0, 1, 2]);
      const y = tf.batchNorm4d(x as tf.Tensor4D, mean as tf.Tensor1D, variance as tf.Tensor1D, beta as tf.Tensor1D, gamma as tf.Tensor1D, 1e-3);
      return tf.add(tf.sum(tf.mul(y, tf.tensor4d(wv, shape))), tf.sum(tf.mean(tf.square(x), [1, 2])));
    };
    const run = () =>
      tf.tidy(() => tf.grads(f as (...a: tf.Tensor[]) => tf.Tensor)([tf.tensor4d(xv, shape), tf.tensor1d(gv), tf.tensor1d(bv)]).map((t) => t.dataSync() as Float32Array));
    installLeanGradients();
    const lean = run();
    uninstallLeanGradients();
    const original = run();
    installLeanGradients();
    lean.forEach((g, i) => expectClose(g, original[i], 1e-5, `grad ${i}`));
  });
});
