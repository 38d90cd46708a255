/**
 * Naive reference for batch-norm re-estimation (training/batchnorm.ts): the running statistics a
 * re-estimation over `batches` must leave, computed from the activations themselves. Each BN
 * layer's input is read through a probe model with everything upstream in training mode (as during
 * the re-estimation), per channel the batch mean and the biased variance (tf.moments', which
 * tfjs-layers feeds to the running average) are taken in float64, and averaged over the batches
 * with equal weight per batch.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

/** Per BN layer (model order): [mean, variance] per channel. Runs upstream BNs in training mode: it moves their running statistics. */
export function naiveReestimatedStats(model: tfl.LayersModel, batches: Float32Array[], width: number, height: number): [Float64Array, Float64Array][] {
  const bns = model.layers.filter((l) => l.getClassName() === 'BatchNormalization');
  const probe = tfl.model({ inputs: model.inputs, outputs: bns.map((l) => l.input as tfl.SymbolicTensor) });
  const perBatch = batches.map((input) => {
    const x = tf.tensor4d(input, [input.length / (width * height), height, width, 1]);
    const acts = probe.apply(x, { training: true }) as tf.Tensor[];
    const out = acts.map((a) => {
      const c = a.shape[3]!;
      const d = a.dataSync();
      const count = d.length / c;
      const mean = new Float64Array(c);
      const variance = new Float64Array(c);
      for (let i = 0; i < d.length; i++) mean[i % c] += d[i] / count;
      for (let i = 0; i < d.length; i++) variance[i % c] += (d[i] - mean[i % c]) ** 2 / count;
      return [mean, variance] as const;
    });
    tf.dispose([x, ...acts]);
    return out;
  });
  return bns.map((_, l) => {
    const avg = (which: 0 | 1) => perBatch[0][l][which].map((_, ch) => perBatch.reduce((s, b) => s + b[l][which][ch], 0) / perBatch.length);
    return [avg(0), avg(1)];
  });
}

/** The stored running [mean, variance] of every BN layer, read before anything moves them. */
export function storedBatchNormStats(model: tfl.LayersModel): [Float64Array, Float64Array][] {
  return model.layers
    .filter((l) => l.getClassName() === 'BatchNormalization')
    .map((l) => {
      const w = l.getWeights(); // gamma, beta, moving mean, moving variance
      return [Float64Array.from(w[2].dataSync()), Float64Array.from(w[3].dataSync())];
    });
}
