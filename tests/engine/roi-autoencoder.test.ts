/**
 * The ROI autoencoder's structure (spec roi-trigger.md): shapes, skip wiring, parameter count and
 * FLOPs. Expected parameter counts come from the independent PyTorch definition in
 * bench/engine_torch.py (parameters + BN running statistics, which Keras counts as weights):
 * 1024²: 2 132 553 + 1 804 = 2 134 357; 256²: 648 277 (only the seed Dense depends on the size).
 */
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { buildRoiAutoencoder, roiAutoencoderFlops, roiAutoencoderParamCount } from '../../src/models/roi-autoencoder.js';

describe('buildRoiAutoencoder', () => {
  it('has the spec layout and the parameter count of the PyTorch twin', async () => {
    await tf.setBackend('cpu');
    const model = buildRoiAutoencoder({ height: 256, width: 256 });
    expect(model.outputs[0].shape).toEqual([null, 256, 256, 1]);
    expect(roiAutoencoderParamCount(model)).toBe(648_277);
    const shapeOf = (name: string) => model.getLayer(name).outputShape;
    expect(shapeOf('stem_relu')).toEqual([null, 256, 256, 22]);
    expect(shapeOf('down4b_relu')).toEqual([null, 16, 16, 88]);
    expect(shapeOf('seed_reshape')).toEqual([null, 16, 16, 3]);
    expect(shapeOf('up1_concat')).toEqual([null, 32, 32, 88 + 66]);
    expect(shapeOf('up4_concat')).toEqual([null, 256, 256, 22 + 22]);
    const bn = model.getLayer('stem_bn').getConfig();
    expect([bn.momentum, bn.epsilon]).toEqual([0.99, 1e-3]);
    model.dispose();
  });

  it('counts 66.2 GFLOP per 1024² forward pass and rejects sizes not divisible by 16', () => {
    expect(roiAutoencoderFlops(1024, 1024) / 1e9).toBeCloseTo(66.2, 1);
    expect(() => buildRoiAutoencoder({ height: 1000, width: 1024 })).toThrow(/divisible by 16/);
  });
});
