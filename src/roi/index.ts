/**
 * ROI stage: from an anomaly map to the pixels the trigger keeps.
 *
 * In: a per-pixel anomaly score map (Float32Array, row-major, width×height), a threshold τ, a closing
 * radius in pixels, and an intensity map for the per-ROI sums (on the score grid, or on the grid a
 * caller-supplied mask mapping takes the closed mask to); for storage, the original frame pixels on
 * the grid of the mask.
 * Out: the closed binary ROI mask (Uint8Array, 0/1), the 8-connected ROIs with bounding box, area,
 * summed and peak intensity, the kept fraction of the image, per-step timings; and the `.roi` file
 * that stores only the masked pixels (run-length rows, original dtype, ROI list, provenance, CRC).
 * Ignored here: how the score was made (any of the three methods), how τ was calibrated, how the mask
 * is mapped from the 1024×1024 analysis grid back to the camera grid (the caller supplies the
 * mapping), and the event-level evaluation (coverage, containment cut), which lives in `evaluation`.
 */
export { thresholdMap } from './threshold.js';
export { squaredDistanceToBackground, squaredDistanceToForeground } from './distance-transform.js';
export { closeMask, dilateMask, erodeMask, DEFAULT_CLOSING_RADIUS } from './closing.js';
export { labelComponents, type Components, type Roi } from './components.js';
export {
  decodeRoiFrame,
  encodeRoiFrame,
  readRoiFrame,
  writeRoiFrame,
  ROI_MAGIC,
  type DecodedRoiFrame,
  type RoiFrameExtras,
} from './compress.js';
export { extractRois, type ClosedMask, type ExtractOptions, type ExtractResult, type MaskMapping } from './extract.js';
