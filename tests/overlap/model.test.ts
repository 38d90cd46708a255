import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-layers'; // registers the gradients of tfjs-core's ops
import * as tfl from '@tensorflow/tfjs-layers';
import { groupNormalization } from '../../src/models/group-norm.js';
import { buildOasisUnet, oasisConvFlops, oasisParameterCount } from '../../src/models/oasis-unet.js';
import { Rng } from '../../src/core/rng.js';
import { initializeWeights } from '../../src/training/init.js';
import { expectClose } from '../helpers/close.js';

describe('GroupNorm and the OASIS U-Net', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('GroupNorm matches a hand computation', () => {
    // one sample, 1×2 pixels, 4 channels, 2 groups: group 0 = channels 0,1, group 1 = channels 2,3
    // pixel a = [1, 2, 10, 20], pixel b = [3, 4, 30, 40]
    // group 0 values {1, 2, 3, 4}: μ = 2.5, σ² = (2.25 + 0.25 + 0.25 + 2.25)/4 = 1.25
    // group 1 values {10, 20, 30, 40}: μ = 25, σ² = (225 + 25 + 25 + 225)/4 = 125
    const layer = groupNormalization({ groups: 2, epsilon: 1e-5 });
    const x = tf.tensor4d([1, 2, 10, 20, 3, 4, 30, 40], [1, 1, 2, 4]);
    layer.apply(x); // builds γ = 1, β = 0
    layer.setWeights([tf.tensor1d([1, 2, 1, 1]), tf.tensor1d([0, 0, 0, 0.5])]);
    const y = layer.apply(x) as tf.Tensor;
    const s0 = Math.sqrt(1.25 + 1e-5);
    const s1 = Math.sqrt(125 + 1e-5);
    // channel 1 has γ = 2; channel 3 has β = 0.5
    const expected = [(1 - 2.5) / s0, (2 * (2 - 2.5)) / s0, (10 - 25) / s1, (20 - 25) / s1 + 0.5, (3 - 2.5) / s0, (2 * (4 - 2.5)) / s0, (30 - 25) / s1, (40 - 25) / s1 + 0.5];
    expectClose(y.dataSync(), expected, 1e-5, 1e-5);
    tf.dispose([x, y]);
  });

  it('GroupNorm normalises each sample of a batch on its own', () => {
    const layer = groupNormalization({ groups: 2 });
    const a = tf.tensor4d([1, 2, 10, 20, 3, 4, 30, 40], [1, 1, 2, 4]);
    const b = tf.tensor4d([5, -1, 0, 2, 7, 3, 1, 9], [1, 1, 2, 4]);
    const both = layer.apply(tf.concat([a, b], 0)) as tf.Tensor;
    const each = tf.concat([layer.apply(a) as tf.Tensor, layer.apply(b) as tf.Tensor], 0);
    expectClose(both.dataSync(), each.dataSync(), 1e-6, 1e-6);
  });

  it('GroupNorm is differentiable (gradient of a weighted sum matches finite differences)', () => {
    const layer = groupNormalization({ groups: 2 });
    const x0 = tf.tensor4d([0.3, -1, 2, 0.5, 1.5, 0.2, -0.7, 1.1], [1, 1, 2, 4]);
    const wts = tf.tensor4d([1, -2, 0.5, 3, 0.25, 1, -1, 2], [1, 1, 2, 4]);
    const f = (x: tf.Tensor) => tf.sum(tf.mul(layer.apply(x) as tf.Tensor, wts)) as tf.Scalar;
    const g = tf.grad(f)(x0).dataSync();
    const base = x0.dataSync();
    const h = 1e-2;
    for (let i = 0; i < base.length; i++) {
      const plus = Float32Array.from(base);
      const minus = Float32Array.from(base);
      plus[i] += h;
      minus[i] -= h;
      const fd = (f(tf.tensor4d(plus, [1, 1, 2, 4])).dataSync()[0] - f(tf.tensor4d(minus, [1, 1, 2, 4])).dataSync()[0]) / (2 * h);
      expectClose(g[i], fd, 2e-2, 2e-2);
    }
  });

  it('the U-Net maps [N, H, W, 1] to [N, H, W, 2] = softplus of its 1×1 head; about 3.0 M parameters at base 32', () => {
    const m = buildOasisUnet({ height: 32, width: 64, base: 8 });
    initializeWeights(m, new Rng(16)); // seeded: tfjs's initialisers are not
    // non-zero head biases, so the check sees the bias added per channel
    const head = m.getLayer('head');
    const [k] = head.getWeights();
    head.setWeights([k, tf.tensor1d([0.3, -0.4])]);
    const x = tf.randomUniform([2, 32, 64, 1], 0, 1, 'float32', 1);
    const y = m.predict(x) as tf.Tensor;
    expect(y.shape).toEqual([2, 32, 64, 2]);
    // the head by hand: z = Σ_c feature_c · K[c, ch] + bias_ch, output ln(1 + e^z) (> 0 everywhere)
    const features = tfl.model({ inputs: m.inputs, outputs: head.input as tfl.SymbolicTensor }).predict(x) as tf.Tensor;
    const f = features.dataSync();
    const kk = k.dataSync();
    const c = features.shape[3]!;
    const expected = new Float64Array(y.size);
    for (let p = 0; p < y.size / 2; p++) {
      for (let ch = 0; ch < 2; ch++) {
        let z = [0.3, -0.4][ch];
        for (let q = 0; q < c; q++) z += f[p * c + q] * kk[q * 2 + ch];
        expected[p * 2 + ch] = Math.log1p(Math.exp(z));
      }
    }
    const got = y.dataSync();
    expectClose(got, expected, 1e-5, 1e-5);
    expect(Math.min(...got)).toBeGreaterThan(0);
    tf.dispose([x, y, features]);
    m.dispose();
    const n = oasisParameterCount(32);
    expect(n).toBe(2_982_274);
    expect(() => buildOasisUnet({ height: 30, width: 64 })).toThrow(/divisible by 8/);
  });

  it('convolution FLOPs: the architecture summed by hand (full frame 288×512 and a 128² window, base 16 and 32)', () => {
    const byHand = (h: number, w: number, b: number) => {
      const conv = (k: number, cin: number, cout: number, px: number) => 2 * k * k * cin * cout * px;
      const px = (l: number) => (h >> l) * (w >> l);
      const c = (l: number) => b << l;
      let nominal = conv(3, 1, b, px(0)) + conv(3, b, b, px(0)); // encoder block
      let dw = 0;
      for (let l = 1; l <= 3; l++) {
        dw += 2 * 9 * c(l - 1) * px(l); // depthwise stride 2 of the level above
        nominal += conv(3, c(l - 1), c(l), px(l)) + conv(3, c(l), c(l), px(l));
      }
      nominal += 2 * conv(3, c(3), c(3), px(3)); // bottleneck
      for (let l = 2; l >= 0; l--) nominal += conv(1, c(l + 1), c(l), px(l)) + conv(3, 2 * c(l), c(l), px(l)) + conv(3, c(l), c(l), px(l));
      nominal += conv(1, b, 2, px(0)); // head
      return { nominal: nominal + dw, dw };
    };
    for (const [h, w, b] of [
      [288, 512, 32],
      [128, 128, 16],
    ]) {
      const f = oasisConvFlops(h, w, b);
      const hand = byHand(h, w, b);
      expect(f.nominal).toBe(hand.nominal);
      // the depthwise stages run as dense convs: C× their nominal cost
      expect(f.executed - f.nominal).toBe([1, 2, 3].reduce((a, l) => a + 2 * 9 * (b << (l - 1)) * ((b << (l - 1)) - 1) * (h >> l) * (w >> l), 0));
    }
    // a 128² window is 1/9 of a 288×512 frame, and so is its cost
    expect(oasisConvFlops(128, 128, 32).nominal / oasisConvFlops(288, 512, 32).nominal).toBeCloseTo(16384 / 147456, 10);
  });

  it('SiLU: the tfjs swish activation is x·sigmoid(x)', () => {
    const x = tf.tensor1d([-2, 0, 1.5]);
    const y = tfl.layers.activation({ activation: 'swish' }).apply(x) as tf.Tensor;
    expectClose(y.dataSync(), [-2, 0, 1.5].map((v) => v / (1 + Math.exp(-v))), 1e-6, 1e-5);
  });
});

describe('bilinear ×2 upsampling', () => {
  it('matches PyTorch align_corners=False on a hand example, and has gradients on non-square maps', async () => {
    await tf.setBackend('cpu');
    const { upsample2Axis, bilinearUpsample2x } = await import('../../src/models/bilinear-upsample.js');
    // row [1, 3, 7] along W: out = [1, 0.75·1+0.25·3, 0.75·3+0.25·1, 0.75·3+0.25·7, 0.75·7+0.25·3, 7]
    const x = tf.tensor4d([1, 3, 7], [1, 1, 3, 1]);
    expectClose(upsample2Axis(x, 2).dataSync(), [1, 1.5, 2.5, 4, 6, 7]);
    const layer = bilinearUpsample2x();
    const y = tf.randomUniform([2, 3, 5, 2], 0, 1, 'float32', 4);
    expect((layer.apply(y) as tf.Tensor).shape).toEqual([2, 6, 10, 2]);
    // d sum(out)/dx = 4 everywhere: per axis a pixel feeds its own two outputs (0.75 + 0.75) and one of
    // each neighbour's (0.25 + 0.25) = 2, at the edges the clamp gives it the missing 0.25; 2 × 2 = 4
    const g = tf.grad((t: tf.Tensor) => tf.sum(layer.apply(t) as tf.Tensor))(y);
    expectClose(g.dataSync(), new Array(60).fill(4), 1e-5);
  });
});

describe('depthwise stride-2 conv as a diagonal dense conv', () => {
  it('matches tf.depthwiseConv2d padded 1 on every side (PyTorch\'s padding) in values and kernel gradient', async () => {
    await tf.setBackend('cpu');
    const { depthwiseStride2 } = await import('../../src/models/depthwise.js');
    const layer = depthwiseStride2();
    const x = tf.randomUniform([2, 7, 8, 3], -1, 1, 'float32', 5); // odd height: ⌊(7 − 1)/2⌋ + 1 = 4 rows
    layer.apply(x);
    const k = tf.randomUniform([3, 3, 3, 1], -1, 1, 'float32', 6);
    const bias = tf.tensor1d([0.1, -0.2, 0.3]);
    layer.setWeights([k, bias]);
    const ours = layer.apply(x) as tf.Tensor;
    const ref = tf.add(tf.depthwiseConv2d(x as tf.Tensor4D, k as tf.Tensor4D, 2, 1), bias);
    expect(ours.shape).toEqual([2, 4, 4, 3]);
    expect(layer.computeOutputShape([2, 7, 8, 3])).toEqual([2, 4, 4, 3]);
    expectClose(ours.dataSync(), ref.dataSync(), 1e-5, 1e-5);
    const w = tf.randomUniform([2, 4, 4, 3], -1, 1, 'float32', 7);
    // kernel gradient through the layer's variables vs the reference op
    const kv = layer.trainableWeights[0].read() as tf.Variable;
    const { grads } = tf.variableGrads(() => tf.sum(tf.mul(layer.apply(x) as tf.Tensor, w)) as tf.Scalar, [kv]);
    const gRef = tf.grad((kk: tf.Tensor) => tf.sum(tf.mul(tf.depthwiseConv2d(x as tf.Tensor4D, kk as tf.Tensor4D, 2, 1), w)))(k);
    expectClose(grads[kv.name].dataSync(), gRef.dataSync(), 1e-4, 1e-4);
  });
});
