import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Rng } from '../../src/core/rng.js';
import { resolveTrainingConfig } from '../../src/config/training.js';
import { trainAutoencoder } from '../../src/training/train.js';
import { splitIndices } from '../../src/training/split.js';
import { loadModelWeights, saveModelWeights } from '../../src/training/checkpoint.js';
import { buildRoiAutoencoder } from '../../src/models/roi-autoencoder.js';
import { initializeWeights } from '../../src/training/init.js';

const W = 32;
const H = 32;

/** Pedestal-like maps: a fixed pattern + fresh noise, in normalised units around 0.5. */
function maps(n: number, seed: number): Float32Array[] {
  const pattern = new Rng(seed);
  const fixed = Float32Array.from({ length: W * H }, () => 0.5 + 0.02 * pattern.normal());
  return Array.from({ length: n }, (_, f) => {
    const rng = Rng.derive(seed, f);
    return fixed.map((v) => v + 0.01 * rng.normal());
  });
}

const small = { filters: [4, 4, 6, 6] as [number, number, number, number], batchSize: 2, reestimateBatchNorm: false };

async function weightsOf(model: { getWeights(): tf.Tensor[] }): Promise<Float32Array[]> {
  return Promise.all(model.getWeights().map(async (w) => (await w.data()) as Float32Array));
}

describe('autoencoder training', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('splits 10% for validation, deterministically', () => {
    const a = splitIndices(20, 0.1, 5);
    expect(a.val).toHaveLength(2);
    expect([...a.train, ...a.val].sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(splitIndices(20, 0.1, 5)).toEqual(a);
    expect(splitIndices(20, 0.1, 6)).not.toEqual(a);
  });

  it('loss falls over a short baseline training', async () => {
    const frames = maps(8, 1);
    const cfg = resolveTrainingConfig({ ...small, mode: 'baseline', epochs: 6, learningRate: 3e-3 });
    const { state, model } = await trainAutoencoder({ frames, width: W, height: H, config: cfg, seed: 3, outDir: mkdtempSync(join(tmpdir(), 'tpcv-train-')) });
    const h = state.history;
    expect(h).toHaveLength(6);
    expect(h[5].trainLoss).toBeLessThan(0.7 * h[0].trainLoss);
    model.dispose();
  });

  it('resume continues exactly: same weights as an uninterrupted run with the same seed', async () => {
    const frames = maps(6, 2);
    const cfg = resolveTrainingConfig({ ...small, mode: 'refined', epochs: 3 });
    const full = await trainAutoencoder({ frames, width: W, height: H, config: cfg, seed: 9, outDir: mkdtempSync(join(tmpdir(), 'tpcv-full-')) });
    const dir = mkdtempSync(join(tmpdir(), 'tpcv-resume-'));
    const first = await trainAutoencoder({ frames, width: W, height: H, config: cfg, seed: 9, outDir: dir, stopAfterEpoch: 0 });
    expect(first.state.epoch).toBe(0);
    first.model.dispose();
    const resumed = await trainAutoencoder({ frames, width: W, height: H, config: cfg, seed: 9, outDir: dir, resume: true });
    expect(resumed.state.history.map((r) => r.trainLoss)).toEqual(full.state.history.map((r) => r.trainLoss));
    const a = await weightsOf(full.model);
    const b = await weightsOf(resumed.model);
    expect(b.length).toBe(a.length);
    a.forEach((w, i) => expect(Buffer.from(b[i].buffer).equals(Buffer.from(w.buffer))).toBe(true));
    full.model.dispose();
    resumed.model.dispose();
  });

  it('weights survive a save/load round trip and give the same reconstruction', async () => {
    const model = buildRoiAutoencoder({ height: H, width: W, filters: small.filters });
    initializeWeights(model, new Rng(12)); // seeded: tfjs's initialisers are not
    // batch-norm γ, β and running statistics away from their initial 1, 0, 0, 1: a save that dropped
    // the non-trainable running statistics would show
    const bnRng = new Rng(14);
    for (const l of model.layers.filter((x) => x.getClassName() === 'BatchNormalization')) {
      l.setWeights(l.getWeights().map((w, j) => tf.tensor1d(Float32Array.from({ length: w.size }, () => (j === 0 || j === 3 ? bnRng.range(0.5, 2) : bnRng.range(-0.3, 0.3))))));
    }
    const dir = mkdtempSync(join(tmpdir(), 'tpcv-save-'));
    saveModelWeights(dir, model);
    const other = buildRoiAutoencoder({ height: H, width: W, filters: small.filters });
    initializeWeights(other, new Rng(13)); // different weights before loading: the load must overwrite them
    loadModelWeights(dir, other);
    const x = tf.tensor4d(maps(1, 4)[0], [1, H, W, 1]);
    const ya = (model.predict(x) as tf.Tensor).dataSync();
    const yb = (other.predict(x) as tf.Tensor).dataSync();
    expect(Array.from(yb)).toEqual(Array.from(ya));
    const wa = model.getWeights();
    other.getWeights().forEach((w, i) => expect(Array.from(w.dataSync())).toEqual(Array.from(wa[i].dataSync())));
    const wrong = buildRoiAutoencoder({ height: H, width: W, filters: [4, 4, 6, 8] });
    expect(() => loadModelWeights(dir, wrong)).toThrow(/shape/);
  });
});
