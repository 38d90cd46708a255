/**
 * Seeded weight initialisation. tfjs initialisers draw from an unseeded generator, so a model is
 * re-initialised here from our Rng: zero biases and betas, unit gammas, batch-norm running statistics
 * at mean 0, variance 1 (as in Keras), and kernels from one of two schemes:
 * - 'glorot-uniform' (Keras' default, the autoencoder's): U(±√(6 / (fan_in + fan_out))).
 * - 'kaiming-normal' (the OASIS reference's nn.init.kaiming_normal_ with nonlinearity 'leaky_relu',
 *   a = 0, mode fan_in): N(0, 2 / fan_in), fan_in = receptive field × input channels per group, so a
 *   depthwise kernel [k, k, C, 1] has fan_in k·k (PyTorch's weight [C, 1, k, k]).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { Rng } from '../core/rng.js';

export type KernelInit = 'glorot-uniform' | 'kaiming-normal';

/** [fan_in, fan_out] of a dense [in, out] or conv [kh, kw, in, out] kernel; depthwise [kh, kw, C, 1] counts one input channel. */
export function kernelFans(name: string, shape: readonly number[]): [number, number] {
  if (shape.length === 2) return [shape[0], shape[1]];
  const field = shape.slice(0, -2).reduce((p, q) => p * q, 1);
  if (/depthwise_kernel/.test(name)) return [field, field * shape[shape.length - 1]];
  return [field * shape[shape.length - 2], field * shape[shape.length - 1]];
}

export function initializeWeights(model: LayersModel, rng: Rng, options: { kernels?: KernelInit } = {}): void {
  const scheme = options.kernels ?? 'glorot-uniform';
  const values = model.weights.map((w) => {
    const name = w.originalName;
    const shape = w.shape as number[];
    const size = shape.reduce((p, q) => p * q, 1);
    const data = new Float32Array(size);
    if (/kernel/.test(name)) {
      // the autoencoder's glorot fans count a depthwise kernel's C as inputs (Keras does); unchanged so its seeded models stay the same
      const [fanIn, fanOut] = scheme === 'kaiming-normal' ? kernelFans(name, shape) : kernelFans('', shape);
      if (scheme === 'kaiming-normal') {
        const std = Math.sqrt(2 / fanIn);
        for (let i = 0; i < size; i++) data[i] = rng.normal(0, std);
      } else {
        const limit = Math.sqrt(6 / (fanIn + fanOut));
        for (let i = 0; i < size; i++) data[i] = rng.range(-limit, limit);
      }
    } else if (/gamma|moving_variance/.test(name)) {
      data.fill(1);
    }
    return tf.tensor(data, shape, 'float32');
  });
  model.setWeights(values);
  values.forEach((t) => t.dispose());
}
