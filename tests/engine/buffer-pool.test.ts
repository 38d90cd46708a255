/**
 * The native output buffer pool (src/engine/buffer-pool.ts) reuses disposed outputs, but never a
 * buffer whose values were read (dataSync hands out the backing array) nor one that a cpu kernel
 * shares with another tensor (the cpu Slice kernel returns a subarray for contiguous slices).
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { drainPool, pooledBytes } from '../../src/engine/buffer-pool.js';
import { NATIVE_BACKEND, registerNativeBackend } from '../../src/engine/index.js';
import { randomArray } from './helpers.js';

const ROWS = 16;
const COLS = 100; // 1600 elements: native Relu (≥ 1024), slices of a few rows fall back to cpu Slice

const relu = (v: Float32Array) => v.map((a) => Math.max(a, 0));

/** Several native outputs of the same size, so a wrongly pooled buffer would be overwritten. */
function churn(rng: Rng): void {
  for (let i = 0; i < 4; i++) tf.tidy(() => tf.add(tf.relu(tf.tensor2d(randomArray(rng, ROWS * COLS), [ROWS, COLS])), 1));
}

describe('native output buffer pool', () => {
  beforeAll(async () => {
    registerNativeBackend();
    await tf.setBackend(NATIVE_BACKEND);
  });

  it('reuses the buffer of a disposed, unread output', () => {
    drainPool();
    const rng = new Rng(1);
    const x = tf.tensor2d(randomArray(rng, ROWS * COLS), [ROWS, COLS]);
    const y = tf.relu(x);
    y.dispose();
    expect(pooledBytes()).toBe(4 * ROWS * COLS);
    const z = tf.relu(x); // takes it back
    expect(pooledBytes()).toBe(0);
    expect(Array.from(z.dataSync())).toEqual(Array.from(relu(x.dataSync() as Float32Array)));
    tf.dispose([x, z]);
  });

  it('leaves values that were read intact after the tensor is disposed', () => {
    const rng = new Rng(2);
    const input = randomArray(rng, ROWS * COLS);
    const y = tf.tidy(() => tf.relu(tf.tensor2d(input, [ROWS, COLS])));
    const read = y.dataSync();
    y.dispose();
    churn(rng);
    expect(Array.from(read)).toEqual(Array.from(relu(input)));
  });

  it('never reuses a buffer that a cpu Slice view shares', () => {
    const rng = new Rng(3);
    const input = randomArray(rng, ROWS * COLS);
    const y = tf.tidy(() => tf.relu(tf.tensor2d(input, [ROWS, COLS])));
    const rows = tf.slice(y, [2, 0], [3, COLS]); // contiguous, 300 elements: cpu Slice, a subarray of y's buffer
    y.dispose();
    churn(rng);
    expect(Array.from(rows.dataSync())).toEqual(Array.from(relu(input.slice(2 * COLS, 5 * COLS))));
    rows.dispose();
  });

  it('is correct under tf.tidy with intermediates disposed in between', () => {
    const rng = new Rng(4);
    const input = randomArray(rng, ROWS * COLS);
    const kept = tf.tidy(() => {
      const a = tf.relu(tf.tensor2d(input, [ROWS, COLS]));
      const b = tf.mul(a, 2);
      return tf.tidy(() => tf.add(tf.relu(b), tf.neg(tf.relu(tf.neg(b))))); // = b
    });
    churn(rng);
    expect(Array.from(kept.dataSync())).toEqual(Array.from(relu(input).map((v) => 2 * v)));
    kept.dispose();
  });
});
