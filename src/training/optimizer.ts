/**
 * AdamW (Loshchilov & Hutter) over tfjs variables, the one optimizer of both trainers: the ROI
 * autoencoder (weight decay 0 = Adam) and the OASIS U-Net. Its state is written with
 * training/checkpoint.ts for an exact --resume.
 *
 * Why not tf.train.adam: tfjs offers no learning-rate setter, and its setWeights restores the
 * bias-correction powers as pow(β, t+1) while an uninterrupted run multiplies them step by step; the
 * float32 results differ in the last bit and a resumed run drifts. Here the powers are the same
 * float32 products tfjs forms, computed in JS from the step count (Math.fround of a product of two
 * float32 values is the correctly rounded float32 product, as the tensor op gives), so a resumed
 * run and an uninterrupted one use identical numbers.
 *
 * Step t (1-based), per variable w with gradient g, in tf.train.adam's op order (so that weight
 * decay 0 is bit-identical to it), every operation rounded to float32:
 *   1. m ← β1·m + (1 − β1)·g;   v ← β2·v + (1 − β2)·g²
 *   2. m̂ ← m / (1 − β1ᵗ);       v̂ ← v / (1 − β2ᵗ)        (βᵗ: float32 products, see above)
 *   3. w ← (m̂ / (√v̂ + ε))·(−lr) + w
 *   4. w ← w·(1 − lr·wd)        (decoupled decay after the Adam step; only when wd > 0)
 * In: the variables (fixed order) and per-step gradients in the same order. Out: updated variables;
 * `save`/`load` write and read DIR/optimizer.{json,bin}. Ignored: amsgrad, schedules (the caller
 * sets `learningRate`).
 */
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { InputError } from '../core/errors.js';
import { loadTensors, saveTensors } from './checkpoint.js';

export const OPTIMIZER_KIND = 'tpcvision-adamw';
export const OPTIMIZER_VERSION = 1;
/** The engine's fused update (src/engine/kernels/adamw.ts), named here so training/ needs no engine import. */
export const FUSED_ADAMW_KERNEL = 'TpcAdamW';

export interface AdamWOptions {
  learningRate: number;
  /** Adam β1, β2 [defaults 0.9, 0.999, as tf.train.adam and torch.optim.AdamW]. */
  beta1?: number;
  beta2?: number;
  /** Added to √v̂ [default: the tfjs backend's epsilon(), as tf.train.adam; 1e-7 on cpu]. */
  epsilon?: number;
  /** Decoupled weight decay per unit learning rate [default 0: plain Adam]. */
  weightDecay?: number;
}

type Hyper = Required<Omit<AdamWOptions, 'learningRate'>>;

/** β^t as tfjs accumulates it: fround(β), then t − 1 float32 products by fround(β). */
export function accumulatedPower(beta: number, t: number): number {
  const b = Math.fround(beta);
  let acc = b;
  for (let k = 1; k < t; k++) acc = Math.fround(acc * b);
  return acc;
}

export class AdamW {
  private stepCount = 0;
  private lr: number;
  /** β1ᵗ, β2ᵗ of the next step (t = step + 1), kept as running products: recomputing costs O(t). */
  private acc1: number;
  private acc2: number;
  private readonly hyper: Hyper;
  private readonly m: tf.Variable[];
  private readonly v: tf.Variable[];

  /** `names` label the slots on disk (default: the variables' names). */
  constructor(
    private readonly vars: readonly tf.Variable[],
    options: AdamWOptions,
    private readonly names: readonly string[] = vars.map((w) => w.name),
  ) {
    this.lr = options.learningRate;
    this.hyper = {
      beta1: options.beta1 ?? 0.9,
      beta2: options.beta2 ?? 0.999,
      epsilon: options.epsilon ?? tf.backend().epsilon(),
      weightDecay: options.weightDecay ?? 0,
    };
    this.acc1 = accumulatedPower(this.hyper.beta1, 1);
    this.acc2 = accumulatedPower(this.hyper.beta2, 1);
    this.m = vars.map((w) => tf.tidy(() => tf.zerosLike(w).variable(false)));
    this.v = vars.map((w) => tf.tidy(() => tf.zerosLike(w).variable(false)));
  }

  /** Completed steps. */
  get step(): number {
    return this.stepCount;
  }

  /** Read at every step: a new value takes effect at the next `apply`. */
  get learningRate(): number {
    return this.lr;
  }

  set learningRate(lr: number) {
    this.lr = lr;
  }

  /**
   * One update with `grads[i]` for `vars[i]` (not disposed here); a missing gradient leaves its
   * variable alone. `gradScale` ≠ 1 multiplies every gradient first (global-norm clipping), as
   * tf.mul(g, gradScale) would.
   */
  apply(grads: readonly (tf.Tensor | undefined)[], gradScale = 1): void {
    const { beta1: b1, beta2: b2, epsilon, weightDecay: wd } = this.hyper;
    const oneMinusAcc1 = Math.fround(1 - this.acc1); // tfjs: sub(1, accBeta1) in float32
    const oneMinusAcc2 = Math.fround(1 - this.acc2);
    const lr = this.lr;
    // The fused kernel, where the backend has it, does the same float32 operations in one pass.
    const fused = tf.getKernel(FUSED_ADAMW_KERNEL, tf.getBackend()) != null;
    const params = [gradScale, b1, 1 - b1, b2, 1 - b2, oneMinusAcc1, oneMinusAcc2, epsilon, -lr, wd > 0 ? 1 - lr * wd : 1].map(Math.fround);
    tf.tidy(() => {
      this.vars.forEach((w, i) => {
        const raw = grads[i];
        if (raw == null) return;
        if (fused && raw.dtype === 'float32') {
          const [wNew, m, v] = tf.engine().runKernel(FUSED_ADAMW_KERNEL, { w, m: this.m[i], v: this.v[i], g: raw }, { params }) as tf.Tensor[];
          this.m[i].assign(m);
          this.v[i].assign(v);
          w.assign(wNew);
          return;
        }
        const g = gradScale === 1 ? raw : tf.mul(raw, gradScale);
        // 1. moments
        const m = tf.add(tf.mul(this.m[i], b1), tf.mul(g, 1 - b1));
        const v = tf.add(tf.mul(this.v[i], b2), tf.mul(tf.square(g), 1 - b2));
        // 2. bias correction
        const mHat = tf.div(m, oneMinusAcc1);
        const vHat = tf.div(v, oneMinusAcc2);
        this.m[i].assign(m);
        this.v[i].assign(v);
        // 3. Adam step, 4. decoupled decay
        const stepped = tf.add(tf.mul(tf.div(mHat, tf.add(tf.sqrt(vHat), epsilon)), -lr), w);
        w.assign(wd > 0 ? tf.mul(stepped, 1 - lr * wd) : stepped);
      });
    });
    this.stepCount++;
    this.acc1 = Math.fround(this.acc1 * Math.fround(b1));
    this.acc2 = Math.fround(this.acc2 * Math.fround(b2));
  }

  /** DIR/optimizer.{json,bin}: kind, version, step, learning rate and hyperparameters; slots NAME/m then NAME/v. */
  save(dir: string): void {
    const named = [...this.m.map((t, i) => ({ name: `${this.names[i]}/m`, tensor: t })), ...this.v.map((t, i) => ({ name: `${this.names[i]}/v`, tensor: t }))];
    saveTensors(dir, 'optimizer', named, { kind: OPTIMIZER_KIND, version: OPTIMIZER_VERSION, step: this.stepCount, learningRate: this.lr, ...this.hyper });
  }

  /**
   * Restore what `save` wrote: slots, step and learning rate. The hyperparameters must match this
   * optimizer's (a resume continues the same training); files of the older formats are refused.
   */
  load(dir: string): void {
    const path = join(dir, 'optimizer.json');
    const { header, entries } = loadTensors(dir, 'optimizer', (h) => {
      if (h.kind === OPTIMIZER_KIND && h.version === OPTIMIZER_VERSION) return;
      const was = h.kind === undefined ? 'tf.train.adam weights' : `kind ${JSON.stringify(h.kind)}`;
      throw new InputError(path, `optimizer state in an older format (${was}; expected ${OPTIMIZER_KIND} version ${OPTIMIZER_VERSION}): retrain, or start without --resume`);
    });
    if (typeof header.step !== 'number' || !Number.isInteger(header.step) || header.step < 0) throw new InputError(path, `step: expected a non-negative integer, got ${JSON.stringify(header.step)}`);
    if (typeof header.learningRate !== 'number') throw new InputError(path, `learningRate: expected a number, got ${JSON.stringify(header.learningRate)}`);
    for (const key of Object.keys(this.hyper) as (keyof Hyper)[]) {
      if (header[key] !== this.hyper[key]) {
        throw new InputError(path, `${key}: the checkpoint was trained with ${JSON.stringify(header[key])}, this run has ${this.hyper[key]}; resume with the same configuration or start without --resume`);
      }
    }
    const slots = [...this.m, ...this.v];
    if (entries.length !== slots.length) throw new InputError(path, `holds ${entries.length} slots, the model needs ${slots.length}: different architecture`);
    entries.forEach((e, i) => {
      if (e.shape.join('x') !== slots[i].shape.join('x')) throw new InputError(path, `slot ${e.name} has shape [${e.shape}], expected [${slots[i].shape}]`);
    });
    entries.forEach((e, i) => tf.tidy(() => slots[i].assign(tf.tensor(e.values, e.shape, 'float32'))));
    this.stepCount = header.step;
    this.lr = header.learningRate;
    this.acc1 = accumulatedPower(this.hyper.beta1, header.step + 1);
    this.acc2 = accumulatedPower(this.hyper.beta2, header.step + 1);
  }

  dispose(): void {
    tf.dispose([...this.m, ...this.v]);
  }
}
