import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Rng } from '../../src/core/rng.js';
import { InputError } from '../../src/core/errors.js';
import { AdamW, accumulatedPower } from '../../src/training/optimizer.js';

const f = Math.fround;
const tmp = () => mkdtempSync(join(tmpdir(), 'tpcv-opt-'));
const SHAPES = [[3, 2], [4], [2, 2, 2]];

/** Seeded starting values and per-step gradients for the variables of SHAPES. */
function initial(seed: number): Float32Array[] {
  const rng = new Rng(seed);
  return SHAPES.map((s) => Float32Array.from({ length: s.reduce((a, b) => a * b, 1) }, () => rng.normal()));
}
function gradsAt(step: number): Float32Array[] {
  const rng = Rng.derive(17, step);
  return SHAPES.map((s) => Float32Array.from({ length: s.reduce((a, b) => a * b, 1) }, () => 0.1 * rng.normal()));
}
const variables = (values: Float32Array[]) => values.map((v, i) => tf.variable(tf.tensor(v, SHAPES[i])));
const bits = (vars: tf.Variable[]) => vars.map((v) => Buffer.from((v.dataSync() as Float32Array).slice().buffer));
const learningRateAt = (step: number) => (step < 10 ? 1e-2 : 3e-3); // a schedule change mid-way

/**
 * The naive reference: AdamW element by element in a plain loop, every operation rounded to
 * float32 as tf.train.adam's ops round it, the bias-correction powers as float32 running products.
 */
function referenceAdamW(w0: Float32Array[], steps: number, o: { beta1: number; beta2: number; epsilon: number; weightDecay: number }, scaleAt: (t: number) => number = () => 1): Float32Array[] {
  const w = w0.map((a) => a.slice());
  const m = w0.map((a) => new Float32Array(a.length));
  const v = w0.map((a) => new Float32Array(a.length));
  let acc1 = f(o.beta1);
  let acc2 = f(o.beta2);
  for (let t = 0; t < steps; t++) {
    const lr = learningRateAt(t);
    const g = gradsAt(t).map((a) => a.map((x) => f(x * f(scaleAt(t)))));
    for (let k = 0; k < w.length; k++) {
      for (let i = 0; i < w[k].length; i++) {
        m[k][i] = f(f(m[k][i] * f(o.beta1)) + f(g[k][i] * f(1 - o.beta1)));
        v[k][i] = f(f(v[k][i] * f(o.beta2)) + f(f(g[k][i] * g[k][i]) * f(1 - o.beta2)));
        const mHat = f(m[k][i] / f(1 - acc1));
        const vHat = f(v[k][i] / f(1 - acc2));
        let x = f(f(f(mHat / f(f(Math.sqrt(vHat)) + f(o.epsilon))) * f(-lr)) + w[k][i]);
        if (o.weightDecay > 0) x = f(x * f(1 - lr * o.weightDecay));
        w[k][i] = x;
      }
    }
    acc1 = f(acc1 * f(o.beta1));
    acc2 = f(acc2 * f(o.beta2));
  }
  return w;
}

function run(opt: AdamW, vars: tf.Variable[], from: number, to: number, scaleAt: (t: number) => number = () => 1): void {
  for (let t = from; t < to; t++) {
    opt.learningRate = learningRateAt(t);
    const g = gradsAt(t).map((a, i) => tf.tensor(a, SHAPES[i]));
    opt.apply(g, scaleAt(t));
    tf.dispose(g);
  }
}

describe('AdamW (training/optimizer.ts)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('β^t is the float32 running product tfjs keeps', () => {
    // 0.9 in float32 is 0.89999997615814208984375; its square rounds to 0.809999942779541015625
    expect(accumulatedPower(0.9, 1)).toBe(0.8999999761581421);
    expect(accumulatedPower(0.9, 2)).toBe(0.809999942779541);
    let p = f(0.999);
    for (let t = 2; t <= 500; t++) p = f(p * f(0.999));
    expect(accumulatedPower(0.999, 500)).toBe(p);
  });

  for (const weightDecay of [0, 0.05]) {
    it(`matches the naive float32 reference bit for bit (weight decay ${weightDecay}, learning-rate change at step 10)`, () => {
      const w0 = initial(1);
      const vars = variables(w0);
      const opt = new AdamW(vars, { learningRate: 1, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, weightDecay });
      run(opt, vars, 0, 20);
      expect(opt.step).toBe(20);
      const want = referenceAdamW(w0, 20, { beta1: 0.9, beta2: 0.999, epsilon: 1e-7, weightDecay });
      vars.forEach((v, k) => expect(Array.from(v.dataSync())).toEqual(Array.from(want[k])));
      opt.dispose();
      tf.dispose(vars);
    });
  }

  it('a gradient scale (global-norm clipping) multiplies the gradients first, as tf.mul would', () => {
    const scaleAt = (t: number) => (t % 4 === 2 ? 0.3 : 1);
    const o = { beta1: 0.9, beta2: 0.999, epsilon: 1e-7, weightDecay: 1e-3 };
    const w0 = initial(6);
    const vars = variables(w0);
    const opt = new AdamW(vars, { learningRate: 1, ...o });
    run(opt, vars, 0, 12, scaleAt);
    const want = referenceAdamW(w0, 12, o, scaleAt);
    vars.forEach((v, k) => expect(Array.from(v.dataSync())).toEqual(Array.from(want[k])));
    // and the scale mattered: unscaled gradients end elsewhere
    const unscaled = referenceAdamW(w0, 12, o);
    expect(Array.from(unscaled[0])).not.toEqual(Array.from(want[0]));
    opt.dispose();
    tf.dispose(vars);
  });

  it('weight decay 0 is bit-identical to tf.train.adam over 20 steps with a learning-rate change', () => {
    const ours = variables(initial(2));
    const theirs = variables(initial(2));
    const opt = new AdamW(ours, { learningRate: learningRateAt(0) }); // default β and ε, as tf.train.adam
    const adam = tf.train.adam(learningRateAt(0));
    for (let t = 0; t < 20; t++) {
      opt.learningRate = learningRateAt(t);
      (adam as unknown as { learningRate: number }).learningRate = learningRateAt(t);
      const g = gradsAt(t);
      const mine = g.map((a, i) => tf.tensor(a, SHAPES[i]));
      opt.apply(mine);
      const named: Record<string, tf.Variable> = {};
      theirs.forEach((v, i) => (named[v.name] = tf.variable(tf.tensor(g[i], SHAPES[i]), false)));
      adam.applyGradients(named);
      tf.dispose([...mine, ...Object.values(named)]);
    }
    const a = bits(ours);
    const b = bits(theirs);
    a.forEach((x, i) => expect(x.equals(b[i])).toBe(true));
    // the schedule really changed something: the same run at a constant rate ends elsewhere
    const constant = variables(initial(2));
    const opt2 = new AdamW(constant, { learningRate: learningRateAt(0) });
    for (let t = 0; t < 20; t++) {
      const g = gradsAt(t).map((x, i) => tf.tensor(x, SHAPES[i]));
      opt2.apply(g);
      tf.dispose(g);
    }
    expect(bits(constant)[0].equals(a[0])).toBe(false);
    [opt, opt2, adam].forEach((o) => o.dispose());
    tf.dispose([...ours, ...theirs, ...constant]);
  });

  it('resume is exact: save at step k, load into a fresh optimizer, continue = uninterrupted', () => {
    const o = { learningRate: learningRateAt(0), beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 1e-2 };
    const full = variables(initial(3));
    const a = new AdamW(full, o);
    run(a, full, 0, 20);

    const vars = variables(initial(3));
    const first = new AdamW(vars, o);
    run(first, vars, 0, 7);
    const dir = tmp();
    first.save(dir);
    first.dispose();
    const second = new AdamW(vars, o);
    second.load(dir);
    expect(second.step).toBe(7);
    expect(second.learningRate).toBe(learningRateAt(6));
    run(second, vars, 7, 20);
    const x = bits(full);
    bits(vars).forEach((b, i) => expect(b.equals(x[i])).toBe(true));
    // the file names its slots, step and hyperparameters
    const manifest = JSON.parse(readFileSync(join(dir, 'optimizer.json'), 'utf8'));
    expect(manifest).toMatchObject({ kind: 'tpcvision-adamw', version: 1, step: 7, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 1e-2 });
    expect(manifest.entries.map((e: { name: string }) => e.name)).toEqual([...vars.map((v) => `${v.name}/m`), ...vars.map((v) => `${v.name}/v`)]);
    [a, second].forEach((opt) => opt.dispose());
    tf.dispose([...full, ...vars]);
  });

  it('the learning-rate setter takes effect at the next step', () => {
    // one step from m = v = 0: m̂ = g, v̂ = g², so w moves by lr·g/(|g| + ε) ≈ lr·sign(g) (to float32
    // rounding of the bias corrections, ~1e-5 here); at the constructor's 0.1 it would end at 0.9, 1.1
    const v = [tf.variable(tf.tensor([1, 1], [2]))];
    const opt = new AdamW(v, { learningRate: 0.1, epsilon: 1e-7 });
    opt.learningRate = 0.5;
    expect(opt.learningRate).toBe(0.5);
    const g = tf.tensor([2, -3], [2]);
    opt.apply([g]);
    const w = Array.from(v[0].dataSync());
    expect(w[0]).toBeCloseTo(0.5, 4);
    expect(w[1]).toBeCloseTo(1.5, 4);
    opt.dispose();
    tf.dispose([g, ...v]);
  });

  it('refuses the older optimizer formats and other hyperparameters with an InputError naming the file', () => {
    const vars = variables(initial(4));
    const opt = new AdamW(vars, { learningRate: 1e-3 });
    const dir = tmp();
    // tf.train.adam's getWeights as the autoencoder wrote it, and overlap/adamw.ts's
    writeFileSync(join(dir, 'optimizer.bin'), new Uint8Array(4));
    writeFileSync(join(dir, 'optimizer.json'), JSON.stringify({ entries: [{ name: 'iter', shape: [], offset: 0, length: 1 }] }));
    expect(() => opt.load(dir)).toThrow(InputError);
    expect(() => opt.load(dir)).toThrow(/optimizer\.json: optimizer state in an older format .*retrain, or start without --resume/);
    writeFileSync(join(dir, 'optimizer.json'), JSON.stringify({ kind: 'adamw', step: 3, shapes: [[3, 2]] }));
    expect(() => opt.load(dir)).toThrow(/optimizer\.json: optimizer state in an older format \(kind "adamw".*retrain, or start without --resume/);
    opt.save(dir);
    const other = new AdamW(vars, { learningRate: 1e-3, beta2: 0.99 });
    expect(() => other.load(dir)).toThrow(/optimizer\.json: beta2: the checkpoint was trained with 0\.999, this run has 0\.99/);
    const smaller = new AdamW(vars.slice(1), { learningRate: 1e-3 });
    expect(() => smaller.load(dir)).toThrow(/holds 6 slots, the model needs 4/);
    [opt, other, smaller].forEach((o) => o.dispose());
    tf.dispose(vars);
  });
});
