/**
 * ONNX export + ONNX Runtime: a small instance of the ROI autoencoder (32×32, filters 4–10) with
 * randomised batch-norm statistics gives the same output in tfjs (inference mode, cpu backend)
 * and in ONNX Runtime, to 1e-4 relative, with batch norm folded and unfolded.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { buildOnnxGraph, exportOnnx, OnnxModel } from '../../src/engine/index.js';
import { buildRoiAutoencoder } from '../../src/models/roi-autoencoder.js';
import { initializeWeights } from '../../src/training/init.js';
import { expectClose, randomArray } from './helpers.js';

function randomiseBatchNorms(model: ReturnType<typeof buildRoiAutoencoder>, rng: Rng): void {
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'BatchNormalization') continue;
    const ws = layer.getWeights();
    const c = ws[0].shape[0] as number;
    layer.setWeights([
      tf.tensor1d(randomArray(rng, c, 0.5, 1.5)), // gamma
      tf.tensor1d(randomArray(rng, c, -0.2, 0.2)), // beta
      tf.tensor1d(randomArray(rng, c, -0.3, 0.3)), // moving mean
      tf.tensor1d(randomArray(rng, c, 0.2, 2)), // moving variance
    ]);
  }
}

describe('ONNX export of the ROI autoencoder', () => {
  const rng = new Rng(7);
  let model: ReturnType<typeof buildRoiAutoencoder>;
  const batch = 2;
  const input = randomArray(rng, batch * 32 * 32, 0, 1);
  let expected: Float32Array;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    model = buildRoiAutoencoder({ height: 32, width: 32, filters: [4, 6, 8, 10] });
    initializeWeights(model, rng); // seeded: tfjs's initialisers are not
    randomiseBatchNorms(model, rng);
    expected = tf.tidy(() => (model.predict(tf.tensor4d(input, [batch, 32, 32, 1])) as tf.Tensor).dataSync() as Float32Array);
  });

  it('folds every batch norm into its convolution', () => {
    const graph = buildOnnxGraph(model);
    const ops = graph.nodes.map((n) => n.opType);
    expect(ops).not.toContain('BatchNormalization');
    expect(ops.filter((o) => o === 'Conv').length).toBe(1 + 8 + 4 + 1);
    expect(ops.filter((o) => o === 'ConvTranspose').length).toBe(4);
  });

  for (const foldBatchNorm of [true, false]) {
    it(`matches tfjs in ONNX Runtime (foldBatchNorm ${foldBatchNorm})`, async () => {
      const bytes = await exportOnnx(model, { foldBatchNorm });
      const session = await OnnxModel.load(bytes, { threads: 1 });
      const out = await session.runWithShape(input, [batch, 32, 32, 1]);
      await session.dispose();
      expect(out.shape).toEqual([batch, 32, 32, 1]);
      expectClose(out.data, expected, 1e-4, 'onnx vs tfjs');
    });
  }

  it('writes ONNX Runtime\'s per-node profile when asked', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tpcvision-ort-profile-'));
    try {
      const session = await OnnxModel.load(await exportOnnx(model), { threads: 1, profileFilePrefix: join(dir, 'run') });
      await session.run(input, [batch, 32, 32, 1]);
      session.endProfiling();
      await session.dispose();
      const files = readdirSync(dir).filter((f) => f.startsWith('run') && f.endsWith('.json'));
      expect(files).toHaveLength(1);
      const events = JSON.parse(readFileSync(join(dir, files[0]), 'utf8')) as Array<{ cat?: string; args?: { op_name?: string } }>;
      const ops = new Set(events.filter((e) => e.cat === 'Node').map((e) => e.args?.op_name));
      expect(ops.has('ConvTranspose')).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
