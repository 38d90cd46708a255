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
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { calibrationSchema, geometryForSize, preprocessSchema } from '../../src/config/pipeline.js';
import { calibrateMethod, checkCalibrationModel } from '../../src/calibration/calibrate-run.js';
import { resolveTrainingConfig } from '../../src/config/training.js';
import { computePedestalStats, type PedestalStats } from '../../src/preprocessing/pedestal-stats.js';
import { preprocessFrame } from '../../src/preprocessing/preprocess.js';
import { autoencoderScore, sameStats } from '../../src/scores/autoencoder.js';
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

describe('scores/autoencoder.ts: what the score reports and what it refuses', () => {
  it('modelMs is the time inside session.run (injected clock), frames counts the maps; name, batch size and description', async () => {
    const score = await autoencoderScore(modelDir, 'ae-x', stats, { batchSize: 3 });
    try {
      expect(score.name).toBe('ae-x');
      expect(score.batchSize).toBe(3);
      const info = readModelInfo(modelDir);
      expect(score.description).toBe(
        `baseline autoencoder |x − x̂| (${info.parameters.toLocaleString('en')} parameters, 2 epochs, ONNX Runtime)`,
      );
      // the clock reads 1000 before the forward pass and 1004.5 after it, then 2000 and 2010
      const ticks = [1000, 1004.5, 2000, 2010];
      const now = vi.spyOn(performance, 'now').mockImplementation(() => ticks.shift() ?? NaN);
      try {
        await score.scoreBatch(scoredMaps(2), W, H);
        expect(score.modelMs).toBe(4.5);
        await score.scoreBatch(scoredMaps(1), W, H);
        expect(score.modelMs).toBe(14.5);
      } finally {
        now.mockRestore();
      }
      expect(ticks).toEqual([]);
      expect(score.frames).toBe(3);
    } finally {
      await score.dispose?.();
    }
    const dflt = await autoencoderScore(modelDir, 'ae-y', stats);
    expect(dflt.batchSize).toBe(4);
    await dflt.dispose?.();
  });

  it('refuses a model without ONNX export, a model of another grid and other pedestal statistics, naming the directory', async () => {
    const info = readModelInfo(modelDir);
    const noOnnx = tempDir('tpcv-ae-noonnx-');
    writeFileSync(join(noOnnx, 'config.json'), JSON.stringify({ ...info, onnx: null }));
    await expect(autoencoderScore(noOnnx, 'ae', stats)).rejects.toThrow(`${noOnnx}: the model has no ONNX export (model.onnx)`);
    for (const [w, h] of [
      [W, H + 1],
      [W + 1, H],
    ]) {
      const other = { ...stats, config: { ...stats.config, analysisWidth: w, analysisHeight: h } };
      await expect(autoencoderScore(modelDir, 'ae', other)).rejects.toThrow(
        `${modelDir}: model input ${W}×${H} does not match the analysis grid ${w}×${h}`,
      );
    }
    const shifted = { ...stats, extrema: { ...stats.extrema, max: stats.extrema.max * 2 } };
    await expect(autoencoderScore(modelDir, 'ae', stats, { statsOfModel: shifted })).rejects.toThrow(
      `${modelDir}: the model was trained with other pedestal statistics`,
    );
  });

  it('calibration records the served network (sha256 of its ONNX file); a τ for another model is refused, naming both', async () => {
    const other = tempDir('tpcv-ae-other-');
    await trainModelFromFrames({ frames: sequenceOf(frames), stats, training: { ...training, epochs: 1 }, seed: SEED + 1, outDir: other });
    const a = await autoencoderScore(modelDir, 'ae', stats);
    const b = await autoencoderScore(other, 'ae', stats);
    const sha = (dir: string) => createHash('sha256').update(readFileSync(join(dir, readModelInfo(dir).onnx!))).digest('hex');
    expect([a.modelSha256, b.modelSha256]).toEqual([sha(modelDir), sha(other)]);
    expect(a.modelSha256).not.toBe(b.modelSha256);
    const m = await calibrateMethod(sequenceOf(frames.slice(0, 2)), stats, a, 1, calibrationSchema.parse({}), 4);
    expect(m.modelSha256).toBe(a.modelSha256);
    expect(() => checkCalibrationModel(m, b, 'cal.json', other)).toThrow(
      new RegExp(`^cal\\.json: its τ for 'ae' was calibrated for another model \\(ONNX sha256 ${sha(modelDir).slice(0, 12)}…\\) than ${other} \\(${sha(other).slice(0, 12)}…\\)`),
    );
    expect(() => checkCalibrationModel(m, a, 'cal.json', modelDir)).not.toThrow();
    // a classical score's calibration carries no model
    expect(() => checkCalibrationModel({ ...m, modelSha256: undefined }, b, 'cal.json', other)).not.toThrow();
    await Promise.all([a.dispose?.(), b.dispose?.()]);
  });
});

describe('sameStats', () => {
  // hand-made artefacts: meanCrop of 200 values; every value counts (the digest covers the maps)
  const base = (): PedestalStats => ({
    ...stats,
    meanCrop: Float32Array.from({ length: 200 }, (_, i) => i / 7),
    extrema: { min: -0.25, max: 0.5, exactMin: -0.3, exactMax: 0.6 },
  });
  it('equal constants are the same; min, max, the mean map or the configuration differing are not', () => {
    expect(sameStats(base(), base())).toBe(true);
    const edit = (f: (s: PedestalStats) => void) => {
      const s = base();
      f(s);
      return sameStats(base(), s) || sameStats(s, base());
    };
    expect(edit((s) => (s.extrema.min = -0.2))).toBe(false);
    expect(edit((s) => (s.extrema.max = 0.55))).toBe(false);
    expect(edit((s) => (s.meanCrop = s.meanCrop.slice(0, 199)))).toBe(false);
    for (const i of [0, 5, 97, 194, 199]) expect(edit((s) => (s.meanCrop[i] += 1e-6))).toBe(false);
    expect(edit((s) => (s.mu = s.mu.map((v, k) => (k === 3 ? v + 1 : v))))).toBe(false);
    expect(edit((s) => (s.sigma = s.sigma.map((v, k) => (k === s.sigma.length - 1 ? v * 2 : v))))).toBe(false);
    expect(edit((s) => (s.config = { ...s.config, scale: s.config.scale + 1 }))).toBe(false);
    // the exact extrema are kept for reference only, not compared
    expect(edit((s) => (s.extrema.exactMin = -9))).toBe(true);
  });
});
