/**
 * Seeded weight initialisation. tfjs initialisers draw from an unseeded generator, so a model is
 * re-initialised here from our Rng: Glorot-uniform kernels (Keras' default), zero biases and betas,
 * unit gammas; batch-norm running statistics start at mean 0, variance 1, as in Keras.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { Rng } from '../core/rng.js';

function fans(shape: number[]): [number, number] {
  if (shape.length === 2) return [shape[0], shape[1]];
  // conv kernels [kh, kw, a, b]: receptive field × channels (Glorot is symmetric in a/b)
  const field = shape.slice(0, -2).reduce((p, q) => p * q, 1);
  return [field * shape[shape.length - 2], field * shape[shape.length - 1]];
}

export function initializeWeights(model: LayersModel, rng: Rng): void {
  const values = model.weights.map((w) => {
    const name = w.originalName;
    const size = w.shape.reduce((p: number, q) => p * (q ?? 1), 1);
    const data = new Float32Array(size);
    if (/kernel/.test(name)) {
      const [fanIn, fanOut] = fans(w.shape as number[]);
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      for (let i = 0; i < size; i++) data[i] = rng.range(-limit, limit);
    } else if (/gamma|moving_variance/.test(name)) {
      data.fill(1);
    }
    return tf.tensor(data, w.shape as number[], 'float32');
  });
  model.setWeights(values);
  values.forEach((t) => t.dispose());
}
