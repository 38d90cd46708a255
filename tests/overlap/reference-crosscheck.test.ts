/**
 * tpcvision's OASIS U-Net and loss against the public reference (jschuel/OASIS UNetSmall and
 * SegRegLoss, run in PyTorch by bench/oasis_reference.py; fixtures in fixtures/oasis-reference/):
 * the reference's seeded weights loaded by name into our model give the reference's outputs, loss
 * values (nominal and unweighted) and gradients, on tfjs's cpu backend and on the native one.
 * Where ports go wrong and what each comparison would catch: the stride-2 depthwise padding (TF's
 * 'same' shifts the image a pixel), bilinear alignment, GroupNorm ε and grouping, softplus, the
 * concat order of the skips, the L_reg denominator (Σ channel weights × valid pixels) and TV per edge.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { resolveOasisConfig } from '../../src/config/oasis.js';
import { NATIVE_BACKEND, registerNativeBackend } from '../../src/engine/index.js';
import { buildOasisUnet } from '../../src/models/oasis-unet.js';
import { oasisLoss, regionWeightMap } from '../../src/overlap/loss.js';
import { loadTensors } from '../../src/training/checkpoint.js';
import { relativeError } from '../engine/helpers.js';

const DIR = fileURLToPath(new URL('./fixtures/oasis-reference/', import.meta.url));

interface Terms {
  loss: number;
  reg: number;
  tv: number;
}
interface Cases {
  base: number;
  shape: [number, number, number];
  input: number[];
  target: number[];
  valid: number[];
  output: number[];
  loss: { nominal: Terms; unweighted: Terms };
  grad: Record<string, { shape: number[]; values: number[] }>;
}

const cases = JSON.parse(readFileSync(`${DIR}cases.json`, 'utf8')) as Cases;
const [N, H, W] = cases.shape;
// float32 differences of two libraries' kernels (summation order, exp/log1p): measured ≤ ~4e-6 relative
const TOL = 1e-4;

/** Our model with the reference's weights, each matched by name (not by position). */
function referenceModel() {
  const model = buildOasisUnet({ height: H, width: W, base: cases.base });
  const saved = new Map(loadTensors(DIR, 'weights').entries.map((e) => [e.name, e]));
  expect(saved.size).toBe(model.weights.length);
  model.setWeights(
    model.weights.map((w) => {
      const s = saved.get(w.originalName);
      if (!s) throw new Error(`the reference fixture has no weight ${w.originalName}`);
      expect(s.shape).toEqual(w.shape);
      return tf.tensor(s.values, s.shape, 'float32');
    }),
  );
  return model;
}

function targets() {
  const er = new Float32Array(N * H * W);
  const nr = new Float32Array(N * H * W);
  for (let i = 0; i < N * H * W; i++) {
    er[i] = cases.target[2 * i];
    nr[i] = cases.target[2 * i + 1];
  }
  return { er, nr };
}

function lossOf(pred: tf.Tensor4D, preset: 'nominal' | 'unweighted') {
  const cfg = resolveOasisConfig(preset).loss;
  const { er, nr } = targets();
  const weight = regionWeightMap(er, nr, cases.valid, cfg.regionWeights);
  const l = oasisLoss(pred, tf.tensor4d(cases.target, [N, H, W, 2]), tf.tensor4d(cases.valid, [N, H, W, 1]), tf.tensor4d(weight, [N, H, W, 1]), cfg);
  return l;
}

describe.each(['cpu', NATIVE_BACKEND])('OASIS reference cross-check (%s)', (backend) => {
  it('the reference weights give the reference outputs, losses and gradients', async () => {
    if (backend === NATIVE_BACKEND) registerNativeBackend();
    await tf.setBackend(backend);
    const model = referenceModel();
    const input = tf.tensor4d(cases.input, [N, H, W, 1]);
    const out = model.predict(input) as tf.Tensor4D;
    expect(out.shape).toEqual([N, H, W, 2]);
    expect(relativeError(out.dataSync(), cases.output)).toBeLessThan(TOL);
    // losses of the reference's output-equal prediction
    for (const preset of ['nominal', 'unweighted'] as const) {
      const l = lossOf(out, preset);
      const want = cases.loss[preset];
      expect(Math.abs(l.reg.dataSync()[0] - want.reg) / want.reg, `${preset} reg`).toBeLessThan(TOL);
      expect(Math.abs(l.tv.dataSync()[0] - want.tv) / want.tv, `${preset} tv`).toBeLessThan(TOL);
      expect(Math.abs(l.total.dataSync()[0] - want.loss) / want.loss, `${preset} total`).toBeLessThan(TOL);
    }
    // the nominal loss's gradient for weights at every depth of the network
    const byName = new Map(model.trainableWeights.map((w) => [w.originalName, w.read() as tf.Variable]));
    const names = Object.keys(cases.grad);
    const { grads } = tf.variableGrads(() => lossOf(model.apply(input) as tf.Tensor4D, 'nominal').total, names.map((n) => byName.get(n)!));
    for (const name of names) {
      const g = grads[byName.get(name)!.name];
      expect(g.shape, name).toEqual(cases.grad[name].shape);
      expect(relativeError(g.dataSync(), cases.grad[name].values), name).toBeLessThan(TOL);
    }
    tf.dispose([input, out, ...Object.values(grads)]);
    model.dispose();
  });
});

describe('the comparison can fail', () => {
  it('TensorFlow-style depthwise padding or a 2·#valid L_reg denominator would be caught', async () => {
    await tf.setBackend('cpu');
    // a one-pixel shift of the input changes the outputs far beyond the tolerance
    const model = referenceModel();
    const shifted = new Float32Array(cases.input.length);
    for (let n = 0; n < N; n++) for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) shifted[(n * H + y) * W + x] = cases.input[(n * H + Math.min(y + 1, H - 1)) * W + Math.min(x + 1, W - 1)];
    const out = model.predict(tf.tensor4d(shifted, [N, H, W, 1])) as tf.Tensor4D;
    expect(relativeError(out.dataSync(), cases.output)).toBeGreaterThan(100 * TOL);
    // the nominal reg term divided by 2·#valid instead of (5 + 1)·#valid would be 3× the reference's
    const ref = tf.tensor4d(cases.output, [N, H, W, 2]);
    const reg = lossOf(ref, 'nominal').reg.dataSync()[0];
    expect(Math.abs(3 * reg - cases.loss.nominal.reg) / cases.loss.nominal.reg).toBeGreaterThan(1);
    model.dispose();
  });
});
