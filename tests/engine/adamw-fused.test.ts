/**
 * The fused AdamW kernel (TpcAdamW, native/adamw.cc) against the optimizer's op-by-op path on tfjs's
 * cpu backend, bit for bit: 12 steps with a learning-rate change, global-norm clipping factors on
 * some steps (gradScale ≠ 1) and not on others, with and without weight decay, on variables of odd
 * sizes and one large enough for the OpenMP chunks. expectNative checks the kernel really ran.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { NATIVE_BACKEND, registerNativeBackend } from '../../src/engine/index.js';
import { TPC_ADAMW } from '../../src/engine/kernels/adamw.js';
import { AdamW, FUSED_ADAMW_KERNEL } from '../../src/training/optimizer.js';
import { expectNative } from './helpers.js';

const SHAPES = [[3, 3, 5, 7], [13], [600, 700]]; // the last: 420,000 elements, several parallel chunks
const size = (s: number[]) => s.reduce((p, d) => p * d, 1);
const STEPS = 12;
const lrAt = (t: number) => (t < 6 ? 2e-3 : 5e-4);
const scaleAt = (t: number) => (t % 3 === 1 ? 0.37 : 1); // clipping on some steps only

function gradients(t: number): Float32Array[] {
  const rng = Rng.derive(23, t);
  // mixed magnitudes so that v spans many binades and ε matters for the small ones
  return SHAPES.map((s) => Float32Array.from({ length: size(s) }, (_, i) => (i % 5 === 0 ? 1e-4 : 1) * rng.normal()));
}

function train(backend: string, weightDecay: number): Float32Array[] {
  tf.setBackend(backend);
  const rng = new Rng(5);
  const vars = SHAPES.map((s) => tf.variable(tf.tensor(Float32Array.from({ length: size(s) }, () => rng.normal()), s)));
  const opt = new AdamW(vars, { learningRate: lrAt(0), epsilon: 1e-7, weightDecay });
  for (let t = 0; t < STEPS; t++) {
    opt.learningRate = lrAt(t);
    const g = gradients(t).map((a, i) => tf.tensor(a, SHAPES[i]));
    const step = () => opt.apply(g, scaleAt(t));
    if (backend === NATIVE_BACKEND) expectNative(TPC_ADAMW, step);
    else step();
    tf.dispose(g);
  }
  const out = vars.map((v) => (v.dataSync() as Float32Array).slice());
  opt.dispose();
  tf.dispose(vars);
  return out;
}

describe('fused AdamW (TpcAdamW)', () => {
  beforeAll(async () => {
    registerNativeBackend();
    await tf.ready();
  });

  it('is the kernel the optimizer looks up, on the native backend only', () => {
    expect(FUSED_ADAMW_KERNEL).toBe(TPC_ADAMW);
    expect(tf.getKernel(TPC_ADAMW, NATIVE_BACKEND)).toBeDefined();
    expect(tf.getKernel(TPC_ADAMW, 'cpu')).toBeUndefined();
  });

  for (const weightDecay of [0, 1e-2]) {
    it(`equals the op-by-op update bit for bit (weight decay ${weightDecay}, clipping on some steps)`, () => {
      const ops = train('cpu', weightDecay);
      const fused = train(NATIVE_BACKEND, weightDecay);
      fused.forEach((w, k) => {
        expect(Buffer.from(w.buffer).equals(Buffer.from(ops[k].buffer)), `variable ${k} [${SHAPES[k]}]`).toBe(true);
      });
    });
  }

  it('leaks no tensors', () => {
    tf.setBackend(NATIVE_BACKEND);
    const w = [tf.variable(tf.ones([4, 4]))];
    const opt = new AdamW(w, { learningRate: 1e-3, weightDecay: 1e-4 });
    const g = [tf.ones([4, 4])];
    opt.apply(g, 0.5); // warm: the first apply creates nothing lasting beyond the slots either
    const before = tf.memory().numTensors;
    opt.apply(g, 0.5);
    expect(tf.memory().numTensors).toBe(before);
    opt.dispose();
    tf.dispose([...w, ...g]);
  });
});
