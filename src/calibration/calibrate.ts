/**
 * Threshold calibration (spec "From residual map to ROIs", step 1): on held-out pedestal frames,
 * find τ such that the fraction of pedestal pixels inside the closed ROI masks equals a target, once
 * over the whole analysis grid and once with a border excluded (the study: 6.9×10⁻³ vs 2.2×10⁻⁴ at
 * τ = 0.04, so the false activity sits near the edges). The retained fraction falls monotonically with
 * τ; closing only adds pixels, so the plain score quantile at the target is a lower bound for τ
 * (unless it already meets the target: then the bisection starts from the minimum) and a bisection
 * above it converges in a few steps.
 */
import { InputError } from '../core/errors.js';
import { extractRois } from '../roi/extract.js';
import { calibrationSchema, type CalibrationConfig } from '../config/pipeline.js';
import { schemaDefaults } from '../config/resolve.js';

export interface RetainedFractions {
  tau: number;
  /** Mean fraction of pixels inside closed ROI masks, whole grid. */
  fraction: number;
  /** Same, counting only pixels farther than `border` from the grid edge. */
  interiorFraction: number;
}

export interface Calibration {
  targetFraction: number;
  border: number;
  closingRadius: number;
  frames: number;
  /** τ calibrated on the whole grid. */
  whole: RetainedFractions;
  /** τ calibrated with the border excluded. */
  interior: RetainedFractions;
}

/** Fractions retained at τ over a set of score maps. */
export function retainedFractions(
  maps: Float32Array[],
  width: number,
  height: number,
  tau: number,
  closingRadius: number,
  border: number,
): RetainedFractions {
  let whole = 0;
  let interior = 0;
  const interiorArea = Math.max(0, width - 2 * border) * Math.max(0, height - 2 * border);
  for (const map of maps) {
    const { mask, keptFraction } = extractRois(map, null, width, height, { tau, closingRadius });
    let inner = 0;
    for (let y = border; y < height - border; y++) {
      const row = y * width;
      for (let x = border; x < width - border; x++) inner += mask[row + x];
    }
    whole += keptFraction;
    interior += interiorArea > 0 ? inner / interiorArea : 0;
  }
  return { tau, fraction: whole / maps.length, interiorFraction: interior / maps.length };
}

/**
 * Value exceeded by a fraction `exceed` of all pixels of all maps, from a strided sample when they hold
 * more than `samplePixels` (calibration.quantileSamplePixels).
 */
export function scoreQuantile(
  maps: Float32Array[],
  exceed: number,
  samplePixels: number = schemaDefaults(calibrationSchema).quantileSamplePixels,
): number {
  const total = maps.reduce((s, m) => s + m.length, 0);
  const stride = Math.max(1, Math.floor(total / samplePixels));
  const sample = new Float32Array(Math.ceil(total / stride) + maps.length);
  let n = 0;
  for (const m of maps) for (let i = 0; i < m.length; i += stride) sample[n++] = m[i];
  const s = sample.subarray(0, n).sort();
  const k = Math.min(n - 1, Math.max(0, Math.floor((1 - exceed) * n)));
  return s[k];
}

function bisect(
  evaluate: (tau: number) => RetainedFractions,
  pick: (f: RetainedFractions) => number,
  target: number,
  lo: number,
  hi: number,
  cfg: Pick<CalibrationConfig, 'iterations' | 'tolerance'>,
): RetainedFractions {
  // invariant: pick(lo) ≥ target > pick(hi); return the smallest τ found whose fraction ≤ target
  let best = evaluate(hi);
  for (let i = 0; i < cfg.iterations && hi - lo > cfg.tolerance * Math.max(1, Math.abs(hi)); i++) {
    const mid = 0.5 * (lo + hi);
    const f = evaluate(mid);
    if (pick(f) > target) lo = mid;
    else {
      hi = mid;
      best = f;
    }
  }
  return best;
}

export function calibrateThreshold(
  maps: Float32Array[],
  width: number,
  height: number,
  closingRadius: number,
  cfg: CalibrationConfig,
): Calibration {
  if (maps.length === 0) throw new InputError('held-out pedestal frames', 'none were read: calibration needs at least one');
  const evaluate = (tau: number) => retainedFractions(maps, width, height, tau, closingRadius, cfg.border);
  let max = -Infinity;
  let min = Infinity;
  for (const m of maps) {
    for (let i = 0; i < m.length; i++) {
      if (m[i] > max) max = m[i];
      if (m[i] < min) min = m[i];
    }
  }
  // the quantile bounds τ from below for the whole grid only (the interior may need a lower τ), and only
  // while the target is not yet met there: when target × pixels is a whole number (or the strided sample
  // errs) the quantile can already meet it, and bisecting above it would miss the smaller τ
  const quantile = Math.min(scoreQuantile(maps, cfg.targetFraction, cfg.quantileSamplePixels), max);
  const lower = evaluate(quantile).fraction > cfg.targetFraction ? quantile : min;
  const whole = bisect(evaluate, (f) => f.fraction, cfg.targetFraction, lower, max, cfg);
  const interior = bisect(evaluate, (f) => f.interiorFraction, cfg.targetFraction, min, max, cfg);
  return {
    targetFraction: cfg.targetFraction,
    border: cfg.border,
    closingRadius,
    frames: maps.length,
    whole,
    interior,
  };
}
