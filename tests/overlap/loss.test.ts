import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { resolveOasisConfig, PRESETS } from '../../src/config/oasis.js';
import { oasisLoss, partialLoss, regionMasks, regionWeightMap, totalVariation, validEdgeCount, REGION } from '../../src/overlap/loss.js';
import { expectClose } from '../helpers/close.js';

// one sample, 2 rows × 3 columns, row-major. Valid: all but the last column (4 valid pixels).
//   er = [1 1 0 / 0 0 0],  nr = [0 1 0 / 1 0 1]
//   regions: (0,0) ER-only, (0,1) overlap, (0,2) invalid, (1,0) NR-only, (1,1) background, (1,2) invalid
const er = [1, 1, 0, 0, 0, 0];
const nr = [0, 1, 0, 1, 0, 1];
const valid = [1, 1, 0, 1, 1, 0];

describe('overlap-aware loss', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('regions from the targets inside the valid mask', () => {
    expect(Array.from(regionMasks(er, nr, valid))).toEqual([REGION.erOnly, REGION.overlap, REGION.invalid, REGION.nrOnly, REGION.background, REGION.invalid]);
  });

  it('region weights rescaled to mean 1 over valid pixels; overlap the largest', () => {
    const cfg = resolveOasisConfig('nominal').loss;
    // raw weights 3 (ER-only), 6 (overlap), 1 (NR-only), 1 (background): sum 11 over 4 valid → ×4/11
    const w = regionWeightMap(er, nr, valid, cfg.regionWeights);
    expectClose(w, [12 / 11, 24 / 11, 0, 4 / 11, 4 / 11, 0]);
    const validW = Array.from(w).filter((_, i) => valid[i]);
    expectClose(validW.reduce((a, b) => a + b, 0) / validW.length, 1);
    // unweighted: every valid pixel 1; overlap-only: 6 on the overlap, 1 elsewhere → sum 9, ×4/9
    expectClose(regionWeightMap(er, nr, valid, resolveOasisConfig('unweighted').loss.regionWeights), [1, 1, 0, 1, 1, 0]);
    expectClose(regionWeightMap(er, nr, valid, resolveOasisConfig('overlap-only').loss.regionWeights), [4 / 9, 24 / 9, 0, 4 / 9, 4 / 9, 0]);
  });

  it('presets are small partial objects merged over the defaults; unknown keys are named', () => {
    expect(PRESETS.nominal).toEqual({});
    const u = resolveOasisConfig('unweighted');
    expect(u.loss.channelWeights).toEqual({ er: 1, nr: 1 });
    expect(u.loss.tvWeight).toBe(0.01);
    expect(resolveOasisConfig('nominal').training).toMatchObject({ learningRate: 2e-4, weightDecay: 1e-4, batchSize: 16, epochs: 50, patience: 10, clipNorm: 1, base: 32 });
    expect(resolveOasisConfig('nominal', { loss: { channelWeights: { er: 2 } } }).loss.channelWeights).toEqual({ er: 2, nr: 1 });
    expect(() => resolveOasisConfig('nominal', { loss: { overlapWeight: 3 } })).toThrow(/loss\.overlapWeight: unknown key/);
    expect(() => resolveOasisConfig('heavy')).toThrow(/unknown preset 'heavy'/);
  });

  it('weighted L1: channel and region weights, divided by Σ of the channel weights over the valid pixels', () => {
    const cfg = resolveOasisConfig('nominal', { loss: { tvWeight: 0 } }).loss;
    // prediction = target + error: ER channel error 0.5 on the overlap pixel only, NR error 0.25 on the NR-only pixel
    const tgt = er.flatMap((e, i) => [e, nr[i]]);
    const pred = [...tgt];
    pred[2 * 1] += 0.5; // overlap, ER channel
    pred[2 * 3 + 1] -= 0.25; // NR-only, NR channel
    const w = regionWeightMap(er, nr, valid, cfg.regionWeights);
    const t = (a: number[], c: number) => tf.tensor4d(a, [1, 2, 3, c]);
    const l = oasisLoss(t(pred, 2) as tf.Tensor4D, t(tgt, 2) as tf.Tensor4D, t(valid, 1) as tf.Tensor4D, t(Array.from(w), 1) as tf.Tensor4D, cfg);
    // (24/11 · 5 · 0.5 + 4/11 · 1 · 0.25) / (4 valid · (5 + 1)) = (60/11 + 1/11) / 24 = 61/264
    expectClose(l.reg.dataSync()[0], 61 / 264, 1e-6);
    expectClose(l.total.dataSync()[0], 61 / 264, 1e-6);
  });

  it('TV of a known image: only edges with both pixels valid, per edge', () => {
    // 2×3, one channel: [0 1 3 / 2 2 7]; valid as above (last column invalid)
    // horizontal valid edges: (0,0)-(0,1) |1|, (1,0)-(1,1) |0|  → 1, 2 edges
    // vertical valid edges: (0,0)-(1,0) |2|, (0,1)-(1,1) |1|    → 3, 2 edges
    // TV = (1 + 3) / 4 = 1; the invalid column (3, 7) never counts
    const p = tf.tensor4d([0, 1, 3, 2, 2, 7], [1, 2, 3, 1]);
    const v = tf.tensor4d(valid, [1, 2, 3, 1]);
    expectClose(totalVariation(p, v).dataSync()[0], 1);
    // channels are summed per edge: channel 1 = 2 × channel 0 gives (1 + 2)·(1 + 3)/4 = 3
    const p2 = tf.tensor4d([0, 0, 1, 2, 3, 6, 2, 4, 2, 4, 7, 14], [1, 2, 3, 2]);
    expectClose(totalVariation(p2, v).dataSync()[0], 3);
    // the total adds 0.01·TV to L_reg
    const cfg = resolveOasisConfig('nominal').loss;
    const zeros = tf.zeros([1, 2, 3, 2]) as tf.Tensor4D;
    const l = oasisLoss(p2, zeros, v, tf.tensor4d(valid, [1, 2, 3, 1]), { ...cfg, channelWeights: { er: 1, nr: 1 } });
    // L_reg = Σ_valid |p| over both channels / 8 = (0+0+1+2+2+4+2+4) / 8 = 15/8
    expectClose(l.reg.dataSync()[0], 15 / 8, 1e-6);
    expectClose(l.total.dataSync()[0], 15 / 8 + 0.01 * 3, 1e-6);
  });

  it('micro-batch losses with the whole batch\'s denominators add up to the batch loss (gradient accumulation)', () => {
    const cfg = resolveOasisConfig('nominal').loss;
    expect(validEdgeCount(valid, 1, 2, 3)).toBe(4); // the 4 edges of the TV example
    // batch of 2 samples: the example and a shifted copy; predictions from a fixed pattern
    const er2 = [...er, 0, 1, 1, 0, 0, 0];
    const nr2 = [...nr, 1, 1, 0, 0, 1, 0];
    const v2 = [...valid, 0, 1, 1, 0, 1, 1];
    const w = regionWeightMap(er2, nr2, v2, cfg.regionWeights);
    const tgt = er2.flatMap((e, i) => [e, nr2[i]]);
    const pred = tgt.map((t, i) => t + 0.1 * Math.sin(i));
    const t4 = (a: number[], n: number, c: number) => tf.tensor4d(a, [n, 2, 3, c]) as tf.Tensor4D;
    const whole = oasisLoss(t4(pred, 2, 2), t4(tgt, 2, 2), t4(v2, 2, 1), t4(Array.from(w), 2, 1), cfg).total.dataSync()[0];
    const pixels = v2.reduce((a, b) => a + b, 0);
    const edges = validEdgeCount(v2, 2, 2, 3);
    const half = (k: number) =>
      partialLoss(t4(pred.slice(12 * k, 12 * k + 12), 1, 2), t4(tgt.slice(12 * k, 12 * k + 12), 1, 2), t4(v2.slice(6 * k, 6 * k + 6), 1, 1), t4(Array.from(w.slice(6 * k, 6 * k + 6)), 1, 1), cfg, pixels, edges).dataSync()[0];
    expectClose(half(0) + half(1), whole, 1e-6, 1e-5);
  });
});
