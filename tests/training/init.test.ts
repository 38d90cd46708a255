/**
 * Seeded initialisation: the same seed gives the same weights; Kaiming-normal kernels have the
 * reference's spread (std √(2 / fan_in), fan_in of a depthwise kernel = k·k), Glorot-uniform ones
 * their bound; biases and betas 0, gammas 1.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { buildOasisUnet } from '../../src/models/oasis-unet.js';
import { initializeWeights, kernelFans } from '../../src/training/init.js';

const std = (a: Float32Array) => {
  const m = a.reduce((s, v) => s + v, 0) / a.length;
  return Math.sqrt(a.reduce((s, v) => s + (v - m) ** 2, 0) / a.length);
};

describe('seeded weight initialisation', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('fans: conv kernels count input channels, depthwise kernels one', () => {
    expect(kernelFans('c/kernel', [3, 3, 16, 32])).toEqual([144, 288]);
    expect(kernelFans('d/depthwise_kernel', [3, 3, 16, 1])).toEqual([9, 9]);
    expect(kernelFans('dense/kernel', [10, 4])).toEqual([10, 4]);
  });

  it('kaiming-normal: std √(2/fan_in) per kernel, zero biases and betas, unit gammas, same seed same weights', () => {
    const m = buildOasisUnet({ height: 16, width: 16, base: 16 });
    initializeWeights(m, new Rng(5), { kernels: 'kaiming-normal' });
    for (const w of m.weights) {
      const v = w.read().dataSync() as Float32Array;
      const name = w.originalName;
      if (/kernel/.test(name) && v.length >= 500) {
        const [fanIn] = kernelFans(name, w.shape as number[]);
        expect(std(v) / Math.sqrt(2 / fanIn), name).toBeGreaterThan(0.9);
        expect(std(v) / Math.sqrt(2 / fanIn), name).toBeLessThan(1.1);
      } else if (/bias|beta/.test(name)) {
        expect(v.every((x) => x === 0), name).toBe(true);
      } else if (/gamma/.test(name)) {
        expect(v.every((x) => x === 1), name).toBe(true);
      }
    }
    const again = buildOasisUnet({ height: 16, width: 16, base: 16 });
    initializeWeights(again, new Rng(5), { kernels: 'kaiming-normal' });
    expect(Array.from(again.weights[4].read().dataSync())).toEqual(Array.from(m.weights[4].read().dataSync()));
    // depthwise kernels (3·3·64 values at down3): std √(2/9), not √(2/(9·64))
    const dw = m.weights.find((w) => w.originalName === 'down3_dw/depthwise_kernel')!;
    expect(std(dw.read().dataSync() as Float32Array)).toBeGreaterThan(0.9 * Math.sqrt(2 / 9));
  });

  it('glorot-uniform stays the default: every kernel within ±√(6/(fan_in + fan_out)) and filling it', () => {
    const m = buildOasisUnet({ height: 16, width: 16, base: 8 });
    initializeWeights(m, new Rng(6));
    const w = m.weights.find((x) => x.originalName === 'down2_conv1/kernel')!;
    const v = w.read().dataSync() as Float32Array;
    const limit = Math.sqrt(6 / (9 * 16 + 9 * 32));
    expect(Math.max(...v.map(Math.abs))).toBeLessThanOrEqual(limit);
    expect(Math.max(...v.map(Math.abs))).toBeGreaterThan(0.95 * limit);
  });
});
