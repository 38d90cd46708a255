/**
 * The whole of "From residual map to ROIs" (spec roi-trigger.md) in one call, the one place that forms
 * ROIs: threshold the anomaly map at τ, close the binary mask with a disk, label the closed mask and
 * sum the intensities per ROI. Trigger, calibration and evaluation all call it, each with what it
 * needs: calibration and the evaluation's τ sweep only want the closed mask (no intensity map: the
 * labelling is skipped), the trigger labels on the raw camera grid (a mask mapping from the score grid
 * to the grid the ROIs are labelled on).
 * Each step is timed separately, because the trigger budget (≈ 50 ms per frame) is shared with the
 * model's forward pass and the evaluation reports the cost of each part.
 */
import { checkLength, checkSize } from './check.js';
import { closeMask, DEFAULT_CLOSING_RADIUS } from './closing.js';
import { labelComponents, type Roi } from './components.js';
import { thresholdMap } from './threshold.js';
import type { PixelArray } from '../core/frame.js';

/** How the closed mask reaches the grid the ROIs are labelled on (the trigger: analysis → raw camera grid). */
export interface MaskMapping {
  /** Size of the target grid, px. */
  width: number;
  height: number;
  /** The closed score-grid mask (0/1) as a width×height mask (0/1) of the target grid. */
  map(mask: Uint8Array): Uint8Array;
}

export interface ExtractOptions {
  /** Anomaly-score threshold: a pixel is active when score > tau. No default: it is calibrated per score method. */
  tau: number;
  /** Disk radius in pixels of the score-map grid, default the config's roi.closingRadius (config/pipeline.ts). 0 disables the closing. */
  closingRadius?: number;
  /** Label on another grid than the score map's; the intensity map then lives on that grid. */
  labelGrid?: MaskMapping;
}

/** The closed mask alone: what calibration and the τ sweep need. */
export interface ClosedMask {
  /** The ROI mask (0/1) on the score grid: the closed thresholded map. */
  mask: Uint8Array;
  /** Mask area / image area on the score grid; the spec's area cut is f_cut = 1 − keptFraction. */
  keptFraction: number;
  /** Wall-clock milliseconds of each step. */
  timings: { thresholdMs: number; closingMs: number };
}

export interface ExtractResult extends ClosedMask {
  /** The mask the ROIs were labelled on: `mask` itself, or its mapping onto `labelGrid`. */
  labelMask: Uint8Array;
  /** Per pixel of the label grid: 0 outside the mask, else the ROI id (8-connected components of `labelMask`). */
  labels: Int32Array;
  rois: Roi[];
  /** Wall-clock milliseconds of each step; componentsMs includes the mask mapping. */
  timings: { thresholdMs: number; closingMs: number; componentsMs: number };
}

/**
 * ROIs of one frame. `scoreMap` lives on the width×height grid; `intensityMap` on the label grid
 * (the same grid unless `labelGrid` is given) and only feeds the per-ROI sums, never the mask. It may
 * be a function of the label-grid mask, so that a caller computes intensities only where the ROIs are
 * (the trigger: ~2% of a 2304² frame). With `intensityMap` null the labelling is skipped and only the
 * closed mask is returned.
 */
export type IntensityMap = PixelArray | ((labelMask: Uint8Array) => PixelArray);

export function extractRois(
  scoreMap: Float32Array,
  intensityMap: IntensityMap,
  width: number,
  height: number,
  options: ExtractOptions,
): ExtractResult;
export function extractRois(
  scoreMap: Float32Array,
  intensityMap: null,
  width: number,
  height: number,
  options: ExtractOptions,
): ClosedMask;
export function extractRois(
  scoreMap: Float32Array,
  intensityMap: IntensityMap | null,
  width: number,
  height: number,
  options: ExtractOptions,
): ClosedMask | ExtractResult {
  checkSize('extractRois', width, height);
  checkLength('extractRois', 'scoreMap', scoreMap, width, height);
  const grid = options.labelGrid ?? { width, height, map: (m: Uint8Array) => m };
  if (intensityMap && typeof intensityMap !== 'function') checkLength('extractRois', 'intensityMap', intensityMap, grid.width, grid.height);
  const radius = options.closingRadius ?? DEFAULT_CLOSING_RADIUS;

  // 1. Threshold, 2. close (score grid).
  const t0 = performance.now();
  const active = thresholdMap(scoreMap, options.tau);
  const t1 = performance.now();
  const mask = closeMask(active, width, height, radius);
  const t2 = performance.now();
  const closed: ClosedMask = {
    mask,
    keptFraction: countOn(mask) / (width * height),
    timings: { thresholdMs: t1 - t0, closingMs: t2 - t1 },
  };
  if (!intensityMap) return closed;

  // 3. Map onto the label grid and label, with the per-ROI intensities.
  const labelMask = grid.map(mask);
  checkLength('extractRois', 'mapped mask', labelMask, grid.width, grid.height);
  const intensity = typeof intensityMap === 'function' ? intensityMap(labelMask) : intensityMap;
  const { labels, rois } = labelComponents(labelMask, grid.width, grid.height, intensity);
  const t3 = performance.now();
  return { ...closed, labelMask, labels, rois, timings: { ...closed.timings, componentsMs: t3 - t2 } };
}

/** Pixels set in a 0/1 mask. */
export function countOn(mask: Uint8Array): number {
  let on = 0;
  for (let i = 0; i < mask.length; i++) on += mask[i];
  return on;
}
