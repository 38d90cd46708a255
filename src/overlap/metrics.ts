/**
 * Overlap-separation metrics (spec overlap-separation.md, "Metrics"), pure functions over raw-ADU
 * images [H·W] (predictions already passed through invertScaling) and each sample's valid box.
 *
 * Per event:
 *   ΔI = (Σ pred ER − Σ true ER) / Σ true ER inside the valid box (hybrids with Σ true ER > 0);
 *   topological IoU of {pred ER > erThresholdAdu} vs {true ER > 0} inside the valid box. Threshold:
 *     1 ADU, the same cut that defines the truth pixels (core/overlap-sample.ts truthCutAdu), so a perfect
 *     prediction scores 1; events whose both sets are empty are skipped;
 *   ER direction: the principal axis of the intensity-weighted second moments of the ER map (pred:
 *     pixels above the threshold only, so a diffuse sub-ADU haze does not swing the axis), angle
 *     between predicted and true axes in [0°, 90°] (axes are undirected).
 * Summaries: ΔI median and IQR (q75 − q25, numpy-linear quantiles) per 1-keV bin of true ER energy
 * 4–15 keV, the 4–5 keV bin singled out, and over all hybrids; mean per-event IoU; NR-only
 * false-positive rate = fraction of NR-only events whose Σ pred ER exceeds the mean Σ true ER of the
 * set's 3.6–4.4 keV hybrids (null when the set has none); angle resolution = median and 68% quantile.
 * Ignored: pixels outside the valid box; NR metrics (the spec judges the ER only).
 */
import type { OverlapSample, PixelBox } from '../core/overlap-sample.js';

export const DEFAULT_ER_THRESHOLD_ADU = 1;

export interface EventMetrics {
  id: string;
  kind: 'hybrid' | 'nr-only';
  erEnergyKeV: number;
  trueErAdu: number;
  predErAdu: number;
  /** null for NR-only events and hybrids whose ER was cut away entirely. */
  deltaI: number | null;
  iou: number | null;
  angleDeg: number | null;
}

/** Sum of `img` over the box. */
export function boxSum(img: ArrayLike<number>, width: number, box: PixelBox): number {
  let s = 0;
  for (let y = box.y0; y < box.y1; y++) for (let x = box.x0; x < box.x1; x++) s += img[y * width + x];
  return s;
}

/** IoU of {pred > thr} and {truth > 0} inside the box; null if both are empty. */
export function topologicalIou(pred: ArrayLike<number>, truth: ArrayLike<number>, width: number, box: PixelBox, thr = DEFAULT_ER_THRESHOLD_ADU): number | null {
  let inter = 0;
  let union = 0;
  for (let y = box.y0; y < box.y1; y++) {
    for (let x = box.x0; x < box.x1; x++) {
      const p = pred[y * width + x] > thr;
      const t = truth[y * width + x] > 0;
      if (p && t) inter++;
      if (p || t) union++;
    }
  }
  return union > 0 ? inter / union : null;
}

/**
 * Orientation of the principal axis, degrees in (−90, 90], from the intensity-weighted covariance
 * of the pixel centres (values ≤ `thr` ignored); null when fewer than 2 pixels or an isotropic blob.
 * Angle convention: atan2 in image coordinates (x right, y down).
 */
export function principalAxisDeg(img: ArrayLike<number>, width: number, box: PixelBox, thr = 0): number | null {
  let sw = 0;
  let sx = 0;
  let sy = 0;
  let n = 0;
  for (let y = box.y0; y < box.y1; y++) {
    for (let x = box.x0; x < box.x1; x++) {
      const v = img[y * width + x];
      if (!(v > thr)) continue;
      sw += v;
      sx += v * x;
      sy += v * y;
      n++;
    }
  }
  if (n < 2) return null;
  const mx = sx / sw;
  const my = sy / sw;
  let cxx = 0;
  let cyy = 0;
  let cxy = 0;
  for (let y = box.y0; y < box.y1; y++) {
    for (let x = box.x0; x < box.x1; x++) {
      const v = img[y * width + x];
      if (!(v > thr)) continue;
      cxx += v * (x - mx) ** 2;
      cyy += v * (y - my) ** 2;
      cxy += v * (x - mx) * (y - my);
    }
  }
  if (Math.abs(cxx - cyy) < 1e-12 * (cxx + cyy) && Math.abs(cxy) < 1e-12 * (cxx + cyy)) return null;
  return (0.5 * Math.atan2(2 * cxy, cxx - cyy) * 180) / Math.PI;
}

/** Angle between two undirected axes, degrees in [0, 90]. */
export function axisAngleDeg(a: number, b: number): number {
  const d = Math.abs(a - b) % 180;
  return Math.min(d, 180 - d);
}

/** Metrics of one event: `predEr` is the predicted ER map in raw ADU [H·W]. */
export function eventMetrics(sample: OverlapSample, predEr: ArrayLike<number>, thr = DEFAULT_ER_THRESHOLD_ADU): EventMetrics {
  const { width, valid } = sample;
  const trueErAdu = boxSum(sample.er, width, valid);
  const predErAdu = boxSum(predEr, width, valid);
  const hybrid = sample.kind === 'hybrid' && trueErAdu > 0;
  let angleDeg: number | null = null;
  if (hybrid) {
    const a = principalAxisDeg(predEr, width, valid, thr);
    const b = principalAxisDeg(sample.er, width, valid, 0);
    angleDeg = a === null || b === null ? null : axisAngleDeg(a, b);
  }
  return {
    id: sample.id,
    kind: sample.kind,
    erEnergyKeV: sample.erEnergyKeV,
    trueErAdu,
    predErAdu,
    deltaI: hybrid ? (predErAdu - trueErAdu) / trueErAdu : null,
    iou: hybrid ? topologicalIou(predEr, sample.er, width, valid, thr) : null,
    angleDeg,
  };
}

/** numpy-linear quantile of `values` (q in [0, 1]); NaN when empty. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const a = [...values].sort((x, y) => x - y);
  const pos = q * (a.length - 1);
  const k = Math.floor(pos);
  return k + 1 < a.length ? a[k] + (pos - k) * (a[k + 1] - a[k]) : a[k];
}

export interface EnergyBin {
  loKeV: number;
  hiKeV: number;
  events: number;
  medianDeltaI: number | null;
  q25DeltaI: number | null;
  q75DeltaI: number | null;
  iqrDeltaI: number | null;
}

export interface MetricsSummary {
  hybridEvents: number;
  nrOnlyEvents: number;
  medianDeltaI: number | null;
  iqrDeltaI: number | null;
  medianDeltaI_4to5keV: number | null;
  iqrDeltaI_4to5keV: number | null;
  bins: EnergyBin[];
  iou: number | null;
  /** ADU threshold of the FP rate (mean true ER intensity of 3.6–4.4 keV hybrids) and the rate. */
  fpThresholdAdu: number | null;
  nrOnlyFpRate: number | null;
  angleResolutionDeg: number | null;
  angleMedianDeg: number | null;
  erThresholdAdu: number;
}

const orNull = (x: number) => (Number.isFinite(x) ? x : null);

export interface SummaryOptions {
  /** Bin edges of true ER energy, keV [spec: 1-keV bins over 4–15]. */
  binEdgesKeV?: number[];
  /** Energy window of the FP threshold, keV [spec: 3.6–4.4, "a 4 keV threshold"]. */
  fpWindowKeV?: [number, number];
  erThresholdAdu?: number;
}

export function summarizeMetrics(events: readonly EventMetrics[], o: SummaryOptions = {}): MetricsSummary {
  const edges = o.binEdgesKeV ?? Array.from({ length: 12 }, (_, i) => 4 + i);
  const [wLo, wHi] = o.fpWindowKeV ?? [3.6, 4.4];
  const hybrids = events.filter((e) => e.kind === 'hybrid');
  const withDelta = hybrids.filter((e) => e.deltaI !== null);
  const stats = (list: readonly EventMetrics[]) => {
    const d = list.map((e) => e.deltaI as number);
    const q25 = quantile(d, 0.25);
    const q75 = quantile(d, 0.75);
    return { median: orNull(quantile(d, 0.5)), q25: orNull(q25), q75: orNull(q75), iqr: orNull(q75 - q25) };
  };
  const bins: EnergyBin[] = edges.slice(0, -1).map((lo, i) => {
    const hi = edges[i + 1];
    const inBin = withDelta.filter((e) => e.erEnergyKeV >= lo && e.erEnergyKeV < hi);
    const s = stats(inBin);
    return { loKeV: lo, hiKeV: hi, events: inBin.length, medianDeltaI: s.median, q25DeltaI: s.q25, q75DeltaI: s.q75, iqrDeltaI: s.iqr };
  });
  const low = bins.find((b) => b.loKeV === 4 && b.hiKeV === 5);
  const all = stats(withDelta);
  const ious = hybrids.map((e) => e.iou).filter((v): v is number => v !== null);
  const window = hybrids.filter((e) => e.erEnergyKeV >= wLo && e.erEnergyKeV <= wHi);
  const fpThreshold = window.length ? window.reduce((s, e) => s + e.trueErAdu, 0) / window.length : null;
  const nrOnly = events.filter((e) => e.kind === 'nr-only');
  const fp = fpThreshold === null || nrOnly.length === 0 ? null : nrOnly.filter((e) => e.predErAdu > fpThreshold).length / nrOnly.length;
  const angles = hybrids.map((e) => e.angleDeg).filter((v): v is number => v !== null);
  return {
    hybridEvents: hybrids.length,
    nrOnlyEvents: nrOnly.length,
    medianDeltaI: all.median,
    iqrDeltaI: all.iqr,
    medianDeltaI_4to5keV: low?.medianDeltaI ?? null,
    iqrDeltaI_4to5keV: low?.iqrDeltaI ?? null,
    bins,
    iou: ious.length ? ious.reduce((s, v) => s + v, 0) / ious.length : null,
    fpThresholdAdu: fpThreshold,
    nrOnlyFpRate: fp,
    angleResolutionDeg: orNull(quantile(angles, 0.68)),
    angleMedianDeg: orNull(quantile(angles, 0.5)),
    erThresholdAdu: o.erThresholdAdu ?? DEFAULT_ER_THRESHOLD_ADU,
  };
}
