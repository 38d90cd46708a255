/**
 * The OASIS figures against the naive references of reference.ts: per-event ΔI, IoU and ER angle,
 * their summaries (ΔI median and IQR per keV bin, mean IoU, NR-only FP rate, angle resolution), and
 * evaluateOasisModel's whole path (scaling, batched prediction, channel split, clamp, inverse scaling)
 * with a real tfjs model whose output is known in closed form.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import type { OverlapSample } from '../../src/core/overlap-sample.js';
import { eventMetrics, principalAxisDeg, quantile, summarizeMetrics, topologicalIou, axisAngleDeg } from '../../src/overlap/metrics.js';
import { evaluateOasisModel, exampleIndices, predictRaw, writeOasisEvaluation } from '../../src/overlap/evaluate.js';
import { asCompact } from '../../src/overlap/batch.js';
import { expectClose } from '../helpers/close.js';
import { closeOrNull, expectMatchesNaive, handSamples, imperfectPredictions, naiveAxis, naiveAxisAngle, naiveEvent, naiveIou, naiveQuantile, naiveRawPrediction, naiveScaledInput, naiveSummary } from './reference.js';

describe('OASIS metrics against naive references (13 events on a 24×13 frame)', () => {
  const samples = handSamples();
  const preds = imperfectPredictions(samples, 5);

  it('the hand-made set exercises what it should', () => {
    // non-square frame, boxes that differ from event to event and are not centred
    expect(new Set(samples.map((s) => JSON.stringify(s.valid))).size).toBeGreaterThan(8);
    expect(samples.filter((s) => s.kind === 'nr-only')).toHaveLength(3);
    const naive = samples.map((s, i) => naiveEvent(s, preds[i]));
    const sum = naiveSummary(naive);
    expect(sum.bins[0].events).toBe(4); // 4.2, 4.6, 4.95, 4.4 (3.8 is below the first bin)
    expect(sum.bins[1].events).toBe(2); // 5.0 on the edge belongs to 5–6, with 5.5
    expect(sum.fpRate).not.toBeNull();
    expect(sum.fpRate! > 0 && sum.fpRate! < 1).toBe(true); // some NR-only events above the threshold, some not
    expect(naive.filter((e) => e.iou !== null && e.iou > 0 && e.iou < 1).length).toBeGreaterThan(5);
    expect(naive.filter((e) => e.angle !== null && e.angle > 0.1).length).toBeGreaterThan(3);
  });

  it('per-event ΔI, IoU, angle and every summary equal the naive ones', () => {
    const events = samples.map((s, i) => eventMetrics(s, preds[i]));
    expectMatchesNaive(events, summarizeMetrics(events), samples.map((s, i) => naiveEvent(s, preds[i])));
  });

  it('a perfect prediction: ΔI 0, IoU 1, angle 0 for every hybrid; predicting the NR map instead moves ΔI', () => {
    for (const s of samples.filter((x) => x.kind === 'hybrid')) {
      const m = eventMetrics(s, s.er);
      expect(m.deltaI).toBe(0);
      expect(m.iou).toBe(1);
      expectClose(m.angleDeg ?? 0, 0, 1e-6);
      // ER/NR swapped: the NR blob is 10× brighter than the ER track, so ΔI is far from 0
      expect(eventMetrics(s, s.nr).deltaI!).toBeGreaterThan(1);
    }
  });

  it('properties on random images and boxes (fast-check, seeded): IoU, axis, quantile against the naive ones', () => {
    const value = fc.constantFrom(0, 0.5, 1, 1.5, 3, 10, 100);
    const image = fc.record({ w: fc.integer({ min: 2, max: 9 }), h: fc.integer({ min: 2, max: 7 }) }).chain(({ w, h }) =>
      fc.record({
        w: fc.constant(w),
        h: fc.constant(h),
        a: fc.array(value, { minLength: w * h, maxLength: w * h }),
        b: fc.array(value, { minLength: w * h, maxLength: w * h }),
        x0: fc.integer({ min: 0, max: w - 1 }),
        y0: fc.integer({ min: 0, max: h - 1 }),
        dx: fc.integer({ min: 1, max: w }),
        dy: fc.integer({ min: 1, max: h }),
      }),
    );
    fc.assert(
      fc.property(image, ({ w, h, a, b, x0, y0, dx, dy }) => {
        const box = { x0, y0, x1: Math.min(w, x0 + dx), y1: Math.min(h, y0 + dy) };
        const s = { width: w, valid: box };
        for (const thr of [0, 1]) closeOrNull(topologicalIou(a, b, w, box, thr), naiveIou(a, b, s, thr), 1e-12);
        // symmetric at threshold 0 (both sets are "> 0"); 1 for identical masks
        expect(topologicalIou(a, b, w, box, 0)).toBe(topologicalIou(b, a, w, box, 0));
        const self = topologicalIou(a, a, w, box, 0);
        if (self !== null) expect(self).toBe(1);
        // axes: same orientation modulo 180°, and null in the same cases
        for (const thr of [0, 1]) {
          const lib = principalAxisDeg(a, w, box, thr);
          const ref = naiveAxis(a, s, thr);
          if (ref === null || lib === null) continue; // the two degeneracy cuts differ at the 1e-9 level only
          expectClose(naiveAxisAngle(lib, ref), 0, 1e-6);
        }
        expectClose(axisAngleDeg(a[0] * 7 - 300, b[0] * 3 - 150), naiveAxisAngle(a[0] * 7 - 300, b[0] * 3 - 150), 1e-9);
        for (const q of [0, 0.25, 0.5, 0.68, 0.75, 1]) expectClose(quantile(a, q), naiveQuantile(a, q)!, 1e-12);
      }),
      { seed: 1616, numRuns: 300 },
    );
  });

  it('axis degeneracy: a single pixel and an isotropic square have no axis; a diagonal line lies at ±45°', () => {
    const w = 5;
    const box = { x0: 0, y0: 0, x1: 5, y1: 4 };
    const one = new Float32Array(20);
    one[7] = 9;
    expect(principalAxisDeg(one, w, box)).toBeNull();
    const square = new Float32Array(20);
    for (const i of [6, 7, 11, 12]) square[i] = 2;
    expect(principalAxisDeg(square, w, box)).toBeNull();
    // (0,0), (1,1), (2,2), (3,3): y grows with x, in image coordinates 45°
    const diag = new Float32Array(20);
    for (let k = 0; k < 4; k++) diag[k * w + k] = 1;
    expectClose(principalAxisDeg(diag, w, box)!, 45, 1e-9);
    const anti = new Float32Array(20);
    for (let k = 0; k < 4; k++) anti[k * w + 3 - k] = 1;
    expectClose(principalAxisDeg(anti, w, box)!, -45, 1e-9);
  });
});

describe('evaluateOasisModel against the naive path', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  /**
   * A real tfjs model with a closed-form output: a 1×1 convolution, ER = 1.15·x − 0.05, NR = 1.3·x +
   * 0.05 on the scaled input x: both channels exceed 1 on the bright NR core (the clamp matters), the
   * ER goes negative on the dark pixels (0 ADU), and the two channels differ everywhere.
   */
  function linearModel(h: number, w: number): tfl.LayersModel {
    const m = tfl.sequential({ layers: [tfl.layers.conv2d({ inputShape: [h, w, 1], filters: 2, kernelSize: 1, useBias: true })] });
    m.setWeights([tf.tensor4d([1.15, 1.3], [1, 1, 1, 2]), tf.tensor1d([-0.05, 0.05])]);
    return m;
  }
  const naivePredictions = (samples: OverlapSample[]) =>
    samples.map((s) => {
      const x = naiveScaledInput(s);
      return { er: naiveRawPrediction(x.map((v) => 1.15 * v - 0.05), s), nr: naiveRawPrediction(x.map((v) => 1.3 * v + 0.05), s) };
    });

  it('predictRaw: ER and NR channels, sample by sample across batches of 2 (13 samples, last batch of 1)', () => {
    const samples = handSamples();
    const model = linearModel(13, 24);
    const ref = naivePredictions(samples);
    const seen: number[] = [];
    const whole = { height: 13, width: 24 };
    predictRaw(model, asCompact(samples), samples.map(() => ({ x: 0, y: 0 })), whole, 2, (i, p) => {
      seen.push(i);
      expect(p.region).toEqual({ x0: 0, y0: 0, x1: 24, y1: 13 });
      // float32 network vs float64 reference, then 10^(v·max): relative 1e-4 of the raw ADU
      expectClose(p.er, ref[i].er, 1e-3, 1e-4);
      expectClose(p.nr, ref[i].nr, 1e-3, 1e-4);
    });
    expect(seen).toEqual(samples.map((_, i) => i));
    model.dispose();
  });

  it('evaluateOasisModel: every per-event metric and summary is the naive one on the naive predictions', () => {
    const samples = handSamples();
    const model = linearModel(13, 24);
    const ref = naivePredictions(samples);
    const meta = { preset: 'nominal' as const, base: 8, seed: 1, trainEvents: 5, validationEvents: 1, bestEpoch: 0, history: [{ epoch: 0, trainLoss: 1, valLoss: 2, valReg: 0, valTv: 0, seconds: 0, stepSeconds: 0 }] };
    const r = evaluateOasisModel({ model, meta, samples, batchSize: 3, examples: 2 });
    const naive = samples.map((s, i) => naiveEvent(s, ref[i].er));
    // the ER here follows the scaled input: bright where the NR is, so ΔI is large and not 0
    expect(naive.filter((e) => e.deltaI !== null && Math.abs(e.deltaI) > 0.5).length).toBeGreaterThan(5);
    // float32 network output vs float64 reference: 1e-4 relative on sums, 1e-3° on angles
    expectMatchesNaive(r.events, r.entry, naive, 1e-4, 1e-3);
    expect(r.entry.testEvents).toBe(13);
    expect(r.entry.parameters).toBe(4);
    // examples: the two lowest-energy hybrids ≥ 4 keV (4.2 and 4.4 keV), crops of the same predictions
    expect(r.examples.map((e) => e.erEnergyKeV)).toEqual([4.2, 4.4]);
    for (const ex of r.examples) {
      const i = samples.findIndex((s) => s.id === ex.id);
      const { x0, y0, x1, y1 } = ex.box;
      const crop = (img: ArrayLike<number>) => {
        const out: number[] = [];
        for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) out.push(img[y * 24 + x]);
        return out;
      };
      expectClose(ex.predEr, crop(ref[i].er), 1e-3, 1e-4);
      expectClose(ex.predNr, crop(ref[i].nr), 1e-3, 1e-4);
      expectClose(ex.residual, crop(ref[i].er).map((v, k) => v - samples[i].er[(y0 + Math.floor(k / (x1 - x0))) * 24 + x0 + (k % (x1 - x0))]), 1e-3, 1e-4);
    }
    model.dispose();
  });

  it('entry provenance, bin quartiles, example boxes and crops, defaults (batch size, example count, name), the JSON file', () => {
    const samples = handSamples();
    const model = linearModel(13, 24);
    const ref = naivePredictions(samples);
    const history = [
      { epoch: 0, trainLoss: 1, valLoss: 2, valReg: 0.1, valTv: 0.2, seconds: 3, stepSeconds: 4 },
      { epoch: 1, trainLoss: 0.5, valLoss: 1.5, valReg: 0.1, valTv: 0.2, seconds: 3, stepSeconds: 4 },
    ];
    const meta = { preset: 'nominal' as const, base: 8, seed: 11, trainEvents: 50, validationEvents: 7, bestEpoch: 1, history };
    const r = evaluateOasisModel({ model, meta, samples });
    const named = evaluateOasisModel({ model, meta, samples, name: 'nominal (b)', batchSize: 5, examples: 0 });
    const naive = samples.map((s, i) => naiveEvent(s, ref[i].er));
    expect(r.entry).toMatchObject({ preset: 'nominal', name: 'nominal', trainEvents: 50, validationEvents: 7, testEvents: 13, base: 8, seed: 11, bestEpoch: 1, erThresholdAdu: 1 });
    expect(r.entry.history).toEqual([
      { epoch: 0, trainLoss: 1, valLoss: 2 },
      { epoch: 1, trainLoss: 0.5, valLoss: 1.5 },
    ]);
    expect(named.entry.name).toBe('nominal (b)');
    expect(named.examples).toEqual([]);
    // the default batch (8) and a batch of 5 give the same per-event figures
    expect(named.events).toEqual(r.events);
    // per-bin quartiles, not only their difference
    r.entry.bins.forEach((b) => {
      const d = naive.filter((e) => e.deltaI !== null && e.energy >= b.loKeV && e.energy < b.hiKeV).map((e) => e.deltaI as number);
      closeOrNull(b.q25DeltaI, naiveQuantile(d, 0.25), 1e-4);
      closeOrNull(b.q75DeltaI, naiveQuantile(d, 0.75), 1e-4);
    });
    expect(r.entry.bins.filter((b) => b.events > 1 && b.q25DeltaI !== b.q75DeltaI).length).toBeGreaterThan(0);
    // default: 3 examples, the lowest-energy hybrids at or above 4 keV, ordered by energy
    expect(r.examples.map((e) => e.erEnergyKeV)).toEqual([4.2, 4.4, 4.6]);
    for (const ex of r.examples) {
      const s = samples.find((x) => x.id === ex.id)!;
      // the valid box padded by 8 px and clipped to the 24×13 frame
      const box = { x0: Math.max(0, s.valid.x0 - 8), y0: Math.max(0, s.valid.y0 - 8), x1: Math.min(24, s.valid.x1 + 8), y1: Math.min(13, s.valid.y1 + 8) };
      expect(ex.box).toEqual(box);
      const crop = (img: ArrayLike<number>) => {
        const out: number[] = [];
        for (let y = box.y0; y < box.y1; y++) for (let x = box.x0; x < box.x1; x++) out.push(img[y * 24 + x]);
        return out;
      };
      expect(Array.from(ex.input)).toEqual(crop(s.input));
      expect(Array.from(ex.trueEr)).toEqual(crop(s.er));
    }
    // at least one box is clipped on each side somewhere, and one is not clipped on the left
    expect(r.examples.some((e) => e.box.x0 > 0)).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'tpcv-oasis-eval-'));
    try {
      const path = join(dir, 'oasis-evaluation.json');
      writeOasisEvaluation(path, [r.entry], { testSet: 'hand' });
      const json = JSON.parse(readFileSync(path, 'utf8'));
      expect(json.format).toBe('tpcvision-oasis-evaluation/1');
      expect(typeof json.version).toBe('string');
      expect(json.testSet).toBe('hand');
      expect(json.entries).toHaveLength(1);
      expect(json.entries[0].name).toBe('nominal');
      writeOasisEvaluation(path, []);
      expect(Object.keys(JSON.parse(readFileSync(path, 'utf8')))).toEqual(['format', 'version', 'entries']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    model.dispose();
  });

  it('exampleIndices: hybrids at or above 4 keV, by energy, ties in test-set order, at most `count`', () => {
    const base = handSamples();
    // energies 4.0 (twice), 3.99, 6, 4.0 on an NR-only event, 5 → hybrids ≥ 4 keV: 0, 1, 3, 5
    const e = [4.0, 4.0, 3.99, 6, 4.0, 5];
    const samples = e.map((en, i) => ({ ...base[i], erEnergyKeV: en, kind: i === 4 ? ('nr-only' as const) : ('hybrid' as const) }));
    expect(exampleIndices(samples, 10)).toEqual([0, 1, 5, 3]);
    expect(exampleIndices(samples, 3)).toEqual([0, 1, 5]);
    expect(exampleIndices(samples, 0)).toEqual([]);
    // ties listed later first stay in test-set order
    const rev = [5, 4.0, 4.0].map((en, i) => ({ ...base[i], erEnergyKeV: en, kind: 'hybrid' as const }));
    expect(exampleIndices(rev, 3)).toEqual([1, 2, 0]);
  });
});
