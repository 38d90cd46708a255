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
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { Rng } from '../core/rng.js';
import type { Progress } from '../core/progress.js';
import { silentProgress } from '../core/progress.js';
import { writeJsonAtomic } from '../core/atomic-write.js';
import type { InjectionConfig, TrainingConfig } from '../config/training.js';
import { buildRoiAutoencoder } from '../models/roi-autoencoder.js';
import { injectStructures } from './injection.js';
import { hybridLoss, refinedLoss, autoLambda } from './losses.js';
import { initializeWeights } from './init.js';
import { checkResumable, commitCheckpoint, dataHash, loadModelWeights, recoverCheckpoint, saveModelWeights } from './checkpoint.js';
import { reestimateBatchNorm } from './batchnorm.js';
import { AdamW } from './optimizer.js';
import { shuffled, splitIndices } from './split.js';
import { InputError } from '../core/errors.js';
import { readTrainState, type TrainState } from './train-state.js';

export type { EpochRecord, TrainState } from './train-state.js';

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
  injection: InjectionConfig | null,
  rngFor: (k: number) => Rng,
): Batch {
  const n = width * height;
  const input = new Float32Array(indices.length * n);
  const target = new Float32Array(indices.length * n);
  const mask = injection ? new Float32Array(indices.length * n) : null;
  indices.forEach((idx, k) => {
    const clean = frames[idx];
    target.set(clean, k * n);
    if (injection && mask) {
      const inj = injectStructures(clean, width, height, rngFor(k), injection);
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
  const injection = refined ? cfg.injection : null;
  const { train, val } = splitIndices(frames.length, cfg.validationFraction, seed);
  if (train.length === 0) throw new InputError('pedestal frames', 'none given: training needs at least one frame');
  const ckptDir = join(opts.outDir, 'checkpoint');

  const model = buildRoiAutoencoder({ height, width, filters: cfg.filters });
  initializeWeights(model, Rng.derive(seed, 'init'));
  const vars = model.trainableWeights.map((w: { read(): tf.Tensor }) => w.read() as tf.Variable);
  const optimizer = new AdamW(vars, { learningRate: cfg.learningRate }); // weight decay 0: tf.train.adam's update

  // fixed validation batches: their injections never change from epoch to epoch
  const valBatches: Batch[] = [];
  for (let s = 0; s < val.length; s += cfg.batchSize) {
    const idx = val.slice(s, s + cfg.batchSize);
    valBatches.push(makeBatch(frames, idx, width, height, injection, (k) => Rng.derive(seed, `val:${idx[k]}`)));
  }

  let state: TrainState;
  const statePath = join(ckptDir, 'state.json');
  // what must not change between an interrupted run and its resumption (epochs may grow)
  const identity = {
    mode: cfg.mode,
    batchSize: cfg.batchSize,
    filters: cfg.filters,
    grid: [width, height],
    seed,
    validationFraction: cfg.validationFraction,
    learningRate: cfg.learningRate,
    lambda: cfg.lambda,
    injection: refined ? cfg.injection : null,
    frames: frames.length,
    data: dataHash(frames),
  };
  if (opts.resume) {
    const found = recoverCheckpoint(ckptDir);
    if (found === 'recovered') log(`recovered the checkpoint an interrupted write left beside ${ckptDir}`);
    if (found === 'none') log(`--resume: no checkpoint in ${ckptDir}, starting fresh`);
  }
  if (opts.resume && existsSync(statePath)) {
    state = readTrainState(statePath);
    checkResumable(statePath, state.run, identity, log);
    state.run = identity;
    loadModelWeights(ckptDir, model);
    optimizer.load(ckptDir);
    optimizer.learningRate = state.learningRate;
    log(`resuming after epoch ${state.epoch + 1} (learning rate ${state.learningRate})`);
  } else {
    let lambda = typeof cfg.lambda === 'number' ? cfg.lambda : NaN;
    if (refined && cfg.lambda === 'auto') {
      const masks: Uint8Array[] = [];
      for (let k = 0; k < cfg.autoLambdaBatches * cfg.batchSize; k++) {
        masks.push(injectStructures(frames[train[k % train.length]], width, height, Rng.derive(seed, `lambda:${k}`), cfg.injection).mask);
      }
      lambda = autoLambda(masks);
      log(`λ set from the mask occupancy: ${lambda.toFixed(2)}`);
    }
    state = { epoch: -1, learningRate: cfg.learningRate, bestValLoss: Infinity, epochsWithoutImprovement: 0, lambda, history: [], run: identity };
  }

  const last = Math.min(cfg.epochs - 1, opts.stopAfterEpoch ?? Infinity);
  for (let epoch = state.epoch + 1; epoch <= last; epoch++) {
    const t0 = performance.now();
    const trainLoss = await trainEpoch(opts, model, vars, optimizer, train, epoch, state.lambda, progress);
    const valLoss = valBatches.length ? await meanLoss(cfg, state.lambda, model, valBatches, width, height) : trainLoss;

    // learning rate × lrFactor after lrPatience epochs without a better validation loss
    if (valLoss < state.bestValLoss) {
      state.bestValLoss = valLoss;
      state.epochsWithoutImprovement = 0;
    } else if (++state.epochsWithoutImprovement >= cfg.lrPatience) {
      state.learningRate *= cfg.lrFactor;
      state.epochsWithoutImprovement = 0;
      optimizer.learningRate = state.learningRate;
    }
    const record = { epoch, trainLoss, valLoss, learningRate: state.learningRate, seconds: (performance.now() - t0) / 1000 };
    state.history.push(record);
    state.epoch = epoch;
    log(`epoch ${epoch + 1}/${cfg.epochs}: train ${trainLoss.toFixed(5)}  val ${valLoss.toFixed(5)}  lr ${state.learningRate.toExponential(2)}  ${record.seconds.toFixed(1)} s`);
    commitCheckpoint(ckptDir, (tmp) => {
      saveModelWeights(tmp, model);
      optimizer.save(tmp);
      writeJsonAtomic(join(tmp, 'state.json'), state); // last: says the set is complete
    });
  }

  if (cfg.reestimateBatchNorm && state.epoch === cfg.epochs - 1) {
    const batches: Float32Array[] = [];
    for (let s = 0; s < train.length; s += cfg.batchSize) {
      batches.push(makeBatch(frames, train.slice(s, s + cfg.batchSize), width, height, injection, (k) => Rng.derive(seed, `bn:${s + k}`)).input);
    }
    reestimateBatchNorm(model, batches, width, height);
  }
  optimizer.dispose();
  return { model, state, trainIndices: train, validationIndices: val };
}

/** One pass over the shuffled training frames, one optimizer step per batch; returns the mean training loss. */
async function trainEpoch(
  opts: TrainOptions,
  model: LayersModel,
  vars: tf.Variable[],
  optimizer: AdamW,
  train: number[],
  epoch: number,
  lambda: number,
  progress: Progress,
): Promise<number> {
  const { frames, width, height, config: cfg, seed } = opts;
  const order = shuffled(train, Rng.derive(seed, `epoch:${epoch}`));
  progress.start(Math.ceil(train.length / cfg.batchSize), `epoch ${epoch + 1}/${cfg.epochs}`);
  let sum = 0;
  let count = 0;
  for (let s = 0; s < order.length; s += cfg.batchSize) {
    const idx = order.slice(s, s + cfg.batchSize);
    const b = makeBatch(frames, idx, width, height, cfg.mode === 'refined' ? cfg.injection : null, (k) => Rng.derive(seed, `inject:${epoch}:${s + k}`));
    const shape: [number, number, number, number] = [idx.length, height, width, 1];
    const { value: loss, grads } = tf.variableGrads(() => lossOf(cfg, lambda, model, b, shape, true), vars);
    optimizer.apply(vars.map((v) => grads[v.name]));
    const value = (await loss.data())[0];
    tf.dispose([loss, ...Object.values(grads)]);
    sum += value * idx.length;
    count += idx.length;
    progress.tick(1, { loss: value });
  }
  progress.stop();
  return sum / count;
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
