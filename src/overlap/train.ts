/**
 * Training of the overlap-separation U-Net (spec overlap-separation.md, "Training"): AdamW, global
 * gradient-norm clipping, early stopping on the validation loss with the best weights kept, a
 * checkpoint after every epoch and an exact --resume. Mirrors the ROI autoencoder's loop
 * (training/train.ts) and reuses its checkpoint files (training/checkpoint.ts).
 *
 * In: prepared samples (one image size), a resolved OasisConfig, a preset name (recorded), a seed,
 * an output directory. Out: OUT/checkpoint/ (latest weights, AdamW moments, best weights, state.json,
 * written after every epoch, state last) and, at the end, the model directory OUT/ (weights.bin/json
 * = the best epoch's weights, oasis-model.json = architecture, resolved config, seed, version,
 * history; see model-dir.ts). Ignored: augmentation, learning-rate schedules (the spec has none).
 *
 * AdamW (training/optimizer.ts, shared with the autoencoder): after each Adam step every trainable
 * weight (kernels, biases and the GroupNorm γ, β alike, as torch.optim.AdamW's default single
 * parameter group does) is decayed decoupled from the gradient: w ← w − lr·wd·w. (PyTorch applies
 * the same factor before the Adam step; the difference is O(lr²·wd).)
 * Clipping: g ← g·min(1, c/‖g‖₂) with ‖g‖₂ over all gradients together (torch's clip_grad_norm_).
 * Micro-batches: a batch runs in passes of `microBatch` samples whose gradients add up to the
 * batch's (loss.ts partialLoss), then one clipped step: a batch of 16 at 288×512 does not fit in
 * memory in one tfjs pass.
 * Reproducibility: split, shuffles and initial weights come from Rng.derive(seed, label) with the
 * label naming the epoch, so a resumed run draws what the uninterrupted one would have.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers'; // registers the gradient functions tf.variableGrads needs
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { writeJsonAtomic } from '../core/atomic-write.js';
import { silentProgress, type Progress } from '../core/progress.js';
import { Rng } from '../core/rng.js';
import { buildOasisUnet } from '../models/oasis-unet.js';
import { checkResumable, commitCheckpoint, dataHash, loadModelWeights, recoverCheckpoint, saveModelWeights } from '../training/checkpoint.js';
import { initializeWeights } from '../training/init.js';
import { AdamW } from '../training/optimizer.js';
import { shuffled, splitIndices } from '../training/split.js';
import { InputError } from '../core/errors.js';
import { asCompact, batchTensors, imageSize, makeBatch } from './batch.js';
import { inferenceBox } from './event-box.js';
import { centredWindow, effectiveWindow, randomOrigin, type CompactSample, type WindowOrigin, type WindowSize } from './window.js';
import type { OasisConfig, PresetName } from '../config/oasis.js';
import type { OverlapSample } from '../core/overlap-sample.js';
import { oasisLoss, partialLoss, validEdgeCount } from './loss.js';
import { oasisTrainStateSchema, writeOasisModel, type OasisTrainState } from './model-dir.js';
import { readJsonFile } from '../core/read-json.js';

export type { OasisTrainState } from './model-dir.js';

export interface OasisTrainOptions {
  /** Prepared samples, dense or compact (window.ts); one frame size. */
  samples: readonly (OverlapSample | CompactSample)[];
  config: OasisConfig;
  preset: PresetName;
  seed: number;
  outDir: string;
  resume?: boolean;
  /** Stop after this epoch (0-based) as if interrupted: resume tests and time-boxed runs. */
  stopAfterEpoch?: number;
  /** Stop at the first mid-epoch checkpoint at or after this many steps in all (resume tests). */
  stopAfterSteps?: number;
  /** Recorded in oasis-model.json (e.g. the dataset path and its provenance). */
  data?: unknown;
  progress?: Progress;
  log?: (line: string) => void;
}

export interface OasisTrainResult {
  model: LayersModel;
  state: OasisTrainState;
  trainIndices: number[];
  validationIndices: number[];
}

/**
 * One clipped AdamW step on `vars` for the batch `idx`; returns the batch loss before the step.
 * The batch runs in micro-batches whose losses use the whole batch's weights and denominators
 * (partialLoss), so the accumulated gradient is the whole batch's. Exported for bench/oasis-window.ts.
 */
export function trainStep(model: LayersModel, vars: tf.Variable[], optimizer: AdamW, cfg: OasisConfig, samples: readonly CompactSample[], idx: number[], origins: WindowOrigin[], win: WindowSize): number {
  const all = makeBatch(samples, idx, origins, win, cfg.loss.regionWeights); // weights normalised over the whole batch
  const { n, height: h, width: w } = all;
  let validPixels = 0;
  for (let i = 0; i < all.valid.length; i++) validPixels += all.valid[i];
  const validEdges = validEdgeCount(all.valid, n, h, w);
  const micro = cfg.training.microBatch > 0 ? cfg.training.microBatch : n;
  const px = h * w;
  let loss = 0;
  let g: tf.Tensor[] = [];
  for (let m0 = 0; m0 < n; m0 += micro) {
    const m1 = Math.min(n, m0 + micro);
    const part = (a: Float32Array, ch: number) => a.subarray(m0 * px * ch, m1 * px * ch);
    const b = batchTensors({ n: m1 - m0, height: h, width: w, input: part(all.input, 1), target: part(all.target, 2), valid: part(all.valid, 1), weight: part(all.weight, 1) });
    const { value, grads } = tf.variableGrads(() => {
      const pred = model.apply(b.input, { training: true }) as tf.Tensor4D; // [n, H, W, 2]
      return partialLoss(pred, b.target, b.valid, b.weight, cfg.loss, validPixels, validEdges);
    }, vars);
    loss += value.dataSync()[0];
    const fresh = vars.map((v) => grads[v.name]);
    const summed = g.length ? fresh.map((t, i) => tf.add(g[i], t)) : fresh;
    tf.dispose([value, b.input, b.target, b.valid, b.weight, ...g, ...(g.length ? fresh : [])]);
    g = summed;
  }
  const clip = cfg.training.clipNorm;
  // 1. global-norm clipping; the norm is read back so the decision is a plain number
  const normSq = tf.tidy(() => tf.addN(g.map((t) => tf.sum(tf.square(t)))));
  const norm = Math.sqrt(normSq.dataSync()[0]);
  const factor = clip > 0 && norm > clip ? clip / norm : 1;
  // 2. Adam step (on the clipped gradients) and decoupled weight decay (training/optimizer.ts)
  optimizer.apply(g, factor);
  tf.dispose([normSq, ...g]);
  return loss;
}

/** The learning rate of global step `step` (0-based) of `total` planned steps (config `schedule`). */
export function scheduledLearningRate(t: OasisConfig['training'], step: number, total: number): number {
  if (t.schedule === 'constant') return t.learningRate;
  if (step < t.warmupSteps) return (t.learningRate * (step + 1)) / t.warmupSteps;
  const span = Math.max(total - t.warmupSteps, 1);
  const s = Math.min(step - t.warmupSteps, span);
  return t.learningRate * 0.5 * (1 + Math.cos((Math.PI * s) / span));
}

interface EpochRun {
  epoch: number;
  /** Steps of this epoch already taken (a resume inside the epoch) and their summed sample losses. */
  firstStep: number;
  lossSum: number;
  /** Global step of this epoch's step 0 and the run's planned total (for the schedule). */
  globalStep0: number;
  totalSteps: number;
  /** Called after every step with the steps done and the loss sum so far (mid-epoch checkpoints); true stops the epoch there. */
  afterStep: (stepsDone: number, lossSum: number) => boolean;
}

/**
 * One pass over the shuffled training samples, one clipped step per batch; returns the mean training
 * loss, or null when afterStep asked to stop inside the epoch.
 */
function trainEpoch(o: OasisTrainOptions, samples: readonly CompactSample[], win: WindowSize, model: LayersModel, vars: tf.Variable[], optimizer: AdamW, train: readonly number[], e: EpochRun, progress: Progress): number | null {
  const t = o.config.training;
  const order = shuffled(train, Rng.derive(o.seed, `epoch:${e.epoch}`));
  const placement = Rng.derive(o.seed, `window:${e.epoch}`); // drawn in step order: a resumed epoch draws the same
  const steps = Math.ceil(train.length / t.batchSize);
  progress.start(steps, `oasis epoch ${e.epoch + 1}/${t.epochs}`);
  let sum = e.lossSum;
  for (let step = 0; step < steps; step++) {
    const idx = order.slice(step * t.batchSize, (step + 1) * t.batchSize);
    const origins = idx.map((i) => randomOrigin(samples[i], samples[i].valid, win, placement));
    if (step < e.firstStep) continue; // taken before the checkpoint; its draws are replayed so the rest match
    optimizer.learningRate = scheduledLearningRate(t, e.globalStep0 + step, e.totalSteps);
    const loss = trainStep(model, vars, optimizer, o.config, samples, idx, origins, win);
    sum += loss * idx.length;
    progress.tick(step === e.firstStep ? e.firstStep + 1 : 1, { loss: loss.toPrecision(4) });
    if (e.afterStep(step + 1, sum)) {
      progress.stop();
      return null;
    }
  }
  progress.stop();
  return sum / train.length;
}

/**
 * Where the validation (and inference) window of a sample lies: centred on its inference box
 * (event-box.ts), or the whole frame without windows.
 */
export function inferenceOrigin(c: CompactSample, cfg: OasisConfig, win: WindowSize): WindowOrigin {
  return cfg.window === null ? { x: 0, y: 0 } : centredWindow(c, inferenceBox(c, cfg.window, win), win);
}

/** Mean loss (total, reg, tv) over `indices` (windows at `origins[index]`), in batches, without training. */
export function evaluateLoss(model: LayersModel, cfg: OasisConfig, samples: readonly CompactSample[], indices: readonly number[], origins: readonly WindowOrigin[], win: WindowSize): { total: number; reg: number; tv: number } {
  let total = 0;
  let reg = 0;
  let tv = 0;
  for (let s = 0; s < indices.length; s += cfg.training.batchSize) {
    const idx = indices.slice(s, s + cfg.training.batchSize);
    const v = tf.tidy(() => {
      const b = batchTensors(makeBatch(samples, idx, idx.map((i) => origins[i]), win, cfg.loss.regionWeights));
      const l = oasisLoss(model.predict(b.input) as tf.Tensor4D, b.target, b.valid, b.weight, cfg.loss);
      return tf.stack([l.total, l.reg, l.tv]);
    });
    const [a, r, t] = v.dataSync();
    v.dispose();
    total += a * idx.length;
    reg += r * idx.length;
    tv += t * idx.length;
  }
  const n = Math.max(indices.length, 1);
  return { total: total / n, reg: reg / n, tv: tv / n };
}

/**
 * What must not change between an interrupted run and its resumption: preset and loss, the training
 * settings that shape the steps (not patience, micro-batching or checkpoint spacing; epochs only under
 * a schedule that depends on them), the window, the seed and the samples (count and a hash of their
 * ids and boxes).
 */
function runIdentity(o: OasisTrainOptions, samples: readonly CompactSample[]): Record<string, unknown> {
  const { patience: _p, microBatch: _m, checkpointEverySteps: _c, epochs, ...training } = o.config.training;
  return {
    preset: o.preset,
    loss: o.config.loss,
    training: { ...training, ...(training.schedule === 'constant' ? {} : { epochs }) },
    window: o.config.window,
    seed: o.seed,
    samples: samples.length,
    data: dataHash(samples.map((c) => `${c.id}:${c.valid.x0},${c.valid.y0},${c.valid.x1},${c.valid.y1}`)),
  };
}

export async function trainOasis(o: OasisTrainOptions): Promise<OasisTrainResult> {
  const { config: cfg, seed } = o;
  const samples = asCompact(o.samples);
  const t = cfg.training;
  const progress = o.progress ?? silentProgress;
  const log = o.log ?? (() => {});
  const frame = imageSize(samples);
  const win = effectiveWindow(cfg.window, frame);
  const { width, height } = win;
  const { train, val } = splitIndices(samples.length, t.validationFraction, seed);
  if (train.length === 0) throw new InputError('oasis training set', 'no samples: training needs at least one');
  const ckpt = join(o.outDir, 'checkpoint');
  const statePath = join(ckpt, 'state.json');

  const model = buildOasisUnet({ height, width, base: t.base });
  initializeWeights(model, Rng.derive(seed, 'init'), { kernels: 'kaiming-normal' }); // the reference's init (training/init.ts)
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const optimizer = new AdamW(vars, { learningRate: t.learningRate, beta1: t.beta1, beta2: t.beta2, epsilon: t.adamEpsilon, weightDecay: t.weightDecay });
  let state: OasisTrainState;
  const identity = runIdentity(o, samples);
  if (o.resume) {
    const found = recoverCheckpoint(ckpt);
    if (found === 'recovered') log(`recovered the checkpoint an interrupted write left beside ${ckpt}`);
    if (found === 'none') log(`--resume: no checkpoint in ${ckpt}, starting fresh`);
  }
  if (o.resume && existsSync(statePath)) {
    state = readJsonFile(statePath, oasisTrainStateSchema, 'no checkpoint state to resume from');
    checkResumable(statePath, state.run, identity, log);
    state.run = identity;
    loadModelWeights(ckpt, model);
    optimizer.load(ckpt);
    log(`resuming after epoch ${state.epoch + 1}${state.stepInEpoch ? ` and ${state.stepInEpoch} steps of the next` : ''}${state.stopped ? ' (early stopping had fired)' : ''}`);
  } else {
    state = { epoch: -1, bestValLoss: Infinity, bestEpoch: -1, epochsWithoutImprovement: 0, stopped: false, history: [], stepInEpoch: 0, epochLossSum: 0, run: identity };
  }

  const steps = Math.ceil(train.length / t.batchSize);
  // one unit: weights, optimizer, the best epoch's weights (carried over unless this epoch improved), state last
  const saveCheckpoint = (best = false) =>
    commitCheckpoint(
      ckpt,
      (tmp) => {
        saveModelWeights(tmp, model);
        if (best) saveModelWeights(tmp, model, 'best');
        optimizer.save(tmp);
        writeJsonAtomic(join(tmp, 'state.json'), state); // last: names the epoch (and step) the files above belong to
      },
      ['best.json', 'best.bin'],
    );
  let valOrigins: WindowOrigin[] | undefined;
  const last = Math.min(t.epochs - 1, o.stopAfterEpoch ?? Infinity);
  for (let epoch = state.epoch + 1; epoch <= last && !state.stopped; epoch++) {
    const t0 = performance.now();
    const resumedSteps = state.stepInEpoch;
    const trainLoss = trainEpoch(o, samples, win, model, vars, optimizer, train, {
      epoch,
      firstStep: state.stepInEpoch,
      lossSum: state.epochLossSum,
      globalStep0: epoch * steps,
      totalSteps: t.epochs * steps,
      afterStep: (done, lossSum) => {
        if (!(t.checkpointEverySteps > 0 && done % t.checkpointEverySteps === 0 && done < steps)) return false;
        state.stepInEpoch = done;
        state.epochLossSum = lossSum;
        saveCheckpoint();
        return o.stopAfterSteps !== undefined && epoch * steps + done >= o.stopAfterSteps;
      },
    }, progress);
    if (trainLoss === null) break; // stopped at a mid-epoch checkpoint (stopAfterSteps)
    state.stepInEpoch = 0;
    state.epochLossSum = 0;
    const trainSeconds = (performance.now() - t0) / 1000;
    if (!valOrigins) {
      valOrigins = [];
      for (const i of val) valOrigins[i] = inferenceOrigin(samples[i], cfg, win); // indexed by sample
    }
    const v = val.length ? evaluateLoss(model, cfg, samples, val, valOrigins, win) : { total: trainLoss, reg: NaN, tv: NaN };
    const improved = v.total < state.bestValLoss;
    if (improved) {
      state.bestValLoss = v.total;
      state.bestEpoch = epoch;
      state.epochsWithoutImprovement = 0;
    } else if (++state.epochsWithoutImprovement >= t.patience) {
      state.stopped = true;
    }
    const seconds = (performance.now() - t0) / 1000;
    state.history.push({ epoch, trainLoss, valLoss: v.total, valReg: v.reg, valTv: v.tv, seconds, stepSeconds: trainSeconds / Math.max(steps - resumedSteps, 1) });
    state.epoch = epoch;
    log(
      `epoch ${epoch + 1}/${t.epochs}: train ${trainLoss.toPrecision(5)}  val ${v.total.toPrecision(5)}${improved ? ' (best)' : ''}  ` +
        `${seconds.toFixed(1)} s${state.stopped ? `  — early stop, best epoch ${state.bestEpoch + 1}` : ''}`,
    );
    saveCheckpoint(improved);
  }
  optimizer.dispose();

  // the finished model is the best epoch's weights (early stopping keeps them)
  const finished = state.stopped || state.epoch === t.epochs - 1;
  if (finished && state.bestEpoch >= 0) {
    loadModelWeights(ckpt, model, 'best');
    writeOasisModel(o.outDir, model, {
      height,
      width,
      window: cfg.window === null ? null : win,
      frame,
      base: t.base,
      preset: o.preset,
      config: cfg,
      seed,
      trainEvents: train.length,
      validationEvents: val.length,
      bestEpoch: state.bestEpoch,
      history: state.history,
      data: o.data ?? null,
    });
  }
  return { model, state, trainIndices: train, validationIndices: val };
}
