import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { resolveOasisConfig } from '../../src/config/oasis.js';
import { scheduledLearningRate, trainOasis } from '../../src/overlap/train.js';
import { loadOasisModel } from '../../src/overlap/model-dir.js';
import { tinySamples } from './fixtures.js';

const tmp = (p: string) => mkdtempSync(join(tmpdir(), p));
const weights = (m: { getWeights(): tf.Tensor[] }) => m.getWeights().map((w) => Buffer.from((w.dataSync() as Float32Array).buffer));

describe('oasis training', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('loss falls over a short training (16×32, base 8) and the model directory reloads', async () => {
    // the cpu backend's conv-filter gradient is element by element (~0.5 µs per MAC): one step of 2 per epoch
    const samples = tinySamples(3, 1); // 2 train + 1 validation
    const cfg = resolveOasisConfig('nominal', { training: { base: 8, batchSize: 2, epochs: 4, learningRate: 3e-3 } });
    const out = tmp('oasis-train-');
    const { state, model } = await trainOasis({ samples, config: cfg, preset: 'nominal', seed: 2, outDir: out });
    const h = state.history;
    expect(h).toHaveLength(4);
    expect(h[3].trainLoss).toBeLessThan(0.7 * h[0].trainLoss);
    expect(existsSync(join(out, 'oasis-model.json'))).toBe(true);
    const { model: back, meta } = loadOasisModel(out);
    expect(meta.bestEpoch).toBe(state.bestEpoch);
    const x = tf.randomUniform([1, 16, 32, 1], 0, 1, 'float32', 3);
    // the saved model is the best epoch's; the in-memory one was reloaded with the same weights
    expect(Array.from((back.predict(x) as tf.Tensor).dataSync())).toEqual(Array.from((model.predict(x) as tf.Tensor).dataSync()));
    model.dispose();
    back.dispose();
  });

  it('resume is bit-identical to the uninterrupted run on cpu', async () => {
    const samples = tinySamples(3, 4); // one step per epoch: epoch 2 uses the AdamW moments of epoch 1
    const cfg = resolveOasisConfig('overlap-only', { training: { base: 8, batchSize: 2, microBatch: 1, epochs: 2, learningRate: 1e-3 } }); // two accumulated micro-batches per step
    const full = await trainOasis({ samples, config: cfg, preset: 'overlap-only', seed: 5, outDir: tmp('oasis-full-') });
    const dir = tmp('oasis-resume-');
    const first = await trainOasis({ samples, config: cfg, preset: 'overlap-only', seed: 5, outDir: dir, stopAfterEpoch: 0 });
    expect(first.state.epoch).toBe(0);
    first.model.dispose();
    const resumed = await trainOasis({ samples, config: cfg, preset: 'overlap-only', seed: 5, outDir: dir, resume: true });
    expect(resumed.state.history.map((r) => r.trainLoss)).toEqual(full.state.history.map((r) => r.trainLoss));
    expect(resumed.state.history.map((r) => r.valLoss)).toEqual(full.state.history.map((r) => r.valLoss));
    const a = weights(full.model);
    const b = weights(resumed.model);
    expect(b.length).toBe(a.length);
    a.forEach((w, i) => expect(b[i].equals(w)).toBe(true));
    full.model.dispose();
    resumed.model.dispose();
  });

  it('windows: a 16×24 window on 32×48 frames, recorded in the model directory, resumed bit for bit', async () => {
    const samples = tinySamples(3, 9, 48, 32);
    const cfg = resolveOasisConfig('nominal', { training: { base: 8, batchSize: 2, epochs: 2, learningRate: 1e-3 }, window: { height: 16, width: 24 } });
    const full = await trainOasis({ samples, config: cfg, preset: 'nominal', seed: 3, outDir: tmp('oasis-win-full-') });
    expect(full.model.inputs[0].shape).toEqual([null, 16, 24, 1]);
    const dir = tmp('oasis-win-');
    (await trainOasis({ samples, config: cfg, preset: 'nominal', seed: 3, outDir: dir, stopAfterEpoch: 0 })).model.dispose();
    const resumed = await trainOasis({ samples, config: cfg, preset: 'nominal', seed: 3, outDir: dir, resume: true });
    expect(resumed.state.history.map((r) => [r.trainLoss, r.valLoss])).toEqual(full.state.history.map((r) => [r.trainLoss, r.valLoss]));
    const { model: back, meta } = loadOasisModel(dir, { height: 32, width: 48 });
    expect(meta).toMatchObject({ height: 16, width: 24, window: { height: 16, width: 24 }, frame: { height: 32, width: 48 } });
    expect(back.inputs[0].shape).toEqual([null, 16, 24, 1]); // a windowed model ignores the frame size it is offered
    // a different seed places different windows: the first epoch's loss differs
    const other = await trainOasis({ samples, config: cfg, preset: 'nominal', seed: 4, outDir: tmp('oasis-win-other-'), stopAfterEpoch: 0 });
    expect(other.state.history[0].trainLoss).not.toBe(full.state.history[0].trainLoss);
    [full.model, resumed.model, back, other.model].forEach((m) => m.dispose());
  });

  it('a checkpoint inside an epoch resumes bit for bit (cosine schedule with warm-up across the interruption)', async () => {
    const samples = tinySamples(7, 11, 48, 32); // 6 train → 3 steps per epoch of 2
    const cfg = resolveOasisConfig('nominal', {
      training: { base: 8, batchSize: 2, epochs: 2, learningRate: 1e-3, schedule: 'cosine', warmupSteps: 2, checkpointEverySteps: 2 },
      window: { height: 16, width: 24 },
    });
    const full = await trainOasis({ samples, config: cfg, preset: 'nominal', seed: 8, outDir: tmp('oasis-mid-full-') });
    const dir = tmp('oasis-mid-');
    const cut = await trainOasis({ samples, config: cfg, preset: 'nominal', seed: 8, outDir: dir, stopAfterSteps: 2 });
    expect(cut.state).toMatchObject({ epoch: -1, stepInEpoch: 2 }); // stopped inside the first epoch
    expect(existsSync(join(dir, 'oasis-model.json'))).toBe(false);
    cut.model.dispose();
    const resumed = await trainOasis({ samples, config: cfg, preset: 'nominal', seed: 8, outDir: dir, resume: true });
    expect(resumed.state.history.map((r) => [r.trainLoss, r.valLoss])).toEqual(full.state.history.map((r) => [r.trainLoss, r.valLoss]));
    const a = weights(full.model);
    const b = weights(resumed.model);
    a.forEach((w, i) => expect(b[i].equals(w)).toBe(true));
    // without the replayed window draws (or with a restarted epoch) the losses would differ: the run is not trivially identical
    const fresh = await trainOasis({ samples, config: { ...cfg, training: { ...cfg.training, schedule: 'constant' } }, preset: 'nominal', seed: 8, outDir: tmp('oasis-mid-const-') });
    expect(fresh.state.history[1].trainLoss).not.toBe(full.state.history[1].trainLoss);
    [full.model, resumed.model, fresh.model].forEach((m) => m.dispose());
  });

  it('cosine schedule: linear warm-up, lr at the peak, ½ at mid-run, → 0 at the end; constant is flat', () => {
    const t = resolveOasisConfig('nominal', { training: { learningRate: 1e-3, schedule: 'cosine', warmupSteps: 10 } }).training;
    expect(scheduledLearningRate(t, 0, 110)).toBeCloseTo(1e-4, 12);
    expect(scheduledLearningRate(t, 9, 110)).toBeCloseTo(1e-3, 12);
    expect(scheduledLearningRate(t, 10, 110)).toBeCloseTo(1e-3, 12);
    expect(scheduledLearningRate(t, 60, 110)).toBeCloseTo(5e-4, 12);
    expect(scheduledLearningRate(t, 110, 110)).toBeCloseTo(0, 12);
    for (let s = 10; s < 110; s++) expect(scheduledLearningRate(t, s + 1, 110)).toBeLessThan(scheduledLearningRate(t, s, 110));
    const c = resolveOasisConfig('nominal').training;
    expect([0, 500, 10_000].map((s) => scheduledLearningRate(c, s, 1000))).toEqual([2e-4, 2e-4, 2e-4]);
  });

  it('window null trains on whole frames and records window null', async () => {
    const samples = tinySamples(3, 9, 48, 32);
    const cfg = resolveOasisConfig('nominal', { training: { base: 8, batchSize: 2, epochs: 1 }, window: null });
    const dir = tmp('oasis-nowin-');
    const r = await trainOasis({ samples, config: cfg, preset: 'nominal', seed: 3, outDir: dir });
    expect(r.model.inputs[0].shape).toEqual([null, 32, 48, 1]);
    const { model, meta } = loadOasisModel(dir, { height: 16, width: 24 });
    expect(meta.window).toBeNull();
    expect(model.inputs[0].shape).toEqual([null, 16, 24, 1]); // whole-frame models run at any frame size
    r.model.dispose();
    model.dispose();
  });

  it('early stopping fires after `patience` epochs without improvement and keeps the best epoch', async () => {
    const samples = tinySamples(3, 7);
    // a learning rate this small leaves the validation loss flat at float precision → no improvement
    const cfg = resolveOasisConfig('unweighted', { training: { base: 8, batchSize: 2, epochs: 6, patience: 1, learningRate: 1e-12, weightDecay: 0 } });
    const { state, model } = await trainOasis({ samples, config: cfg, preset: 'unweighted', seed: 1, outDir: tmp('oasis-stop-') });
    expect(state.stopped).toBe(true);
    expect(state.history.length).toBeLessThan(6);
    expect(state.history.length - 1 - state.bestEpoch).toBe(1);
    model.dispose();
  });
});
