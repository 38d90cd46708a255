/**
 * Boundary cases of the OASIS metrics, worked by hand: the summary options (bin edges, FP window
 * inclusive at both ends, ER threshold echoed), the FP threshold being a strict "exceeds", the
 * per-event threshold argument, the axis of exactly two pixels, quantiles at q = 0 and 1, and axis
 * angles across the ±90° wrap.
 */
import { describe, expect, it } from 'vitest';
import { axisAngleDeg, boxSum, eventMetrics, principalAxisDeg, quantile, summarizeMetrics, topologicalIou, type EventMetrics } from '../../src/overlap/metrics.js';
import type { OverlapSample } from '../../src/core/overlap-sample.js';
import { expectClose } from '../helpers/close.js';

const ev = (kind: 'hybrid' | 'nr-only', e: number, trueEr: number, predEr: number, angle: number | null = null): EventMetrics => ({
  id: `e${e}`,
  kind,
  erEnergyKeV: e,
  trueErAdu: trueEr,
  predErAdu: predEr,
  deltaI: kind === 'hybrid' && trueEr > 0 ? (predEr - trueEr) / trueEr : null,
  iou: null,
  angleDeg: angle,
});

describe('summarizeMetrics options and edges', () => {
  it('FP window inclusive at both ends; an NR-only event counts only when it exceeds the threshold', () => {
    const events = [
      ev('hybrid', 3.6, 100, 100), // window edge (in): threshold = (100 + 300)/2 = 200
      ev('hybrid', 4.4, 300, 300), // window edge (in)
      ev('hybrid', 3.59, 5000, 1), // just outside
      ev('hybrid', 4.41, 5000, 1), // just outside
      ev('nr-only', 0, 0, 200), // equal: not a false positive
      ev('nr-only', 0, 0, 200.5), // above
    ];
    const s = summarizeMetrics(events);
    expect(s.fpThresholdAdu).toBe(200);
    expect(s.nrOnlyFpRate).toBe(0.5);
    expect([s.hybridEvents, s.nrOnlyEvents]).toEqual([4, 2]);
    // another window: only the 4.41 keV event → threshold 5000, no false positive
    const w = summarizeMetrics(events, { fpWindowKeV: [4.405, 4.5] });
    expect([w.fpThresholdAdu, w.nrOnlyFpRate]).toEqual([5000, 0]);
    // no hybrid in the window, or no NR-only event: null
    expect(summarizeMetrics(events, { fpWindowKeV: [20, 30] }).nrOnlyFpRate).toBeNull();
    expect(summarizeMetrics(events, { fpWindowKeV: [20, 30] }).fpThresholdAdu).toBeNull();
    expect(summarizeMetrics(events.slice(0, 4)).nrOnlyFpRate).toBeNull();
    expect(summarizeMetrics(events.slice(0, 4)).fpThresholdAdu).toBe(200);
  });

  it('custom bin edges: [lo, hi) bins, the 4–5 keV bin found by its edges, the ER threshold echoed', () => {
    const events = [ev('hybrid', 2, 100, 150), ev('hybrid', 4, 100, 50), ev('hybrid', 4.99, 100, 80), ev('hybrid', 5, 100, 120), ev('hybrid', 6, 100, 100)];
    const s = summarizeMetrics(events, { binEdgesKeV: [2, 4, 5, 6], erThresholdAdu: 2.5 });
    expect(s.bins.map((b) => [b.loKeV, b.hiKeV, b.events])).toEqual([
      [2, 4, 1],
      [4, 5, 2],
      [5, 6, 1],
    ]);
    // 4–5 keV: ΔI −0.5 and −0.2 → median −0.35, q25 −0.425, q75 −0.275, IQR 0.15
    expectClose(s.medianDeltaI_4to5keV!, -0.35, 1e-12);
    expectClose(s.iqrDeltaI_4to5keV!, 0.15, 1e-12);
    expectClose([s.bins[1].q25DeltaI!, s.bins[1].q75DeltaI!], [-0.425, -0.275], 1e-12);
    expect(s.erThresholdAdu).toBe(2.5);
    expect(summarizeMetrics(events).erThresholdAdu).toBe(1);
    // without a 4–5 keV bin the singled-out figures are null
    const t = summarizeMetrics(events, { binEdgesKeV: [2, 4.5, 6] });
    expect([t.medianDeltaI_4to5keV, t.iqrDeltaI_4to5keV]).toEqual([null, null]);
    // a 4–6 bin is not the 4–5 one
    expect(summarizeMetrics(events, { binEdgesKeV: [4, 6] }).medianDeltaI_4to5keV).toBeNull();
    // default edges 4, 5, …, 15: 11 bins, the first 4–5, the last 14–15
    const d = summarizeMetrics(events).bins;
    expect([d.length, d[0].loKeV, d[0].hiKeV, d[10].loKeV, d[10].hiKeV]).toEqual([11, 4, 5, 14, 15]);
  });

  it('angle summaries: median and 68 % quantile over hybrids with an angle; all null without hybrids', () => {
    // angles 0, 10, 20, 30, 40 (and a null): 68 % → position 2.72 → 20 + 0.72·10 = 27.2
    const events = [0, 10, 20, 30, 40].map((a) => ev('hybrid', 5, 10, 10, a)).concat([ev('hybrid', 5, 10, 10, null)]);
    const s = summarizeMetrics(events);
    expectClose(s.angleResolutionDeg!, 27.2, 1e-12);
    expect(s.angleMedianDeg).toBe(20);
    const none = summarizeMetrics([ev('nr-only', 0, 0, 3)]);
    expect(none).toMatchObject({ medianDeltaI: null, iqrDeltaI: null, iou: null, angleResolutionDeg: null, angleMedianDeg: null, hybridEvents: 0 });
  });
});

describe('per-event metrics edges', () => {
  // 4×3 image, box x 1–3, y 0–2 (exclusive ends)
  const W = 4;
  const box = { x0: 1, y0: 0, x1: 3, y1: 2 };

  it('boxSum and topologicalIou see only the box; IoU uses pred > thr strictly and truth > 0', () => {
    const img = Float32Array.of(100, 1, 2, 100, 100, 3, 4, 100, 100, 100, 100, 100);
    expect(boxSum(img, W, box)).toBe(10);
    const truth = Float32Array.of(0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0); // box: (1,0) (1,1) (2,1)
    const pred = Float32Array.of(5, 1, 2, 0, 0, 1.5, 0.5, 0, 9, 9, 9, 9); // box values: 1, 2, 1.5, 0.5
    // thr 1: pred set {(2,0), (1,1)}; truth {(1,0), (1,1), (2,1)} → ∩ 1, ∪ 4
    expect(topologicalIou(pred, truth, W, box)).toBe(0.25);
    // thr 0.5: pred {(1,0), (2,0), (1,1)} → ∩ 2, ∪ 4
    expect(topologicalIou(pred, truth, W, box, 0.5)).toBe(0.5);
    expect(topologicalIou(new Float32Array(12), new Float32Array(12), W, box)).toBeNull();
  });

  it('two pixels define an axis; one does not; the threshold is strict', () => {
    const img = new Float32Array(12);
    img[1] = 2;
    img[6] = 2; // (1,0) and (2,1): 45°
    expectClose(principalAxisDeg(img, W, box)!, 45, 1e-9);
    expect(principalAxisDeg(img, W, box, 2)).toBeNull(); // both at the threshold: excluded
    img[6] = 2.5;
    expect(principalAxisDeg(img, W, box, 2)).toBeNull(); // one pixel left
    // a horizontal pair and a vertical pair
    const h = new Float32Array(12);
    h[1] = 1;
    h[2] = 3;
    expectClose(principalAxisDeg(h, W, box)!, 0, 1e-12);
    const v = new Float32Array(12);
    v[2] = 1;
    v[6] = 3;
    expectClose(principalAxisDeg(v, W, box)!, 90, 1e-12);
  });

  it('axisAngleDeg folds differences into [0°, 90°]', () => {
    expect(axisAngleDeg(89, -89)).toBe(2);
    expect(axisAngleDeg(-30, 30)).toBe(60);
    expect(axisAngleDeg(10, 190)).toBe(0);
    expect(axisAngleDeg(0, 90)).toBe(90);
    expect(axisAngleDeg(5, 100)).toBe(85);
  });

  it('quantile: numpy linear at q = 0, 1 and between; one value; NaN when empty', () => {
    expect(quantile([3, 1, 2], 0)).toBe(1);
    expect(quantile([3, 1, 2], 1)).toBe(3);
    expect(quantile([3, 1, 2, 10], 0.5)).toBe(2.5);
    expect(quantile([7], 0.3)).toBe(7);
    expect(quantile([], 0.5)).toBeNaN();
    // the input is not reordered
    const v = [3, 1, 2];
    quantile(v, 0.5);
    expect(v).toEqual([3, 1, 2]);
  });

  it('eventMetrics: NR-only and empty-truth hybrids get no ΔI, IoU or angle; the threshold applies to the prediction', () => {
    const sample = (kind: 'hybrid' | 'nr-only', er: Float32Array) =>
      ({ id: 's', kind, erEnergyKeV: 5, width: W, height: 3, valid: box, er, nr: new Float32Array(12), input: new Float32Array(12) }) as unknown as OverlapSample;
    const er = new Float32Array(12);
    er[1] = 10;
    er[6] = 10; // truth along 45°
    const pred = new Float32Array(12);
    pred[1] = 4;
    pred[2] = 1.5; // (1,0), (2,0): 0° above thr 1
    pred[6] = 0.8; // below thr 1
    const m = eventMetrics(sample('hybrid', er), pred);
    // truth {(1,0), (2,1)}, pred above 1 ADU {(1,0), (2,0)}: ∩ 1, ∪ 3; Σ pred = 4 + 1.5 + 0.8 (float32)
    expect(m).toMatchObject({ trueErAdu: 20, iou: 1 / 3 });
    expectClose(m.predErAdu, 6.3, 1e-6);
    expectClose(m.deltaI!, (6.3 - 20) / 20, 1e-6);
    expectClose(m.angleDeg!, 45, 1e-9);
    // thr 0.5: (2,1) joins the prediction → IoU 2/3
    expectClose(eventMetrics(sample('hybrid', er), pred, 0.5).iou!, 2 / 3, 1e-12);
    const nr = eventMetrics(sample('nr-only', er), pred);
    expect([nr.deltaI, nr.iou, nr.angleDeg]).toEqual([null, null, null]);
    const empty = eventMetrics(sample('hybrid', new Float32Array(12)), pred);
    expect([empty.deltaI, empty.iou, empty.angleDeg]).toEqual([null, null, null]);
    // a prediction with no pixel above the threshold: no predicted axis, no angle
    expect(eventMetrics(sample('hybrid', er), new Float32Array(12)).angleDeg).toBeNull();
  });
});
