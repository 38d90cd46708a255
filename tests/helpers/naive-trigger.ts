/**
 * Naive references for the trigger half's reported figures, written straight from the spec's
 * definitions and shared by the evaluation, calibration, trigger, preprocessing and CLI tests. None
 * of them calls the code under test: threshold and closing are the O(N·r²) disk operators of
 * tests/roi/naive.ts, grid mappings scan for the analysis pixel whose span holds a pixel centre,
 * means and medians are recomputed from the rows.
 */
import { expect } from 'vitest';
import type { CalibrationConfig, PreprocessConfig } from '../../src/config/pipeline.js';
import type { MethodResult } from '../../src/evaluation/results.js';
import type { Roi } from '../../src/roi/components.js';
import { naiveLabels } from '../roi/naive.js';
import { expectClose } from './close.js';

// ---------- ROI mask on the analysis grid ----------

/**
 * Paint a disk of radius r (offsets with dx² + dy² ≤ r²) with `value` around every pixel where
 * `from` is `value`: the disk is the union of its rows, row dy spanning |dx| ≤ ⌊√(r² − dy²)⌋, and each
 * row span is marked in a per-row difference array (+1 at its start, −1 past its end) so that a pixel
 * is painted when the running sum over its row is positive. Dilation paints 1 around every 1 (outside
 * the image is background); erosion paints 0 around every in-image 0 (outside never erodes). The
 * definitions of tests/roi/naive.ts turned inside out, so that radius 40 on a 128² grid stays fast.
 */
function paintDisks(from: Uint8Array, w: number, h: number, r: number, value: 0 | 1): Uint8Array {
  const R = Math.floor(r);
  const spans = new Int32Array(h * (w + 1)); // row v: entries v·(w + 1) … v·(w + 1) + w
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (from[y * w + x] !== value) continue;
      for (let dy = -R; dy <= R; dy++) {
        const v = y + dy;
        if (v < 0 || v >= h || dy * dy > r * r) continue;
        const half = Math.floor(Math.sqrt(r * r - dy * dy));
        spans[v * (w + 1) + Math.max(0, x - half)]++;
        spans[v * (w + 1) + Math.min(w - 1, x + half) + 1]--;
      }
    }
  }
  const out = Uint8Array.from(from);
  for (let v = 0; v < h; v++) {
    let covered = 0;
    for (let u = 0; u < w; u++) {
      covered += spans[v * (w + 1) + u];
      if (covered > 0) out[v * w + u] = value;
    }
  }
  return out;
}

/** Closing with a disk of radius r: dilation, then erosion. */
export const naiveCloseByDisks = (m: Uint8Array, w: number, h: number, r: number): Uint8Array => paintDisks(paintDisks(m, w, h, r, 1), w, h, r, 0);

/** Closed ROI mask: pixels with score > τ, closed with a disk of radius r. */
export function naiveClosedMask(score: ArrayLike<number>, w: number, h: number, tau: number, r: number): Uint8Array {
  const active = new Uint8Array(w * h);
  for (let i = 0; i < w * h; i++) active[i] = score[i] > tau ? 1 : 0;
  return naiveCloseByDisks(active, w, h, r);
}

export const sumOf = (xs: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return s;
};

// ---------- grids: crop pixel → analysis pixel, analysis mask → raw mask ----------

/**
 * The analysis pixel a crop pixel falls into: the resize spreads `inSize` crop pixels over `outSize`
 * analysis pixels, analysis pixel a spanning crop coordinates [a·in/out, (a+1)·in/out); crop pixel c
 * belongs to the span holding its centre c + 0.5. Found by scanning, not by formula.
 */
export function naiveAnalysisIndex(c: number, inSize: number, outSize: number): number {
  for (let a = 0; a < outSize; a++) if ((c + 0.5) * outSize < (a + 1) * inSize) return a;
  return outSize - 1;
}

/** Raw-frame mask of an analysis mask: each crop pixel takes its analysis pixel's value, outside the crop 0. */
export function naiveRawMask(mask: Uint8Array, cfg: PreprocessConfig): Uint8Array {
  const { crop, frameWidth: W, frameHeight: H, analysisWidth: aw, analysisHeight: ah } = cfg;
  const raw = new Uint8Array(W * H);
  for (let Y = 0; Y < H; Y++) {
    for (let X = 0; X < W; X++) {
      const cx = X - crop.x;
      const cy = Y - crop.y;
      if (cx < 0 || cy < 0 || cx >= crop.width || cy >= crop.height) continue;
      raw[Y * W + X] = mask[naiveAnalysisIndex(cy, crop.height, ah) * aw + naiveAnalysisIndex(cx, crop.width, aw)];
    }
  }
  return raw;
}

// ---------- truth on the analysis grid ----------

export interface NaiveTruthEvent {
  id: number;
  type: string;
  energyKeV: number;
  pixels: { index: number[]; counts: number[] };
}

export interface NaiveEvent {
  frame: string;
  id: number;
  energyKeV: number;
  /** Analysis pixel → in-crop counts (pixels with counts ≤ 0 ignored). */
  counts: Map<number, number>;
  total: number;
  /** One of its pixels lies farther than the border from every grid edge (and it has intensity). */
  contained: boolean;
}

export function naiveProject(frame: string, rawWidth: number, events: NaiveTruthEvent[], cfg: PreprocessConfig, border: number): NaiveEvent[] {
  const { crop, analysisWidth: aw, analysisHeight: ah } = cfg;
  return events.map((ev) => {
    const counts = new Map<number, number>();
    let contained = false;
    ev.pixels.index.forEach((idx, k) => {
      const c = ev.pixels.counts[k];
      if (!(c > 0)) return;
      const cx = (idx % rawWidth) - crop.x;
      const cy = Math.floor(idx / rawWidth) - crop.y;
      if (cx < 0 || cy < 0 || cx >= crop.width || cy >= crop.height) return;
      const ax = naiveAnalysisIndex(cx, crop.width, aw);
      const ay = naiveAnalysisIndex(cy, crop.height, ah);
      counts.set(ay * aw + ax, (counts.get(ay * aw + ax) ?? 0) + c);
      // farther than `border` from each edge: border ≤ ax ≤ aw − 1 − border
      if (ax >= border && ay >= border && aw - 1 - ax >= border && ah - 1 - ay >= border) contained = true;
    });
    const total = sumOf([...counts.values()]);
    return { frame, id: ev.id, energyKeV: ev.energyKeV, counts, total, contained: contained && total > 0 };
  });
}

/** Fraction of the event's in-crop intensity inside the mask (0 for an event with none). */
export function naiveCoverage(ev: NaiveEvent, mask: Uint8Array): number {
  if (ev.total <= 0) return 0;
  let inside = 0;
  for (const [p, c] of ev.counts) if (mask[p]) inside += c;
  return inside / ev.total;
}

// ---------- the evaluation protocol ----------

export const naiveMean = (xs: number[]): number => (xs.length ? sumOf(xs) / xs.length : NaN);

export function naiveMedian(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 === 1 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

const inRange = (e: number, lo: number, hi: number) => lo <= e && e < hi;

/**
 * Coverage at an area cut read off the sweep's curve (area cut → mean coverage), joining neighbouring
 * points by straight lines; null outside the swept range. E.g. points (0.95, 1.0), (0.97, 0.9),
 * (0.99, 0.8): at 0.98 the segment 0.97 → 0.99 gives 0.9 + ½·(0.8 − 0.9) = 0.85.
 */
export function naiveCoverageAt(points: { areaCut: number; coverage: number }[], cut: number): number | null {
  const s = [...points].sort((a, b) => a.areaCut - b.areaCut);
  for (let i = 1; i < s.length; i++) {
    const [a, b] = [s[i - 1], s[i]];
    if (cut < a.areaCut || cut > b.areaCut) continue;
    if (a.areaCut === b.areaCut) return Math.max(a.coverage, b.coverage);
    return a.coverage + ((cut - a.areaCut) / (b.areaCut - a.areaCut)) * (b.coverage - a.coverage);
  }
  return null;
}

export interface NaiveEvalSettings {
  width: number;
  height: number;
  closingRadius: number;
  energyBins: number[];
  lowEnergyRange: [number, number];
  lowCoverage: number;
  referenceAreaCut: number;
}

export interface NaiveFrame {
  score: ArrayLike<number>;
  events: NaiveEvent[];
}

/** A method's figures over a run, every mask formed afresh per τ; contained events only, except `coverages`. */
export function naiveEvaluate(frames: NaiveFrame[], tau: number, sweepTaus: number[], s: NaiveEvalSettings) {
  const { width: w, height: h, closingRadius: r } = s;
  const at = (t: number) => {
    const covs: { ev: NaiveEvent; cov: number }[] = [];
    let cutSum = 0;
    let rois = 0;
    for (const f of frames) {
      const mask = naiveClosedMask(f.score, w, h, t, r);
      cutSum += 1 - sumOf(mask) / (w * h); // area cut: the fraction of the grid *outside* the ROIs
      rois += Math.max(0, ...naiveLabels(mask, w, h));
      for (const ev of f.events) covs.push({ ev, cov: naiveCoverage(ev, mask) });
    }
    const contained = covs.filter((c) => c.ev.contained);
    const low = contained.filter((c) => inRange(c.ev.energyKeV, ...s.lowEnergyRange)).map((c) => c.cov);
    const bins = s.energyBins.slice(0, -1).map((lo, j) => {
      const hi = s.energyBins[j + 1];
      const inside = contained.filter((c) => inRange(c.ev.energyKeV, lo, hi)).map((c) => c.cov);
      return { lo, hi, events: inside.length, meanCoverage: inside.length ? naiveMean(inside) : null, medianCoverage: inside.length ? naiveMedian(inside) : null };
    });
    return {
      coverages: covs.map((c) => c.cov),
      contained: contained.map((c) => c.cov),
      containedRows: contained,
      meanCoverage: naiveMean(contained.map((c) => c.cov)),
      meanAreaCut: cutSum / frames.length,
      roisPerFrame: rois / frames.length,
      lowEnergyCoverage: low.length ? naiveMean(low) : null,
      bins,
    };
  };
  const op = at(tau);
  const sweep = sweepTaus.map((t) => ({ tau: t, ...at(t) }));
  return {
    coverages: op.coverages,
    events: op.contained.length,
    meanCoverage: op.meanCoverage,
    medianCoverage: naiveMedian(op.contained),
    meanAreaCut: op.meanAreaCut,
    roisPerFrame: op.roisPerFrame,
    lowEnergyCoverage: op.lowEnergyCoverage,
    bins: op.bins,
    lowCoverageEvents: op.containedRows
      .filter((c) => c.cov < s.lowCoverage)
      .sort((a, b) => a.cov - b.cov)
      .map((c) => ({ frame: c.ev.frame, id: c.ev.id, coverage: c.cov })),
    sweep,
    coverageAtReferenceCut: naiveCoverageAt(
      sweep.map((p) => ({ areaCut: p.meanAreaCut, coverage: p.meanCoverage })),
      s.referenceAreaCut,
    ),
  };
}

/** One method's summary against its naive figures (tolerance 1e-12: sums in another order, or JSON's 17 digits). */
export function expectMethodMatches(m: MethodResult, ref: ReturnType<typeof naiveEvaluate>): void {
  const nullable = (v: number | null) => v ?? -1;
  expect(m.events).toBe(ref.events);
  expectClose(m.meanCoverage, ref.meanCoverage, 1e-12);
  expectClose(m.medianCoverage, ref.medianCoverage, 1e-12);
  expectClose(m.meanAreaCut, ref.meanAreaCut, 1e-12);
  expectClose(m.meanRoisPerFrame, ref.roisPerFrame, 1e-12);
  expect(m.lowEnergyCoverage === null).toBe(ref.lowEnergyCoverage === null);
  expectClose(nullable(m.lowEnergyCoverage), nullable(ref.lowEnergyCoverage), 1e-12);
  expect(m.energyBins.map((b) => [b.lo, b.hi, b.events, b.meanCoverage === null])).toEqual(ref.bins.map((b) => [b.lo, b.hi, b.events, b.meanCoverage === null]));
  expectClose(m.energyBins.map((b) => nullable(b.meanCoverage)), ref.bins.map((b) => nullable(b.meanCoverage)), 1e-12);
  expectClose(m.energyBins.map((b) => nullable(b.medianCoverage)), ref.bins.map((b) => nullable(b.medianCoverage)), 1e-12);
  // near-zero events sorted by coverage; ties may come in either order
  expect(m.lowCoverageEvents.map((r) => `${r.frame}#${r.id}`).sort()).toEqual(ref.lowCoverageEvents.map((r) => `${r.frame}#${r.id}`).sort());
  expectClose(m.lowCoverageEvents.map((r) => r.coverage), ref.lowCoverageEvents.map((r) => r.coverage), 1e-12);
  // the sweep, every τ's mask formed afresh by the reference
  expect(m.sweep.map((p) => p.tau)).toEqual(ref.sweep.map((p) => p.tau));
  expectClose(m.sweep.map((p) => p.meanAreaCut), ref.sweep.map((p) => p.meanAreaCut), 1e-12);
  expectClose(m.sweep.map((p) => p.meanCoverage), ref.sweep.map((p) => p.meanCoverage), 1e-12);
  expectClose(m.sweep.map((p) => nullable(p.lowEnergyCoverage)), ref.sweep.map((p) => nullable(p.lowEnergyCoverage)), 1e-12);
  m.sweep.forEach((p, k) => {
    expect(p.coverageByEnergy.map((b) => b.events)).toEqual(ref.sweep[k].bins.map((b) => b.events));
    expectClose(p.coverageByEnergy.map((b) => nullable(b.meanCoverage)), ref.sweep[k].bins.map((b) => nullable(b.meanCoverage)), 1e-12);
  });
  expect(m.coverageAtReferenceCut === null).toBe(ref.coverageAtReferenceCut === null);
  expectClose(nullable(m.coverageAtReferenceCut), nullable(ref.coverageAtReferenceCut), 1e-12);
}

/** Every method of an evaluation against its naive figures, by name. */
export function expectMethodsMatch(methods: MethodResult[], refs: Map<string, ReturnType<typeof naiveEvaluate>>): void {
  expect(methods.map((m) => m.name).sort()).toEqual([...refs.keys()].sort());
  for (const m of methods) expectMethodMatches(m, refs.get(m.name)!);
}

// ---------- calibration ----------

/** Mean retained fraction over the maps at τ: whole grid, and only pixels at least `border` from every edge. */
export function naiveRetained(maps: ArrayLike<number>[], w: number, h: number, tau: number, r: number, border: number) {
  let whole = 0;
  let interior = 0;
  for (const m of maps) {
    const mask = naiveClosedMask(m, w, h, tau, r);
    let inner = 0;
    let innerArea = 0;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        if (x < border || y < border || x >= w - border || y >= h - border) continue;
        innerArea++;
        inner += mask[y * w + x];
      }
    }
    whole += sumOf(mask) / (w * h);
    interior += innerArea ? inner / innerArea : 0;
  }
  return { fraction: whole / maps.length, interiorFraction: interior / maps.length };
}

/**
 * Brute-force calibration: the smallest τ whose retained fraction is ≤ target. The fraction only
 * changes where τ crosses a score value (a pixel is active when score > τ) and falls as τ grows (the
 * active set shrinks and closing is increasing), so τ* is one of the distinct score values, found by
 * bisection over their sorted list. Returns τ* and the largest score value below it (whose fraction
 * exceeds the target), or −∞ when every value meets it.
 */
export function naiveCalibratedTau(maps: ArrayLike<number>[], w: number, h: number, r: number, border: number, target: number, which: 'fraction' | 'interiorFraction') {
  const values = [...new Set(maps.flatMap((m) => Array.from(m)))].sort((a, b) => a - b);
  const ok = (t: number) => naiveRetained(maps, w, h, t, r, border)[which] <= target;
  let lo = -1; // values[lo] fails (−1: below every value, where all pixels are on)
  let hi = values.length - 1; // the maximum always meets the target: nothing is above it
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (ok(values[mid])) hi = mid;
    else lo = mid;
  }
  return { tau: values[hi], below: lo >= 0 ? values[lo] : -Infinity, min: values[0], max: values[values.length - 1] };
}

/**
 * The calibrated τ against the brute-force τ*. Bisection keeps fraction(lo) > target ≥ fraction(hi),
 * so τ* ∈ (lo, hi] and the returned τ (the last hi) is ≥ τ*; it stops once hi − lo ≤
 * tolerance·max(1, |hi|), or after `iterations` halvings of a first bracket inside [min, max]: hence
 * τ − τ* ≤ δ = max(tolerance·max(1, |max|), (max − min)/2^iterations). A τ at or above the next score
 * value (or τ = max) would still retain ≤ target; this bound rejects it.
 */
export function expectBisected(tau: number, ref: ReturnType<typeof naiveCalibratedTau>, cfg: Pick<CalibrationConfig, 'tolerance' | 'iterations'>): void {
  const delta = Math.max(cfg.tolerance * Math.max(1, Math.abs(ref.max)), (ref.max - ref.min) / 2 ** cfg.iterations);
  expect(tau).toBeGreaterThanOrEqual(ref.tau);
  expect(tau - ref.tau).toBeLessThanOrEqual(delta);
}

// ---------- trigger: ROIs on the raw grid ----------

export type NaiveRoi = Pick<Roi, 'x0' | 'y0' | 'x1' | 'y1' | 'area' | 'sumIntensity'>;

/**
 * ROIs of a raw mask: 8-connected components in raster order, each with its box, area and the sum of
 * pedestal-subtracted counts (raw − pedestal mean in counts) over its pixels.
 */
export function naiveRawRois(rawMask: Uint8Array, W: number, H: number, frame: ArrayLike<number>, pedestalCounts: (X: number, Y: number) => number): NaiveRoi[] {
  const labels = naiveLabels(rawMask, W, H);
  const rois: NaiveRoi[] = [];
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    if (!l) continue;
    const X = i % W;
    const Y = Math.floor(i / W);
    const r = (rois[l - 1] ??= { x0: X, y0: Y, x1: X, y1: Y, area: 0, sumIntensity: 0 });
    r.x0 = Math.min(r.x0, X);
    r.y0 = Math.min(r.y0, Y);
    r.x1 = Math.max(r.x1, X);
    r.y1 = Math.max(r.y1, Y);
    r.area++;
    r.sumIntensity += frame[i] - pedestalCounts(X, Y);
  }
  return rois;
}

// ---------- preprocessing: bilinear resize ----------

/**
 * Bilinear resize by its definition, one output pixel at a time in 2-D (no separable passes):
 * output pixel centre o + ½ sits at input coordinate (o + ½)·in/out − ½ (half-pixel centres,
 * clamped to [0, in − 1]); the value is the area-weighted mix of the four surrounding pixels.
 */
export function naiveResize(src: ArrayLike<number>, inW: number, inH: number, outW: number, outH: number): number[] {
  const coord = (o: number, inSize: number, outSize: number) => Math.min(Math.max(((o + 0.5) * inSize) / outSize - 0.5, 0), inSize - 1);
  const out: number[] = [];
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      const sx = coord(x, inW, outW);
      const sy = coord(y, inH, outH);
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const x1 = Math.min(x0 + 1, inW - 1);
      const y1 = Math.min(y0 + 1, inH - 1);
      const fx = sx - x0;
      const fy = sy - y0;
      const v = (xx: number, yy: number) => src[yy * inW + xx];
      out.push((1 - fx) * (1 - fy) * v(x0, y0) + fx * (1 - fy) * v(x1, y0) + (1 - fx) * fy * v(x0, y1) + fx * fy * v(x1, y1));
    }
  }
  return out;
}
