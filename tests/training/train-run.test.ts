/**
 * The learned score path end to end, on a tiny model: trainModelFromFrames (preprocess with frozen
 * statistics, seeded training, batch-norm re-estimation, ONNX export, model directory) → the model
 * directory reloads with the weights an identical training run holds → its batch-norm running
 * statistics are the plain average of the per-batch statistics over the training batches (computed
 * here naively from the activations) → scores/autoencoder.ts (ONNX Runtime) gives |x − x̂| with x̂
 * the tfjs model's reconstruction, frame by frame and batched.
 *
 * Grid 48×32 (W×H, non-square), filters 4–6, 6 pedestal frames (5 train in batches of 2, 2, 1 and 1
 * validates), 2 epochs. Weights come from training/init.ts's seeded Rng, never tfjs's initialisers.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { geometryForSize, preprocessSchema } from '../../src/config/pipeline.js';
import { resolveTrainingConfig } from '../../src/config/training.js';
import { computePedestalStats, type PedestalStats } from '../../src/preprocessing/pedestal-stats.js';
import { preprocessFrame } from '../../src/preprocessing/preprocess.js';
import { autoencoderScore } from '../../src/scores/autoencoder.js';
import { loadModelDir, readModelInfo } from '../../src/training/model-dir.js';
import { trainModelFromFrames } from '../../src/training/train-run.js';
import { trainAutoencoder } from '../../src/training/train.js';
import { splitIndices } from '../../src/training/split.js';
import { expectClose } from '../helpers/close.js';
import { noiseFrames, sequenceOf } from '../helpers/synthetic.js';
import { naiveReestimatedStats, storedBatchNormStats } from './reference.js';

const W = 48;
const H = 32;
const SEED = 17;
const training = resolveTrainingConfig({ mode: 'baseline', epochs: 2, batchSize: 2, learningRate: 3e-3, filters: [4, 4, 6, 6], reestimateBatchNorm: true });
const frames = noiseFrames(6, 96, 41, { rowOffset: 2 });
const dirs: string[] = [];
const tempDir = (p: string) => {
  const d = mkdtempSync(join(tmpdir(), p));
  dirs.push(d);
  return d;
};
let stats: PedestalStats;
let modelDir: string;

/** Scored maps: noise around 0.5 with a bright 5×3 blob at a different place and level in each. */
function scoredMaps(n: number): Float32Array[] {
  return Array.from({ length: n }, (_, k) => {
    const rng = Rng.derive(5, k);
    const m = Float32Array.from({ length: W * H }, () => 0.5 + 0.05 * rng.normal());
    for (let dy = 0; dy < 3; dy++) for (let dx = 0; dx < 5; dx++) m[(4 + 7 * k + dy) * W + 3 + 11 * k + dx] = 0.7 + 0.1 * k;
    return m;
  });
}

beforeAll(async () => {
  stats = await computePedestalStats(sequenceOf(frames), preprocessSchema.parse({ ...geometryForSize(96), analysisWidth: W, analysisHeight: H }));
  modelDir = tempDir('tpcv-train-run-');
  await trainModelFromFrames({ frames: sequenceOf(frames), stats, training, seed: SEED, outDir: modelDir });
}, 60_000);
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('trainModelFromFrames → model directory', () => {
  it('writes config.json, weights, stats/, history.json and model.onnx with the run\'s provenance', () => {
    const info = readModelInfo(modelDir);
    expect(info).toMatchObject({ kind: 'tpcvision-roi-autoencoder', mode: 'baseline', seed: SEED, width: W, height: H, epochsCompleted: 2, onnx: 'model.onnx' });
    expect(info.training).toEqual(training);
    for (const f of ['model.onnx', 'history.json', 'stats']) expect(existsSync(join(modelDir, f))).toBe(true);
    expect(JSON.parse(readFileSync(join(modelDir, 'history.json'), 'utf8'))).toHaveLength(2);
    const back = loadModelDir(modelDir);
    expect(Array.from(back.stats.mu)).toEqual(Array.from(stats.mu));
    expect(back.stats.extrema).toEqual(stats.extrema);
    expect(info.parameters).toBe(back.model.countParams());
    back.model.dispose();
  });

  it('reloads (loadModelDir) with exactly the weights of the same seeded training run on the preprocessed frames', async () => {
    const maps = frames.map((f) => preprocessFrame(f, stats));
    const again = await trainAutoencoder({ frames: maps, width: W, height: H, config: training, seed: SEED, outDir: tempDir('tpcv-train-again-') });
    const { model } = loadModelDir(modelDir);
    const a = again.model.getWeights();
    const b = model.getWeights();
    expect(b.map((w) => w.shape)).toEqual(a.map((w) => w.shape));
    const bytes = (t: tf.Tensor) => {
      const d = t.dataSync() as Float32Array;
      return Buffer.from(d.buffer, d.byteOffset, d.byteLength);
    };
    a.forEach((w, i) => expect(bytes(b[i]).equals(bytes(w))).toBe(true));
    again.model.dispose();
    model.dispose();
  }, 30_000);

  it('batch-norm running statistics = the plain average of per-batch mean and (biased) variance over the training batches', () => {
    const { model } = loadModelDir(modelDir);
    // read first: the naive pass runs the upstream layers in training mode, which moves them
    const stored = storedBatchNormStats(model);
    expect(stored.length).toBe(17); // stem, 4 × 2 down, 4 × (up + its conv block)
    const maps = frames.map((f) => preprocessFrame(f, stats));
    const { train } = splitIndices(maps.length, training.validationFraction, SEED);
    const batches: number[][] = [];
    for (let s = 0; s < train.length; s += training.batchSize) batches.push(train.slice(s, s + training.batchSize));
    expect(batches.map((b) => b.length)).toEqual([2, 2, 1]);
    const naive = naiveReestimatedStats(model, batches.map((idx) => Float32Array.from(idx.flatMap((i) => Array.from(maps[i])))), W, H);
    // float32 running updates m ← m − (m − b)/(k + 1) against a float64 average: 1e-5 relative
    stored.forEach((pair, l) => pair.forEach((v, which) => expectClose(v, naive[l][which], 1e-6, 1e-5)));
    // and the re-estimated statistics are not the untouched Keras ones (mean 0, variance 1)
    expect(stored.some(([m]) => m.some((v) => Math.abs(v) > 1e-2))).toBe(true);
    model.dispose();
  });
});

describe('scores/autoencoder.ts: ONNX Runtime scores exactly as the tfjs model reconstructs', () => {
  it('|x − x̂| batched (4 different maps) and frame by frame equals the tfjs model\'s', async () => {
    const maps = scoredMaps(4);
    const { model } = loadModelDir(modelDir);
    const xhat = maps.map((m) => tf.tidy(() => (model.predict(tf.tensor4d(m, [1, H, W, 1])) as tf.Tensor).dataSync() as Float32Array));
    model.dispose();
    // the reconstructions differ from map to map by far more than the tolerance, so a score that
    // reads another map's reconstruction (a batching bug) cannot pass
    for (let k = 1; k < maps.length; k++) expect(Math.max(...xhat[k].map((v, i) => Math.abs(v - xhat[0][i])))).toBeGreaterThan(1e-2);
    const score = await autoencoderScore(modelDir, 'ae-baseline', stats, { statsOfModel: loadModelDir(modelDir).stats });
    try {
      const batched = await score.scoreBatch(maps, W, H);
      expect(batched).toHaveLength(4);
      // tolerance 5e-5 absolute: x̂ is a sigmoid in (0, 1) and both sides are float32; ONNX folds batch
      // norm into the convolution weights (γ/√(σ² + ε) rounded into each weight) and sums in another
      // order than tfjs's kernels over ~20 layers of up to 108-term sums: measured 3e-6 at most. The
      // reconstructions of two different maps differ by > 1e-2 (checked above), 200× the tolerance.
      const TOL = 5e-5;
      batched.forEach((r, k) => expectClose(r, maps[k].map((x, i) => Math.abs(x - xhat[k][i])), TOL, 0));
      for (let k = 0; k < maps.length; k++) {
        const [one] = await score.scoreBatch([maps[k]], W, H);
        expectClose(one, batched[k], TOL, 0);
      }
      expect(score.frames).toBe(8);
    } finally {
      await score.dispose?.();
    }
  });
});
