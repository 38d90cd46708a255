/**
 * Every native kernel against tfjs's reference cpu backend on seeded random shapes (stride 2, odd
 * sizes, batch > 1, both paddings), relative error < 1e-4 in float32. Sizes stay small (fast on two
 * cores) but above NATIVE_MIN_ELEMENTS so the element-wise kernels take the native path; each
 * comparison names the kernels it is about and asserts (expectNative) that they ran natively, so
 * that none of them compares the cpu kernel with itself. Cases that a native kernel deliberately
 * hands to the cpu kernel (tiny outputs, strided 1×1 convolutions) are compared without that claim.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  Add, BatchMatMul, Concat, Conv2D, Conv2DBackpropFilter, Conv2DBackpropInput, Exp, FusedBatchNorm, FusedConv2D, Maximum, Mean, Minimum,
  Multiply, Neg, RealDiv, Relu, Rsqrt, Sigmoid, Slice, Softplus, SplitV, Sqrt, Square, SquaredDifference, Step, Sub, Sum, Tile,
} from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { loadNativeAddon, NATIVE_BACKEND, registerNativeBackend } from '../../src/engine/index.js';
import { TPC_CENTRED_CHANNEL_SUM, TPC_RELU_GRAD, TPC_SQDIFF_GRAD } from '../../src/engine/kernels/fused-grads.js';
import { expectClose, expectNative, randomArray } from './helpers.js';

/**
 * Runs fn on cpu and on the native backend with the same inputs; returns both flat outputs. On the
 * native backend each of `kernels` must run natively (expectNative); [] claims nothing.
 */
async function both(kernels: string[], fn: () => tf.Tensor | tf.Tensor[]): Promise<[Float32Array[], Float32Array[]]> {
  const run = async (name: string) => {
    await tf.setBackend(name);
    const outs = name === NATIVE_BACKEND ? expectNative(kernels, () => tf.tidy(fn)) : tf.tidy(fn);
    const list = Array.isArray(outs) ? outs : [outs];
    const data = list.map((t) => t.dataSync() as Float32Array);
    tf.dispose(list);
    return data;
  };
  return [await run('cpu'), await run(NATIVE_BACKEND)];
}

/** fn on both backends, outputs compared to tol; `kernels` must have run natively. */
async function checkNative(kernels: string[], what: string, fn: () => tf.Tensor | tf.Tensor[], tol = 1e-4): Promise<void> {
  const [ref, nat] = await both(kernels, fn);
  ref.forEach((r, i) => expectClose(nat[i], r, tol, `${what}[${i}]`));
}

/** The same for a case a native kernel hands to the cpu kernel: the fallback must match too. */
const checkFallback = (what: string, fn: () => tf.Tensor | tf.Tensor[]) => checkNative([], what, fn);

beforeAll(() => registerNativeBackend());

describe('native convolution kernels', () => {
  it('pick optimised oneDNN implementations, never the reference one', () => {
    const addon = loadNativeAddon();
    const g: Parameters<typeof addon.conv2dImplInfo> extends [unknown, ...infer R] ? R : never = [
      [2, 32, 32, 22], [3, 3, 22, 44], [2, 16, 16, 44], [2, 2], [0, 1, 0, 1], [1, 1],
    ];
    for (const kind of ['fwd', 'bwd_data', 'bwd_weights'] as const) {
      expect(addon.conv2dImplInfo(kind, ...g)).not.toMatch(/^ref/);
    }
  });

  it('Conv2D, FusedConv2D, Conv2DBackpropInput/Filter and conv2dTranspose match cpu', async () => {
    const rng = new Rng(1234);
    for (let trial = 0; trial < 8; trial++) {
      const n = rng.int(1, 3);
      const h = rng.int(5, 17);
      const w = rng.int(5, 17);
      const cin = rng.int(1, 6);
      const cout = rng.int(1, 6);
      const k = rng.int(1, 3) === 1 ? 1 : 3;
      const stride = rng.int(1, 2);
      const pad = rng.uniform() < 0.5 ? 'same' : 'valid';
      const xv = randomArray(rng, n * h * w * cin);
      const wv = randomArray(rng, k * k * cin * cout);
      const bv = randomArray(rng, cout);
      const label = `trial ${trial}: [${n},${h},${w},${cin}] k${k} s${stride} ${pad} -> ${cout}`;
      if (process.env.TPC_DEBUG) console.log(label);
      const x = () => tf.tensor4d(xv, [n, h, w, cin]);
      const f = () => tf.tensor4d(wv, [k, k, cin, cout]);
      // oneDNN's strided 1×1 kernels are not used (conv-geometry.ts): those trials test the fallback
      const native = k === 1 && stride > 1 ? [] : [Conv2D];
      const nativeFused = k === 1 && stride > 1 ? [] : [FusedConv2D];
      const nativeGrads = k === 1 && stride > 1 ? [] : [Conv2DBackpropInput, Conv2DBackpropFilter];
      await checkNative(native, `conv2d ${label}`, () => tf.conv2d(x(), f(), stride, pad));
      await checkNative(nativeFused, `fused conv2d ${label}`, () =>
        tf.fused.conv2d({ x: x(), filter: f(), strides: stride, pad, bias: tf.tensor1d(bv), activation: 'relu' }),
      );
      // Gradients through Conv2DBackpropInput and Conv2DBackpropFilter.
      await checkNative(nativeGrads, `conv2d grads ${label}`, () => {
        const y = tf.conv2d(x(), f(), stride, pad);
        const r = tf.tensor(randomArray(new Rng(trial), y.size), y.shape);
        return tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad), r)))([x(), f()]);
      });
      // Transposed convolution (decoder up-sampling): filter [k, k, out, in].
      const oh = stride * h;
      const ow = stride * w;
      if (pad === 'same') {
        await checkNative(k === 1 && stride > 1 ? [] : [Conv2DBackpropInput], `conv2dTranspose ${label}`, () =>
          tf.conv2dTranspose(x(), tf.tensor4d(wv, [k, k, cout, cin]), [n, oh, ow, cout], stride, 'same'),
        );
      }
    }
  });

  it('blocked filter layouts (channel counts not multiples of 16, as in the autoencoder) match cpu', async () => {
    // oneDNN picks e.g. Acdb48a (forward), ABcd16a16b (backward-data), ABcd16b16a (backward-weights)
    // with padded lanes; conv.cc scatters/gathers the hwio filter into them itself.
    const rng = new Rng(777);
    for (const [cin, cout, stride] of [[22, 44, 2], [66, 44, 1], [44, 22, 1], [17, 35, 2]] as const) {
      const n = 2;
      const h = 9;
      const w = 11;
      const xv = randomArray(rng, n * h * w * cin);
      const wv = randomArray(rng, 9 * cin * cout);
      const label = `${cin} -> ${cout} s${stride}`;
      await checkNative([Conv2D, Conv2DBackpropInput, Conv2DBackpropFilter], `conv2d grads ${label}`, () => {
        const y = tf.conv2d(tf.tensor4d(xv, [n, h, w, cin]), tf.tensor4d(wv, [3, 3, cin, cout]), stride, 'same');
        const r = tf.tensor(randomArray(new Rng(cin), y.size), y.shape);
        return [
          y,
          ...tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, 'same'), r)))([
            tf.tensor4d(xv, [n, h, w, cin]),
            tf.tensor4d(wv, [3, 3, cin, cout]),
          ]),
        ];
      });
    }
  });

  it('single-channel loops (stride 1, Cout = 1 forward/filter gradient, Cin = 1 input gradient) match cpu', async () => {
    const addon = loadNativeAddon();
    const rng = new Rng(4321);
    // [n, h, w, wide channels, kh, kw, pad]: odd sizes, batch > 1, kernels wider than the image
    // border, non-square kernels, 1×1; the wide side 22 as in the autoencoder's output conv, and
    // once above kParallelMin elements so that the loops run on all threads.
    const cases: Array<[number, number, number, number, number, number, 'same' | 'valid']> = [
      [2, 13, 11, 22, 3, 3, 'same'],
      [4, 64, 61, 22, 3, 3, 'same'],
      [3, 9, 14, 5, 3, 3, 'valid'],
      [1, 7, 6, 17, 5, 3, 'same'],
      [2, 4, 5, 3, 5, 5, 'same'],
      [2, 8, 9, 7, 1, 1, 'valid'],
    ];
    for (const [n, h, w, c, kh, kw, pad] of cases) {
      const label = `[${n},${h},${w}] wide ${c} k${kh}×${kw} ${pad}`;
      const xv = randomArray(rng, n * h * w * c);
      const x1v = randomArray(rng, n * h * w);
      const wv = randomArray(rng, kh * kw * c);
      const bv = randomArray(rng, 1);
      const toOne = () => tf.tensor4d(wv, [kh, kw, c, 1]); // Cout = 1
      const fromOne = () => tf.tensor4d(wv, [kh, kw, 1, c]); // Cin = 1
      await checkNative([Conv2D], `Cout=1 forward ${label}`, () => tf.conv2d(tf.tensor4d(xv, [n, h, w, c]), toOne(), 1, pad));
      await checkNative([FusedConv2D], `Cout=1 fused ${label}`, () =>
        tf.fused.conv2d({ x: tf.tensor4d(xv, [n, h, w, c]), filter: toOne(), strides: 1, pad, bias: tf.tensor1d(bv), activation: 'sigmoid' }),
      );
      await checkNative([Conv2DBackpropInput, Conv2DBackpropFilter], `Cout=1 grads ${label}`, () => {
        const y = tf.conv2d(tf.tensor4d(xv, [n, h, w, c]), toOne(), 1, pad);
        const r = tf.tensor(randomArray(new Rng(c), y.size), y.shape);
        return tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, pad), r)))([
          tf.tensor4d(xv, [n, h, w, c]),
          toOne(),
        ]);
      });
      await checkNative([Conv2DBackpropInput, Conv2DBackpropFilter], `Cin=1 grads ${label}`, () => {
        const y = tf.conv2d(tf.tensor4d(x1v, [n, h, w, 1]), fromOne(), 1, pad);
        const r = tf.tensor(randomArray(new Rng(c + 1), y.size), y.shape);
        return tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, pad), r)))([
          tf.tensor4d(x1v, [n, h, w, 1]),
          fromOne(),
        ]);
      });
    }
    // The autoencoder's output conv takes the loops, its stride-2 cousins stay on oneDNN.
    const out: Parameters<typeof addon.conv2dImplInfo> extends [unknown, ...infer R] ? R : never = [
      [2, 16, 16, 22], [3, 3, 22, 1], [2, 16, 16, 1], [1, 1], [1, 1, 1, 1], [1, 1],
    ];
    expect(addon.conv2dImplInfo('fwd', ...out)).toBe('tpc:single_channel');
    expect(addon.conv2dImplInfo('bwd_weights', ...out)).toBe('tpc:single_channel');
    expect(addon.conv2dImplInfo('bwd_data', ...out)).not.toMatch(/^ref|single/);
    const strided: typeof out = [[2, 16, 16, 22], [3, 3, 22, 1], [2, 8, 8, 1], [2, 2], [0, 1, 0, 1], [1, 1]];
    expect(addon.conv2dImplInfo('fwd', ...strided)).not.toMatch(/^ref|single/);
  });
});

describe('native dense, element-wise and layout kernels', () => {
  const rng = new Rng(99);
  const shape: [number, number, number, number] = [2, 9, 11, 13]; // 2574 elements, odd sizes
  const size = 2 * 9 * 11 * 13;
  const av = randomArray(rng, size);
  const bv = randomArray(rng, size, 0.5, 2);
  const cv = randomArray(rng, 13, 0.5, 2);
  const a = () => tf.tensor4d(av, shape);
  const b = () => tf.tensor4d(bv, shape);
  const c = () => tf.tensor1d(cv);

  it('BatchMatMul with transposes and batch broadcast', async () => {
    const m = randomArray(rng, 3 * 17 * 40);
    const q = randomArray(rng, 3 * 40 * 23);
    const q1 = randomArray(rng, 40 * 23);
    await checkNative([BatchMatMul], 'matmul', () => tf.matMul(tf.tensor3d(m, [3, 17, 40]), tf.tensor3d(q, [3, 40, 23])));
    await checkNative([BatchMatMul], 'matmul tA', () => tf.matMul(tf.tensor3d(m, [3, 40, 17]), tf.tensor3d(q, [3, 40, 23]), true, false));
    await checkNative([BatchMatMul], 'matmul tB', () => tf.matMul(tf.tensor3d(m, [3, 17, 40]), tf.tensor3d(q, [3, 23, 40]), false, true));
    await checkNative([BatchMatMul], 'matmul bcast', () => tf.matMul(tf.tensor3d(m, [3, 17, 40]), tf.tensor2d(q1, [40, 23])));
    await checkNative([BatchMatMul], 'dense grads', () =>
      tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.square(tf.matMul(x as tf.Tensor2D, y as tf.Tensor2D))))([
        tf.tensor2d(m.subarray(0, 17 * 40), [17, 40]),
        tf.tensor2d(q1, [40, 23]),
      ]),
    );
  });

  it('unary activations', async () => {
    await checkNative([Relu], 'relu', () => tf.relu(a()));
    await checkNative([Sigmoid], 'sigmoid', () => tf.sigmoid(a()));
    await checkNative([Step], 'step', () => tf.step(a(), 0.25));
    await checkNative([Relu, TPC_RELU_GRAD], 'relu gradient (fused on native)', () => tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.relu(x), b())))(a()));
    await checkNative([SquaredDifference, TPC_SQDIFF_GRAD], 'squared difference gradient (fused on native)', () =>
      tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.squaredDifference(x, c()), b())))(a()),
    );
    await checkNative([Neg, Square, Exp, Rsqrt], 'neg/square/exp/rsqrt', () => [tf.neg(a()), tf.square(a()), tf.exp(a()), tf.rsqrt(b())]);
    // softplus over all three branches of tfjs's formula (exp below −13.9, x above 13.9, log1p between)
    await checkNative([Sqrt, Softplus], 'sqrt/softplus', () => [tf.sqrt(b()), tf.softplus(tf.mul(a(), 40))]);
  });

  it('binary ops in every broadcast pattern', async () => {
    // outputs [i] follow this order (the scalar case: two per op)
    const ops = [tf.add, tf.sub, tf.mul, tf.div, tf.squaredDifference, tf.maximum, tf.minimum];
    const kernels = [Add, Sub, Multiply, RealDiv, SquaredDifference, Maximum, Minimum];
    await checkNative(kernels, 'same', () => ops.map((op) => op(a(), b())));
    await checkNative(kernels, 'b chan', () => ops.map((op) => op(a(), c())));
    await checkNative(kernels, 'a chan', () => ops.map((op) => op(tf.reshape(c(), [1, 1, 1, 13]), b())));
    await checkNative(kernels, 'scalars', () => ops.flatMap((op) => [op(a(), tf.scalar(1.5)), op(tf.scalar(0.7), b())]));
  });

  it('sum and mean over contiguous axes, concat, slice, tile, batch norm', async () => {
    await checkNative([Sum], 'sum 012', () => tf.sum(a(), [0, 1, 2]));
    await checkNative([Mean], 'mean 12', () => tf.mean(a(), [1, 2], true));
    await checkNative([Sum], 'sum all', () => tf.sum(a()));
    await checkNative([Mean], 'mean 3', () => tf.mean(a(), 3));
    await checkNative([Concat], 'concat', () => tf.concat([a(), b(), tf.slice(a(), [0, 0, 0, 0], [2, 9, 11, 5])], 3));
    await checkFallback('slice, below NATIVE_MIN_ELEMENTS', () => tf.slice(a(), [1, 2, 3, 4], [1, 6, 7, 8]));
    await checkNative([Slice], 'slice', () => tf.slice(a(), [0, 1, 2, 3], [2, 8, 9, 9]));
    await checkNative([SplitV], 'split last axis', () => tf.split(a(), [5, 1, 7], 3));
    await checkNative([SplitV], 'split last axis, rank 2', () => tf.split(tf.reshape(a(), [198, 13]), [6, 7], 1));
    await checkNative([SplitV], 'split axis 1', () => tf.split(a(), [4, 5], 1));
    await checkNative([Concat, SplitV], 'concat gradient', () => tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.concat([x, tf.relu(x)], 3), tf.concat([b(), a()], 3))))(a()));
    await checkNative([Tile], 'tile', () => tf.tile(tf.reshape(c(), [1, 1, 1, 13]), [2, 9, 11, 1]));
    // any axes: the global-average-pool gradient's [N, 1, 1, C] (also above kParallelMin), last-axis repeats
    await checkNative([Tile], 'tile pool', () => tf.tile(tf.reshape(a(), [2, 1, 1, 1287]), [1, 3, 2, 1]));
    await checkNative([Tile], 'tile pool large', () => tf.tile(tf.reshape(tf.slice(a(), [0, 0, 0, 0], [2, 4, 11, 13]), [8, 1, 1, 143]), [1, 16, 16, 1]));
    await checkNative([Tile], 'tile last axis', () => tf.tile(tf.reshape(tf.slice(a(), [0, 0, 0, 0], [1, 1, 11, 13]), [11, 13]), [4, 7]));
    await checkNative([Tile], 'tile scalar', () => tf.tile(tf.reshape(tf.slice(a(), [0, 0, 0, 0], [1, 1, 1, 1]), [1, 1, 1, 1]), [2, 30, 40, 1]));
    await checkNative([Tile], 'tile mixed', () => tf.tile(tf.reshape(tf.slice(a(), [0, 0, 0, 0], [1, 1, 1, 6]), [1, 1, 2, 3]), [4, 5, 1, 20]));
    await checkNative([Tile], 'tile rank 3', () => tf.tile(tf.reshape(tf.slice(a(), [0, 0, 0, 0], [1, 1, 6, 5]), [2, 3, 5]), [3, 2, 40]));
    await checkNative([FusedBatchNorm], 'batchNorm', () => tf.batchNorm4d(a() as tf.Tensor4D, c() as tf.Tensor1D, tf.add(c(), 0.1) as tf.Tensor1D, tf.sub(c(), 1) as tf.Tensor1D, tf.mul(c(), 2) as tf.Tensor1D, 1e-3));
    await checkNative([FusedBatchNorm, TPC_CENTRED_CHANNEL_SUM], 'batchNorm grads', () =>
      tf.grads((x: tf.Tensor, g: tf.Tensor) => {
        const { mean, variance } = tf.moments(x, [0, 1, 2]);
        return tf.sum(tf.mul(tf.batchNorm4d(x as tf.Tensor4D, mean as tf.Tensor1D, variance as tf.Tensor1D, tf.sub(g, 0.5) as tf.Tensor1D, g as tf.Tensor1D, 1e-3), b()));
      })([a(), c()]),
    );
  });
});

