/**
 * AdamW (Loshchilov & Hutter) over tfjs variables, with its state on disk for an exact --resume.
 *
 * Why not tf.train.adam plus a decay: tfjs' Adam restores its bias-correction powers on setWeights
 * as pow(β, t+1) while an uninterrupted run multiplies them step by step; the float32 results differ
 * in the last bit and a resumed run drifts from the uninterrupted one. Here the bias corrections are
 * computed in float64 from the step count, the same way in both cases.
 *
 * Step t (1-based), per variable w with gradient g (torch.optim.AdamW's update, decay order below):
 *   m ← β1·m + (1 − β1)·g;   v ← β2·v + (1 − β2)·g²
 *   w ← w − lr·(m / (1 − β1^t)) / (√(v / (1 − β2^t)) + ε)
 *   w ← w − lr·wd·w          (decoupled decay after the Adam step, on every variable given)
 * In: the variables (fixed order) and per-step gradients in the same order. Out: updated variables;
 * `save`/`load` write and read OUT/optimizer.{json,bin} (atomic). Ignored: amsgrad, schedules.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { writeFileAtomic, writeJsonAtomic } from '../core/atomic-write.js';
import { InputError } from '../core/errors.js';

export interface AdamWOptions {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  weightDecay: number;
}

export class AdamW {
  step = 0;
  private readonly m: tf.Variable[];
  private readonly v: tf.Variable[];

  constructor(
    private readonly vars: tf.Variable[],
    private readonly o: AdamWOptions,
  ) {
    this.m = vars.map((w) => tf.variable(tf.zerosLike(w), false));
    this.v = vars.map((w) => tf.variable(tf.zerosLike(w), false));
  }

  /** One update with `grads[i]` for `vars[i]` (not disposed here). */
  apply(grads: readonly tf.Tensor[]): void {
    const { learningRate: lr, beta1: b1, beta2: b2, epsilon, weightDecay: wd } = this.o;
    this.step++;
    const stepSize = lr / (1 - Math.pow(b1, this.step)); // float64, then one float32 scalar
    const vScale = 1 / (1 - Math.pow(b2, this.step));
    tf.tidy(() => {
      this.vars.forEach((w, i) => {
        const g = grads[i];
        const m = tf.add(tf.mul(this.m[i], b1), tf.mul(g, 1 - b1));
        const v = tf.add(tf.mul(this.v[i], b2), tf.mul(tf.square(g), 1 - b2));
        this.m[i].assign(m);
        this.v[i].assign(v);
        const update = tf.div(tf.mul(m, stepSize), tf.add(tf.sqrt(tf.mul(v, vScale)), epsilon));
        const stepped = tf.sub(w, update);
        w.assign(wd > 0 ? tf.mul(stepped, 1 - lr * wd) : stepped);
      });
    });
  }

  save(dir: string): void {
    const tensors = [...this.m, ...this.v];
    const total = tensors.reduce((s, t) => s + t.size, 0);
    const data = new Float32Array(total);
    let offset = 0;
    for (const t of tensors) {
      data.set(t.dataSync() as Float32Array, offset);
      offset += t.size;
    }
    writeFileAtomic(join(dir, 'optimizer.bin'), new Uint8Array(data.buffer));
    writeJsonAtomic(join(dir, 'optimizer.json'), { kind: 'adamw', step: this.step, shapes: tensors.map((t) => t.shape) });
  }

  load(dir: string): void {
    const path = join(dir, 'optimizer.json');
    let meta: { step: number; shapes: number[][] };
    let data: Float32Array;
    try {
      meta = JSON.parse(readFileSync(path, 'utf8'));
      data = new Float32Array(Uint8Array.prototype.slice.call(readFileSync(join(dir, 'optimizer.bin'))).buffer);
    } catch (err) {
      throw new InputError(path, `cannot read the optimizer state: ${(err as Error).message}`);
    }
    const slots = [...this.m, ...this.v];
    if (meta.shapes.length !== slots.length) throw new InputError(path, `holds ${meta.shapes.length} slots, the model needs ${slots.length}: different architecture`);
    let offset = 0;
    slots.forEach((slot, i) => {
      if (meta.shapes[i].join('x') !== slot.shape.join('x')) throw new InputError(path, `slot ${i} has shape [${meta.shapes[i]}], expected [${slot.shape}]`);
      tf.tidy(() => slot.assign(tf.tensor(data.subarray(offset, offset + slot.size), slot.shape, 'float32')));
      offset += slot.size;
    });
    this.step = meta.step;
  }

  dispose(): void {
    tf.dispose([...this.m, ...this.v]);
  }
}
