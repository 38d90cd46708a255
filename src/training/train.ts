/**
 * The autoencoder training loop (spec roi-trigger.md "Training procedure"): Adam, batch 8, 10% of
 * the pedestal frames held out for validation, learning rate ×0.75 after 5 epochs without
 * validation improvement, 100 epochs. 'baseline' trains the hybrid loss on clean pedestals;
 * 'refined' injects synthetic structures into the input, keeps the clean frame as the target and
 * uses the masked weighted loss.
 *
 * Reproducibility: every random draw (split, shuffles, injections, initial weights) comes from
 * Rng.derive(seed, label) with a label naming its epoch and position, so a run resumed from a
 * checkpoint draws exactly what the uninterrupted run would have drawn.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { Rng } from '../core/rng.js';
import type { Progress } from '../core/progress.js';
import { silentProgress } from '../core/progress.js';
import { writeJsonAtomic } from '../core/atomic-write.js';
import type { TrainingConfig } from '../config/training.js';
import { buildRoiAutoencoder } from '../models/roi-autoencoder.js';
import { injectStructures } from './injection.js';
import { hybridLoss, refinedLoss, autoLambda } from './losses.js';
import { initializeWeights } from './init.js';
import { loadModelWeights, loadOptimizer, saveModelWeights, saveOptimizer } from './checkpoint.js';
import { reestimateBatchNorm } from './batchnorm.js';
import { InputError } from '../core/errors.js';

export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  valLoss: number;
  learningRate: number;
  seconds: number;
}

export interface TrainState {
  epoch: number; // last completed epoch (0-based)
  learningRate: number;
  bestValLoss: number;
  epochsWithoutImprovement: number;
  lambda: number;
  history: EpochRecord[];
}

export interface TrainOptions {
  /** Preprocessed pedestal frames on the analysis grid, [H·W] each, normalised units. */
  frames: Float32Array[];
  width: number;
  height: number;
  config: TrainingConfig;
  seed: number;
  /** Directory that receives checkpoint/ (and, from the caller, the finished model). */
  outDir: string;
  resume?: boolean;
  /** Stop after this epoch (0-based) as if interrupted: for resume tests and time-boxed runs. */
  stopAfterEpoch?: number;
  progress?: Progress;
  log?: (line: string) => void;
}

export interface TrainResult {
  model: LayersModel;
  state: TrainState;
  trainIndices: number[];
  validationIndices: number[];
}

/** Deterministic train/validation split: a seeded shuffle, the first ⌈f·N⌉ frames validate. */
export function splitIndices(n: number, fraction: number, seed: number): { train: number[]; val: number[] } {
  const order = shuffled(
    Array.from({ length: n }, (_, i) => i),
    Rng.derive(seed, 'split'),
  );
  const nVal = fraction > 0 && n >= 2 ? Math.min(n - 1, Math.max(1, Math.round(fraction * n))) : 0;
  return { val: order.slice(0, nVal).sort((a, b) => a - b), train: order.slice(nVal) };
}

function shuffled<T>(items: T[], rng: Rng): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

interface Batch {
  input: Float32Array;
  target: Float32Array;
  mask: Float32Array | null;
}

function makeBatch(
  frames: Float32Array[],
  indices: number[],
  width: number,
  height: number,
  refined: boolean,
  rngFor: (k: number) => Rng,
): Batch {
  const n = width * height;
  const input = new Float32Array(indices.length * n);
  const target = new Float32Array(indices.length * n);
  const mask = refined ? new Float32Array(indices.length * n) : null;
  indices.forEach((idx, k) => {
    const clean = frames[idx];
    target.set(clean, k * n);
    if (refined && mask) {
      const inj = injectStructures(clean, width, height, rngFor(k));
      input.set(inj.input, k * n);
      for (let i = 0; i < n; i++) mask[k * n + i] = inj.mask[i];
    } else {
      input.set(clean, k * n);
    }
  });
  return { input, target, mask };
}

function lossOf(cfg: TrainingConfig, lambda: number, model: LayersModel, b: Batch, shape: [number, number, number, number], training: boolean): tf.Scalar {
  const x = tf.tensor4d(b.input, shape);
  const target = tf.tensor4d(b.target, shape);
  const xhat = model.apply(x, { training }) as tf.Tensor4D;
  if (cfg.mode === 'refined' && b.mask) {
    const m = tf.tensor4d(b.mask, shape);
    return refinedLoss(target, xhat, m, cfg.alpha, lambda);
  }
  return hybridLoss(target, xhat, cfg.alpha);
}

export async function trainAutoencoder(opts: TrainOptions): Promise<TrainResult> {
  const { frames, width, height, config: cfg, seed } = opts;
  const progress = opts.progress ?? silentProgress;
  const log = opts.log ?? (() => {});
  const refined = cfg.mode === 'refined';
  const { train, val } = splitIndices(frames.length, cfg.validationFraction, seed);
  if (train.length === 0) throw new InputError('training', 'needs at least one training frame');
  const ckptDir = join(opts.outDir, 'checkpoint');

  const model = buildRoiAutoencoder({ height, width, filters: cfg.filters });
  initializeWeights(model, Rng.derive(seed, 'init'));
  const optimizer = tf.train.adam(cfg.learningRate);
  const setLearningRate = (lr: number) => {
    // the Adam class reads this field at every step; tfjs offers no setter
    (optimizer as unknown as { learningRate: number }).learningRate = lr;
  };

  // fixed validation batches: their injections never change from epoch to epoch
  const valBatches: Batch[] = [];
  for (let s = 0; s < val.length; s += cfg.batchSize) {
    const idx = val.slice(s, s + cfg.batchSize);
    valBatches.push(makeBatch(frames, idx, width, height, refined, (k) => Rng.derive(seed, `val:${idx[k]}`)));
  }

  let state: TrainState;
  const statePath = join(ckptDir, 'state.json');
  if (opts.resume && existsSync(statePath)) {
    state = JSON.parse(readFileSync(statePath, 'utf8')) as TrainState;
    loadModelWeights(ckptDir, model);
    // Adam creates its slots lazily; one zero-gradient step is not exact, so restore them directly
    await loadOptimizer(ckptDir, optimizer);
    setLearningRate(state.learningRate);
    log(`resuming after epoch ${state.epoch + 1} (learning rate ${state.learningRate})`);
  } else {
    let lambda = typeof cfg.lambda === 'number' ? cfg.lambda : NaN;
    if (refined && cfg.lambda === 'auto') {
      const masks: Uint8Array[] = [];
      for (let k = 0; k < cfg.autoLambdaBatches * cfg.batchSize; k++) {
        masks.push(injectStructures(frames[train[k % train.length]], width, height, Rng.derive(seed, `lambda:${k}`)).mask);
      }
      lambda = autoLambda(masks);
      log(`λ set from the mask occupancy: ${lambda.toFixed(2)}`);
    }
    state = { epoch: -1, learningRate: cfg.learningRate, bestValLoss: Infinity, epochsWithoutImprovement: 0, lambda, history: [] };
  }

  const vars = model.trainableWeights.map((w: { read(): tf.Tensor }) => w.read() as tf.Variable);
  const batchesPerEpoch = Math.ceil(train.length / cfg.batchSize);
  const last = Math.min(cfg.epochs - 1, opts.stopAfterEpoch ?? Infinity);
  for (let epoch = state.epoch + 1; epoch <= last; epoch++) {
    const t0 = performance.now();
    const order = shuffled(train, Rng.derive(seed, `epoch:${epoch}`));
    progress.start(batchesPerEpoch, `epoch ${epoch + 1}/${cfg.epochs}`);
    let sum = 0;
    let count = 0;
    for (let s = 0; s < order.length; s += cfg.batchSize) {
      const idx = order.slice(s, s + cfg.batchSize);
      const b = makeBatch(frames, idx, width, height, refined, (k) => Rng.derive(seed, `inject:${epoch}:${s + k}`));
      const shape: [number, number, number, number] = [idx.length, height, width, 1];
      const loss = optimizer.minimize(() => lossOf(cfg, state.lambda, model, b, shape, true), true, vars);
      const value = loss ? (await loss.data())[0] : NaN;
      loss?.dispose();
      sum += value * idx.length;
      count += idx.length;
      progress.tick(1, { loss: value });
    }
    progress.stop();
    const trainLoss = sum / count;
    const valLoss = valBatches.length ? await meanLoss(cfg, state.lambda, model, valBatches, width, height) : trainLoss;

    if (valLoss < state.bestValLoss) {
      state.bestValLoss = valLoss;
      state.epochsWithoutImprovement = 0;
    } else if (++state.epochsWithoutImprovement >= cfg.lrPatience) {
      state.learningRate *= cfg.lrFactor;
      state.epochsWithoutImprovement = 0;
      setLearningRate(state.learningRate);
    }
    const record = { epoch, trainLoss, valLoss, learningRate: state.learningRate, seconds: (performance.now() - t0) / 1000 };
    state.history.push(record);
    state.epoch = epoch;
    log(`epoch ${epoch + 1}/${cfg.epochs}: train ${trainLoss.toFixed(5)}  val ${valLoss.toFixed(5)}  lr ${state.learningRate.toExponential(2)}  ${record.seconds.toFixed(1)} s`);
    saveModelWeights(ckptDir, model);
    await saveOptimizer(ckptDir, optimizer);
    writeJsonAtomic(statePath, state);
  }

  if (cfg.reestimateBatchNorm && state.epoch === cfg.epochs - 1) {
    const batches: Float32Array[] = [];
    for (let s = 0; s < train.length; s += cfg.batchSize) {
      batches.push(makeBatch(frames, train.slice(s, s + cfg.batchSize), width, height, refined, (k) => Rng.derive(seed, `bn:${s + k}`)).input);
    }
    reestimateBatchNorm(model, batches, width, height);
  }
  optimizer.dispose();
  return { model, state, trainIndices: train, validationIndices: val };
}

async function meanLoss(cfg: TrainingConfig, lambda: number, model: LayersModel, batches: Batch[], width: number, height: number): Promise<number> {
  let sum = 0;
  let count = 0;
  for (const b of batches) {
    const n = b.input.length / (width * height);
    const v = tf.tidy(() => lossOf(cfg, lambda, model, b, [n, height, width, 1], false));
    sum += (await v.data())[0] * n;
    count += n;
    v.dispose();
  }
  return sum / count;
}
