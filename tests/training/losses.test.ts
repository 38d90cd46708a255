import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Rng } from '../../src/core/rng.js';
import { InputError } from '../../src/core/errors.js';
import { autoLambda, hybridLoss, maskOccupancy, refinedLoss } from '../../src/training/losses.js';
import { ssimReference } from '../../src/training/ssim.js';
import { injectStructures } from '../../src/training/injection.js';
import { expectClose } from '../helpers/close.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

const H = 12;
const W = 12;

/** A 0/1 mask of the top `rows` rows, [1, H, W, 1]: occupancy rows/H. */
function topRowsMask(rows: number): Float32Array {
  return Float32Array.from({ length: H * W }, (_, i) => (Math.floor(i / W) < rows ? 1 : 0));
}

function value(f: () => tf.Scalar): number {
  return tf.tidy(() => f().dataSync()[0]);
}

function t4(data: Float32Array, n = 1): tf.Tensor4D {
  return tf.tensor4d(data, [n, H, W, 1]);
}

describe('hybridLoss and refinedLoss by hand', () => {
  it('are 0 when the reconstruction is perfect', () => {
    const rng = new Rng(1);
    const x = Float32Array.from({ length: 2 * H * W }, () => rng.uniform());
    const m = Float32Array.from({ length: 2 * H * W }, () => (rng.uniform() < 0.3 ? 1 : 0));
    expectClose(value(() => hybridLoss(t4(x, 2), t4(x, 2))), 0, 1e-7, 0);
    expectClose(value(() => refinedLoss(t4(x, 2), t4(x, 2), t4(m, 2))), 0, 1e-7, 0);
  });

  it('on a constant image with a constant offset give the formula values', () => {
    // x ≡ 0.5, x̂ ≡ 0.6 (d = 0.1): σ = 0, so SSIM = (2·0.5·0.6 + 1e-4)/(0.25 + 0.36 + 1e-4) = 0.6001/0.6101,
    // 1 − SSIM = 0.01/0.6101 = 0.0163907556; MSE = d² = 0.01.
    // hybrid  = 0.55·0.0163907556 + 0.45·0.01                  = 0.0135149156
    // refined = 0.55·0.0163907556 + 0.45·(1 + 30·0.25)·0.01     = 0.0472649156   (mask: top 3 of 12 rows, p = 0.25)
    const x = new Float32Array(H * W).fill(0.5);
    const xhat = new Float32Array(H * W).fill(0.6);
    const m = topRowsMask(3);
    expectClose(value(() => hybridLoss(t4(x), t4(xhat))), 0.0135149156, 2e-7, 0);
    expectClose(value(() => refinedLoss(t4(x), t4(xhat), t4(m))), 0.0472649156, 2e-7, 0);
  });

  it('on a textured image with an offset d: (1−α)(1 + λp)d² plus the SSIM term of the reference', () => {
    const rng = new Rng(2);
    const d = 0.05;
    const x = Float32Array.from({ length: H * W }, () => 0.2 + 0.6 * rng.uniform());
    const xhat = x.map((v) => v + d);
    const m = topRowsMask(4); // p = 1/3
    const alpha = 0.55;
    const lambda = 30;
    const ssimTerm = 1 - ssimReference(x, xhat, W, H);
    const expected = alpha * ssimTerm + (1 - alpha) * (1 + (lambda * 4) / 12) * d * d;
    expectClose(value(() => refinedLoss(t4(x), t4(xhat), t4(m), alpha, lambda)), expected, 1e-6, 1e-5);
    expectClose(value(() => hybridLoss(t4(x), t4(xhat), alpha)), alpha * ssimTerm + (1 - alpha) * d * d, 1e-6, 1e-5);
  });

  it('λ adds exactly (1 − α)·λ·mean(m·(x̂ − x)²), and λ = 0 gives the hybrid loss', () => {
    const rng = new Rng(3);
    const x = Float32Array.from({ length: 2 * H * W }, () => rng.uniform());
    const xhat = Float32Array.from({ length: 2 * H * W }, () => rng.uniform());
    const m = Float32Array.from({ length: 2 * H * W }, () => (rng.uniform() < 0.2 ? 1 : 0));
    let maskedSq = 0;
    for (let i = 0; i < x.length; i++) maskedSq += m[i] * (xhat[i] - x[i]) ** 2;
    maskedSq /= x.length;
    const alpha = 0.55;
    const base = value(() => refinedLoss(t4(x, 2), t4(xhat, 2), t4(m, 2), alpha, 0));
    expectClose(base, value(() => hybridLoss(t4(x, 2), t4(xhat, 2), alpha)), 1e-7, 0);
    for (const lambda of [1, 10, 30]) {
      const l = value(() => refinedLoss(t4(x, 2), t4(xhat, 2), t4(m, 2), alpha, lambda));
      expectClose(l - base, (1 - alpha) * lambda * maskedSq, 1e-6, 1e-5);
    }
  });

  it('does not weight the SSIM term: with α = 1 the mask has no effect', () => {
    const rng = new Rng(4);
    const x = Float32Array.from({ length: H * W }, () => rng.uniform());
    const xhat = x.map((v) => 0.9 * v + 0.05);
    const a = value(() => refinedLoss(t4(x), t4(xhat), t4(topRowsMask(6)), 1, 30));
    const b = value(() => refinedLoss(t4(x), t4(xhat), t4(new Float32Array(H * W)), 1, 30));
    expect(a).toBe(b);
    expectClose(a, 1 - ssimReference(x, xhat, W, H), 1e-6, 0);
  });
});

describe('gradients', () => {
  it('exist and are finite for both losses (tf.grad with respect to x̂)', () => {
    const rng = new Rng(5);
    const x = t4(Float32Array.from({ length: H * W }, () => rng.uniform()));
    const xhat = t4(Float32Array.from({ length: H * W }, () => rng.uniform()));
    const m = t4(topRowsMask(5));
    const before = tf.memory().numTensors;
    for (const loss of [(y: tf.Tensor) => hybridLoss(x, y as tf.Tensor4D), (y: tf.Tensor) => refinedLoss(x, y as tf.Tensor4D, m)]) {
      const g = tf.grad(loss)(xhat);
      const values = g.dataSync();
      expect(values.every(Number.isFinite)).toBe(true);
      expect(values.some((v) => v !== 0)).toBe(true);
      g.dispose();
    }
    expect(tf.memory().numTensors).toBe(before); // the losses keep no intermediates
    tf.dispose([x, xhat, m]);
  });

  it('of the weighted MSE alone (α = 0) is 2(1 + λm)(x̂ − x)/(N·H·W) per pixel', () => {
    const rng = new Rng(6);
    const xs = Float32Array.from({ length: H * W }, () => rng.uniform());
    const ys = Float32Array.from({ length: H * W }, () => rng.uniform());
    const m = topRowsMask(2);
    const grad = tf.tidy(() => {
      const x = t4(xs);
      return tf.grad((y: tf.Tensor) => refinedLoss(x, y as tf.Tensor4D, t4(m), 0, 30))(t4(ys)).dataSync().slice();
    });
    const expected = Array.from(ys, (y, i) => (2 * (1 + 30 * m[i]) * (y - xs[i])) / (H * W));
    expectClose(grad, expected, 1e-7, 1e-5);
  });
});

describe('autoLambda', () => {
  it('is 1/p − 1 for hand-made masks', () => {
    // p = (36 + 0) / 288 = 1/8 → λ = 7
    expect(autoLambda([topRowsMask(3), new Float32Array(H * W)])).toBe(7);
    expect(autoLambda([topRowsMask(6)])).toBe(1); // p = 1/2
    expect(() => autoLambda([new Uint8Array(10)])).toThrow(InputError);
    expect(() => autoLambda([])).toThrow(InputError);
  });

  it('on injection masks equals 1/occupancy − 1 (and is large: masks are sparse)', () => {
    const image = new Float32Array(64 * 64).fill(0.2);
    const masks = Array.from({ length: 8 }, (_, k) => injectStructures(image, 64, 64, Rng.derive(9, k)).mask);
    let ones = 0;
    for (const mk of masks) for (const v of mk) ones += v;
    const p = ones / (8 * 64 * 64);
    expect(maskOccupancy(masks)).toBe(p);
    expectClose(autoLambda(masks), 1 / p - 1, 1e-12, 0);
    expect(autoLambda(masks)).toBeGreaterThan(0);
  });
});

describe('input checks', () => {
  it('rejects mismatched shapes and α outside [0, 1]', () => {
    const a = tf.zeros([1, 12, 12, 1]) as tf.Tensor4D;
    const b = tf.zeros([1, 12, 13, 1]) as tf.Tensor4D;
    expect(() => hybridLoss(a, b)).toThrow(InputError);
    expect(() => refinedLoss(a, a, b)).toThrow(InputError);
    expect(() => hybridLoss(a, a, 1.5)).toThrow(InputError);
    expect(() => refinedLoss(a, a, a, 0.55, -1)).toThrow(InputError);
    tf.dispose([a, b]);
  });
});
