import { describe, it, expect } from 'vitest';
import type { OverlapSample } from '../../src/core/overlap-sample.js';
import { axisAngleDeg, eventMetrics, principalAxisDeg, quantile, summarizeMetrics, topologicalIou, type EventMetrics } from '../../src/overlap/metrics.js';
import { expectClose } from '../helpers/close.js';

const W = 8;
const H = 6;
const box = { x0: 1, y0: 1, x1: 7, y1: 5 }; // 6 × 4 valid pixels

function sample(kind: 'hybrid' | 'nr-only', er: Float32Array, e = 4.5): OverlapSample {
  return {
    id: 'h', kind, erEnergyKeV: e, nrEnergyKeV: 100, nrVisibleKeV: 60, nrSpecies: 'f', vertexX: 3, vertexY: 2, erDirX: 1, erDirY: 0,
    width: W, height: H, input: new Float32Array(W * H), er, nr: new Float32Array(W * H), valid: box, factors: { s: 10, inputMax: 1, targetMax: 1 },
  };
}
const img = (pixels: [number, number, number][]) => {
  const a = new Float32Array(W * H);
  for (const [x, y, v] of pixels) a[y * W + x] = v;
  return a;
};

describe('overlap metrics', () => {
  it('ΔI and IoU on a hand-made prediction, inside the valid box only', () => {
    // truth: 3 pixels of 10 ADU in the box (Σ 30); prediction: 2 of them at 10, a third pixel at 5, a
    // 0.5-ADU pixel (below the 1-ADU threshold) and 100 ADU outside the box (ignored)
    const truth = img([[2, 2, 10], [3, 2, 10], [4, 2, 10]]);
    const pred = img([[2, 2, 10], [3, 2, 10], [5, 2, 5], [2, 3, 0.5], [0, 0, 100]]);
    const m = eventMetrics(sample('hybrid', truth), pred);
    // Σ pred in box = 25.5 → ΔI = (25.5 − 30)/30 = −0.15
    expectClose(m.deltaI!, -0.15, 1e-6);
    // pred set {(2,2),(3,2),(5,2)}, truth {(2,2),(3,2),(4,2)}: 2 / 4
    expectClose(m.iou!, 0.5);
    expect(topologicalIou(new Float32Array(W * H), new Float32Array(W * H), W, box)).toBeNull();
  });

  it('angle of a rotated line is the rotation; axes are undirected', () => {
    // a line through the centre of a 41×41 box at 0° and one at 30°, both drawn with unit pixels
    const size = 41;
    const line = (deg: number) => {
      const a = new Float32Array(size * size);
      const t = (deg * Math.PI) / 180;
      for (let r = -15; r <= 15; r += 0.25) a[Math.round(20 + r * Math.sin(t)) * size + Math.round(20 + r * Math.cos(t))] = 1;
      return a;
    };
    const b = { x0: 0, y0: 0, x1: size, y1: size };
    const a0 = principalAxisDeg(line(0), size, b)!;
    const a30 = principalAxisDeg(line(30), size, b)!;
    expectClose(a0, 0, 1e-9);
    expectClose(axisAngleDeg(a30, a0), 30, 1.5); // pixelisation of the rotated line: ±1.5°
    expectClose(axisAngleDeg(170, 10), 20);
    expectClose(axisAngleDeg(-80, 80), 20);
    expectClose(axisAngleDeg(0, 90), 90);
  });

  it('summaries: bins, the 4–5 keV bin, NR-only false positives against the 3.6–4.4 keV mean', () => {
    const ev = (kind: 'hybrid' | 'nr-only', e: number, trueEr: number, predEr: number, iou: number | null = null): EventMetrics => ({
      id: 'x', kind, erEnergyKeV: e, trueErAdu: trueEr, predErAdu: predEr, deltaI: kind === 'hybrid' ? (predEr - trueEr) / trueEr : null, iou, angleDeg: kind === 'hybrid' ? 10 : null,
    });
    const events = [
      ev('hybrid', 3.8, 100, 90, 0.8), // in the FP window: mean true ΣER = (100 + 300)/2 = 200
      ev('hybrid', 4.2, 300, 240, 0.6), // ΔI −0.2, also in the 4–5 keV bin
      ev('hybrid', 4.7, 100, 110, 1), // ΔI +0.1
      ev('hybrid', 4.9, 100, 100), // ΔI 0
      ev('nr-only', 0, 0, 250), // above 200: a false positive
      ev('nr-only', 0, 0, 150),
      ev('nr-only', 0, 0, 0),
      ev('nr-only', 0, 0, 199),
    ];
    const s = summarizeMetrics(events);
    expect(s.bins).toHaveLength(11);
    const low = s.bins[0];
    expect([low.loKeV, low.hiKeV, low.events]).toEqual([4, 5, 3]);
    // 4–5 keV ΔI values {−0.2, 0.1, 0}: median 0, q25 −0.1, q75 0.05 → IQR 0.15
    expectClose(s.medianDeltaI_4to5keV!, 0);
    expectClose(s.iqrDeltaI_4to5keV!, 0.15, 1e-12);
    expectClose(s.fpThresholdAdu!, 200);
    expectClose(s.nrOnlyFpRate!, 0.25);
    expectClose(s.iou!, 0.8); // mean of 0.8, 0.6, 1 (the null one skipped)
    expectClose(s.angleResolutionDeg!, 10);
    expect(s.bins[5].medianDeltaI).toBeNull(); // 9–10 keV: empty
    expectClose(quantile([1, 2, 3, 4], 0.25), 1.75);
  });
});
