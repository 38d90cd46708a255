/**
 * The whole of "From residual map to ROIs" (spec roi-trigger.md) in one call, as the trigger uses it:
 * threshold the anomaly map at τ, close the binary mask with a disk, label the closed mask.
 * Each step is timed separately, because the trigger budget (≈ 50 ms per frame) is shared with the
 * model's forward pass and the evaluation reports the cost of each part.
 */
import { checkLength, checkSize } from './check.js';
import { closeMask, DEFAULT_CLOSING_RADIUS } from './closing.js';
import { labelComponents, type Roi } from './components.js';
import { thresholdMap } from './threshold.js';
import type { PixelArray } from '../core/frame.js';

export interface ExtractOptions {
  /** Anomaly-score threshold: a pixel is active when score > tau. No default: it is calibrated per score method. */
  tau: number;
  /** Disk radius in pixels of the score-map grid, default 40 (spec step 2). 0 disables the closing. */
  closingRadius?: number;
}

export interface ExtractResult {
  /** The ROI mask (0/1): the closed thresholded map. */
  mask: Uint8Array;
  /** Per pixel: 0 outside the mask, else the ROI id (8-connected components of `mask`). */
  labels: Int32Array;
  rois: Roi[];
  /** Mask area / image area; the spec's area cut is f_cut = 1 − keptFraction. */
  keptFraction: number;
  /** Wall-clock milliseconds of each step. */
  timings: { thresholdMs: number; closingMs: number; componentsMs: number };
}

/**
 * ROIs of one frame. `scoreMap` and `intensityMap` share the width×height grid; the intensity map
 * (e.g. pedestal-subtracted counts) only feeds the per-ROI sums, never the mask.
 */
export function extractRois(
  scoreMap: Float32Array,
  intensityMap: PixelArray,
  width: number,
  height: number,
  options: ExtractOptions,
): ExtractResult {
  checkSize('extractRois', width, height);
  checkLength('extractRois', 'scoreMap', scoreMap, width, height);
  checkLength('extractRois', 'intensityMap', intensityMap, width, height);
  const radius = options.closingRadius ?? DEFAULT_CLOSING_RADIUS;

  const t0 = performance.now();
  const active = thresholdMap(scoreMap, options.tau);
  const t1 = performance.now();
  const mask = closeMask(active, width, height, radius);
  const t2 = performance.now();
  const { labels, rois } = labelComponents(mask, width, height, intensityMap);
  const t3 = performance.now();

  let area = 0;
  for (const roi of rois) area += roi.area;
  return {
    mask,
    labels,
    rois,
    keptFraction: area / (width * height),
    timings: { thresholdMs: t1 - t0, closingMs: t2 - t1, componentsMs: t3 - t2 },
  };
}
