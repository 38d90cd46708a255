/**
 * Naive, obviously-correct references for the OASIS figures (spec overlap-separation.md, "Metrics"),
 * written without looking at src/overlap/metrics.ts's loops: pixel lists instead of box loops, sets of
 * "x,y" keys for IoU, the principal axis from the 2×2 covariance's eigenvector (not ½·atan2), quantiles
 * by the textbook floor/ceil formula. Also the model's input scaling and its inverse, spelled out, so
 * that a prediction path can be checked without src/core/overlap-sample.ts's helpers.
 * Shared by tests/overlap and tests/study (the duplicates check wants one copy).
 */
import { expect } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { Rng } from '../../src/core/rng.js';
import type { EventMetrics, MetricsSummary } from '../../src/overlap/metrics.js';
import { expectClose } from '../helpers/close.js';
import { prepareSample, type OverlapSample } from '../../src/core/overlap-sample.js';
import { PREPARATION_DEFAULTS } from '../../src/config/overlap-sample.js';

export interface NaiveEvent {
  kind: 'hybrid' | 'nr-only';
  energy: number;
  trueSum: number;
  predSum: number;
  deltaI: number | null;
  iou: number | null;
  angle: number | null;
}

interface Px {
  x: number;
  y: number;
  v: number;
}

/** Pixels of `img` inside the sample's valid box, as a list. */
function boxPixels(img: ArrayLike<number>, s: Pick<OverlapSample, 'width' | 'valid'>): Px[] {
  const out: Px[] = [];
  for (let x = s.valid.x0; x < s.valid.x1; x++) for (let y = s.valid.y0; y < s.valid.y1; y++) out.push({ x, y, v: img[y * s.width + x] });
  return out;
}

const sum = (a: number[]) => a.reduce((p, q) => p + q, 0);

/** IoU of the keys {pred > thr} and {truth > 0} inside the box; null if both empty. */
export function naiveIou(pred: ArrayLike<number>, truth: ArrayLike<number>, s: Pick<OverlapSample, 'width' | 'valid'>, thr = 1): number | null {
  const a = new Set(boxPixels(pred, s).filter((p) => p.v > thr).map((p) => `${p.x},${p.y}`));
  const b = new Set(boxPixels(truth, s).filter((p) => p.v > 0).map((p) => `${p.x},${p.y}`));
  const union = new Set([...a, ...b]);
  if (union.size === 0) return null;
  return [...a].filter((k) => b.has(k)).length / union.size;
}

/**
 * Direction (degrees, any representative) of the major eigenvector of the intensity-weighted
 * covariance of the pixels above `thr`; null for < 2 pixels or equal eigenvalues (no axis).
 */
export function naiveAxis(img: ArrayLike<number>, s: Pick<OverlapSample, 'width' | 'valid'>, thr: number): number | null {
  const px = boxPixels(img, s).filter((p) => p.v > thr);
  if (px.length < 2) return null;
  const w = sum(px.map((p) => p.v));
  const mx = sum(px.map((p) => p.v * p.x)) / w;
  const my = sum(px.map((p) => p.v * p.y)) / w;
  const a = sum(px.map((p) => p.v * (p.x - mx) ** 2));
  const c = sum(px.map((p) => p.v * (p.y - my) ** 2));
  const b = sum(px.map((p) => p.v * (p.x - mx) * (p.y - my)));
  const gap = Math.sqrt(((a - c) / 2) ** 2 + b * b);
  if (gap <= 1e-9 * (a + c)) return null;
  const lambda = (a + c) / 2 + gap; // the larger eigenvalue
  // (M − λI)v = 0: v = (b, λ − a), or (λ − c, b) when that one is the zero vector
  const [vx, vy] = Math.abs(b) > 1e-12 * (a + c) || lambda - a > 1e-12 * (a + c) ? [b, lambda - a] : [lambda - c, b];
  return (Math.atan2(vy, vx) * 180) / Math.PI;
}

/** Angle between undirected axes: the smallest |a − b + 180k| over integers k, in [0, 90]. */
export function naiveAxisAngle(a: number, b: number): number {
  let best = Infinity;
  for (let k = -4; k <= 4; k++) best = Math.min(best, Math.abs(a - b + 180 * k));
  return best;
}

export function naiveEvent(sample: OverlapSample, pred: ArrayLike<number>, thr = 1): NaiveEvent {
  const trueSum = sum(boxPixels(sample.er, sample).map((p) => p.v));
  const predSum = sum(boxPixels(pred, sample).map((p) => p.v));
  const hybrid = sample.kind === 'hybrid' && trueSum > 0;
  let angle: number | null = null;
  if (hybrid) {
    const a = naiveAxis(pred, sample, thr);
    const b = naiveAxis(sample.er, sample, 0);
    angle = a === null || b === null ? null : naiveAxisAngle(a, b);
  }
  return {
    kind: sample.kind,
    energy: sample.erEnergyKeV,
    trueSum,
    predSum,
    deltaI: hybrid ? (predSum - trueSum) / trueSum : null,
    iou: hybrid ? naiveIou(pred, sample.er, sample, thr) : null,
    angle,
  };
}

/** numpy's default ('linear') quantile: sorted a, h = (n − 1)q, a[⌊h⌋] + (h − ⌊h⌋)(a[⌈h⌉] − a[⌊h⌋]). */
export function naiveQuantile(values: number[], q: number): number | null {
  if (values.length === 0) return null;
  const a = [...values].sort((x, y) => x - y);
  const h = (a.length - 1) * q;
  return a[Math.floor(h)] + (h - Math.floor(h)) * (a[Math.ceil(h)] - a[Math.floor(h)]);
}

export interface NaiveSummary {
  bins: { lo: number; hi: number; events: number; median: number | null; iqr: number | null }[];
  median: number | null;
  iqr: number | null;
  median4to5: number | null;
  iqr4to5: number | null;
  iou: number | null;
  fpThreshold: number | null;
  fpRate: number | null;
  angleMedian: number | null;
  angle68: number | null;
}

const iqrOf = (d: number[]) => (d.length ? naiveQuantile(d, 0.75)! - naiveQuantile(d, 0.25)! : null);

/** The spec's summaries: 1-keV bins 4–15 keV [lo, hi), the FP threshold over 3.6–4.4 keV hybrids (inclusive). */
export function naiveSummary(events: NaiveEvent[]): NaiveSummary {
  const deltas = (list: NaiveEvent[]) => list.filter((e) => e.deltaI !== null).map((e) => e.deltaI as number);
  const bins = [];
  for (let lo = 4; lo < 15; lo++) {
    const d = deltas(events.filter((e) => e.kind === 'hybrid' && e.energy >= lo && e.energy < lo + 1));
    bins.push({ lo, hi: lo + 1, events: d.length, median: naiveQuantile(d, 0.5), iqr: iqrOf(d) });
  }
  const hybrids = events.filter((e) => e.kind === 'hybrid');
  const all = deltas(hybrids);
  const ious = hybrids.filter((e) => e.iou !== null).map((e) => e.iou as number);
  const window = hybrids.filter((e) => e.energy >= 3.6 && e.energy <= 4.4);
  const fpThreshold = window.length ? sum(window.map((e) => e.trueSum)) / window.length : null;
  const nr = events.filter((e) => e.kind === 'nr-only');
  const fpRate = fpThreshold === null || nr.length === 0 ? null : nr.filter((e) => e.predSum > fpThreshold).length / nr.length;
  const angles = hybrids.filter((e) => e.angle !== null).map((e) => e.angle as number);
  return {
    bins,
    median: naiveQuantile(all, 0.5),
    iqr: iqrOf(all),
    median4to5: bins[0].median,
    iqr4to5: bins[0].iqr,
    iou: ious.length ? sum(ious) / ious.length : null,
    fpThreshold,
    fpRate,
    angleMedian: naiveQuantile(angles, 0.5),
    angle68: naiveQuantile(angles, 0.68),
  };
}

/** The model's scaled input, spelled out: log10(1 + max(x, 0)/s) / inputMax. */
export function naiveScaledInput(sample: OverlapSample): Float32Array {
  const { s, inputMax } = sample.factors;
  return Float32Array.from(sample.input, (x) => Math.log10(1 + Math.max(x, 0) / s) / inputMax);
}

/** A scaled prediction back in raw ADU: clamp at 1 (predictRaw's guard), then s·(10^(v·targetMax) − 1), 0 for v ≤ 0. */
export function naiveRawPrediction(scaled: ArrayLike<number>, sample: OverlapSample): Float32Array {
  const { s, targetMax } = sample.factors;
  return Float32Array.from(scaled, (v) => {
    const c = Math.min(1, v);
    return c > 0 ? s * (10 ** (c * targetMax) - 1) : 0;
  });
}

/**
 * The naive events of a trained U-Net on `samples`: the model run on one sample at a time (not
 * predictRaw's batches), its ER channel (channel 0 of [1, H, W, 2]) clamped and unscaled by hand.
 */
export function naiveModelEvents(net: LayersModel, samples: OverlapSample[]): NaiveEvent[] {
  return samples.map((s) => {
    const y = tf.tidy(() => (net.predict(tf.tensor4d(naiveScaledInput(s), [1, s.height, s.width, 1])) as tf.Tensor).dataSync());
    return naiveEvent(s, naiveRawPrediction(Float32Array.from({ length: s.width * s.height }, (_, i) => y[2 * i]), s));
  });
}

/**
 * Hand-made multi-event set on a non-square W×H frame (default 24×13): hybrids at energies chosen
 * around the bin edges and the 3.6–4.4 keV FP window, NR-only events, each with its own vertex (so
 * the valid boxes differ and are asymmetric), an ER track at its own angle and length.
 */
export function handSamples(width = 24, height = 13): OverlapSample[] {
  const energies = [3.8, 4.2, 4.6, 4.95, 5.0, 5.5, 7.3, 0, 14.9, 15.2, 0, 4.4, 0];
  return energies.map((e, i) => {
    const rng = Rng.derive(61, i);
    const px = width * height;
    const er = new Float32Array(px);
    const nr = new Float32Array(px);
    const vx = 4 + ((i * 7) % (width - 9));
    const vy = 3 + ((i * 5) % (height - 6));
    for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 2; dx++) nr[(vy + dy) * width + vx + dx] = 800 + 400 * rng.uniform();
    const hybrid = e > 0;
    const angle = (i * 0.7) % Math.PI; // a different direction per event
    if (hybrid) {
      for (let t = 0; t <= 3 + (i % 4); t += 0.5) {
        const x = Math.round(vx + t * Math.cos(angle));
        const y = Math.round(vy + t * Math.sin(angle));
        if (x >= 0 && x < width && y >= 0 && y < height) er[y * width + x] = 20 + 50 * rng.uniform() + (i === 3 ? 0.5 : 0);
      }
    }
    const input = new Float32Array(px);
    for (let k = 0; k < px; k++) input[k] = er[k] + nr[k] + 2 * rng.normal();
    return prepareSample(
      { id: `h${i}`, kind: hybrid ? 'hybrid' : 'nr-only', erEnergyKeV: e, nrEnergyKeV: 80, nrVisibleKeV: 40, nrSpecies: 'f', vertexX: vx, vertexY: vy, erDirX: Math.cos(angle), erDirY: Math.sin(angle) },
      width,
      height,
      { input, er, nr },
      PREPARATION_DEFAULTS,
    );
  });
}

/**
 * Imperfect ER predictions of `samples`, raw ADU: the truth scaled per event by 0.6–1.4, some truth
 * pixels dropped, spurious pixels (some just below and above the 1-ADU cut), and junk outside the
 * valid box that every metric must ignore. NR-only events get a few spurious pixels of their own, every other one a bright false positive.
 */
export function imperfectPredictions(samples: OverlapSample[], seed: number): Float32Array[] {
  return samples.map((s, i) => {
    const rng = Rng.derive(seed, i);
    const gain = 0.6 + 0.8 * rng.uniform();
    const p = Float32Array.from(s.er, (v) => (v > 0 && rng.uniform() > 0.15 ? v * gain : 0));
    const { x0, y0, x1, y1 } = s.valid;
    for (let k = 0; k < 4; k++) {
      const x = x0 + Math.floor(rng.uniform() * (x1 - x0));
      const y = y0 + Math.floor(rng.uniform() * (y1 - y0));
      p[y * s.width + x] += [0.9, 1.1, 15, 40 * (1 + (i % 4))][k];
    }
    if (s.kind === 'nr-only' && i % 2 === 0) p[s.vertexY * s.width + s.vertexX] += 300; // a false positive
    if (x0 > 0) p[y0 * s.width + x0 - 1] = 500; // left of the box
    if (y1 < s.height) p[y1 * s.width + x0] = 500; // below it
    return p;
  });
}

export const closeOrNull = (a: number | null, b: number | null, tol = 1e-9) => {
  if (b === null) expect(a).toBeNull();
  else {
    expect(a).not.toBeNull();
    expectClose(a!, b, tol, tol);
  }
};

/** Per-event metrics and the summary of the library against the naive ones. */
export function expectMatchesNaive(events: EventMetrics[], summary: MetricsSummary, naive: NaiveEvent[], tol = 1e-9, angleTolDeg = 1e-6): void {
  expect(events.length).toBe(naive.length);
  events.forEach((e, i) => {
    const n = naive[i];
    expect(e.kind).toBe(n.kind);
    expectClose(e.trueErAdu, n.trueSum, tol, tol);
    expectClose(e.predErAdu, n.predSum, tol, tol);
    closeOrNull(e.deltaI, n.deltaI, tol);
    closeOrNull(e.iou, n.iou, tol);
    closeOrNull(e.angleDeg, n.angle, angleTolDeg);
  });
  expectSummaryMatchesNaive(summary, naive, tol, angleTolDeg);
}

/** The summary figures (as in oasis-evaluation.json) against the naive summary of the naive events. */
export function expectSummaryMatchesNaive(summary: MetricsSummary, naive: NaiveEvent[], tol = 1e-9, angleTolDeg = 1e-6): void {
  const s = naiveSummary(naive);
  expect(summary.hybridEvents).toBe(naive.filter((e) => e.kind === 'hybrid').length);
  expect(summary.nrOnlyEvents).toBe(naive.filter((e) => e.kind === 'nr-only').length);
  expect(summary.bins.map((b) => [b.loKeV, b.hiKeV, b.events])).toEqual(s.bins.map((b) => [b.lo, b.hi, b.events]));
  summary.bins.forEach((b, i) => {
    closeOrNull(b.medianDeltaI, s.bins[i].median, tol);
    closeOrNull(b.iqrDeltaI, s.bins[i].iqr, tol);
  });
  closeOrNull(summary.medianDeltaI, s.median, tol);
  closeOrNull(summary.iqrDeltaI, s.iqr, tol);
  closeOrNull(summary.medianDeltaI_4to5keV, s.median4to5, tol);
  closeOrNull(summary.iqrDeltaI_4to5keV, s.iqr4to5, tol);
  closeOrNull(summary.iou, s.iou, tol);
  closeOrNull(summary.fpThresholdAdu, s.fpThreshold, tol);
  closeOrNull(summary.nrOnlyFpRate, s.fpRate, tol);
  closeOrNull(summary.angleMedianDeg, s.angleMedian, angleTolDeg);
  closeOrNull(summary.angleResolutionDeg, s.angle68, angleTolDeg);
}
