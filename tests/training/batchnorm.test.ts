/**
 * Batch-norm re-estimation (training/batchnorm.ts) on the reference cpu backend: a seeded tiny ROI
 * autoencoder (32×16, filters 3–5), three batches of different sizes and content, against the naive
 * average of per-batch moments (reference.ts). (tests/training/train-run.test.ts checks the same on the
 * statistics a whole training run stores, on the backend the trainer selects.)
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { buildRoiAutoencoder } from '../../src/models/roi-autoencoder.js';
import { reestimateBatchNorm } from '../../src/training/batchnorm.js';
import { initializeWeights } from '../../src/training/init.js';
import { expectClose } from '../helpers/close.js';
import { naiveReestimatedStats, storedBatchNormStats } from './reference.js';

const W = 32;
const H = 16;

/** Batches of 3, 1 and 2 frames; each batch at its own brightness so the per-batch moments differ. */
function batches(): Float32Array[] {
  return [3, 1, 2].map((n, b) => {
    const rng = Rng.derive(8, b);
    return Float32Array.from({ length: n * W * H }, () => 0.2 + 0.3 * b + 0.1 * rng.normal());
  });
}

describe('reestimateBatchNorm', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('leaves every running mean and variance at the equal-weight average of the per-batch moments, momentum restored', () => {
    const model = buildRoiAutoencoder({ height: H, width: W, filters: [3, 4, 4, 5] });
    initializeWeights(model, new Rng(3)); // seeded: tfjs's initialisers are not
    const data = batches();
    reestimateBatchNorm(model, data, W, H);
    const stored = storedBatchNormStats(model);
    const naive = naiveReestimatedStats(model, data, W, H);
    expect(stored).toHaveLength(17);
    // float32 running averages against float64 sums: 1e-5 relative
    stored.forEach((pair, l) => pair.forEach((v, which) => expectClose(v, naive[l][which], 1e-6, 1e-5)));
    // the last batch alone (what a momentum-0 update would leave) is far from the average
    const lastOnly = naiveReestimatedStats(model, [data[2]], W, H);
    expect(Math.abs(stored[0][0][0] - lastOnly[0][0][0])).toBeGreaterThan(1e-2);
    for (const l of model.layers.filter((x) => x.getClassName() === 'BatchNormalization')) expect((l as unknown as { momentum: number }).momentum).toBe(0.99);
    model.dispose();
  });
});
