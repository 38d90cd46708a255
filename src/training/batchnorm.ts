/**
 * Re-estimation of batch-norm running statistics after training ("precise BN"): with Keras'
 * momentum 0.99 the running mean and variance lag far behind the weights after a short training,
 * and eval-mode reconstructions then copy the input noise (lesson (b) of the autoencoder issue).
 * Forward passes in training mode with momentum k/(k+1) at batch k make each running statistic the
 * plain average of the per-batch statistics over the whole training set.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';

interface MomentumLayer {
  momentum: number;
}

export function reestimateBatchNorm(model: LayersModel, batches: Float32Array[], width: number, height: number): void {
  const bnLayers = model.layers.filter((l) => l.getClassName() === 'BatchNormalization') as unknown as MomentumLayer[];
  if (bnLayers.length === 0 || batches.length === 0) return;
  const saved = bnLayers.map((l) => l.momentum);
  try {
    batches.forEach((input, k) => {
      // the layer's momentum field is read at every call; tfjs has no public setter for it
      for (const l of bnLayers) l.momentum = k / (k + 1);
      const n = input.length / (width * height);
      tf.tidy(() => {
        model.apply(tf.tensor4d(input, [n, height, width, 1]), { training: true });
      });
    });
  } finally {
    bnLayers.forEach((l, i) => (l.momentum = saved[i]));
  }
}
