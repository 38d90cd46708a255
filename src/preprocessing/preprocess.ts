/**
 * Raw frame → analysis map, exactly as the spec's preprocessing: crop, scale to [0,1], subtract the
 * pedestal mean, global min–max with the frozen pedestal extrema, bilinear resize without anti-alias.
 * The constants come from a PedestalStats artefact and are never recomputed on the frame itself.
 */
import type { Frame } from '../core/frame.js';
import { checkRawFrame } from './check-raw-frame.js';
import { resizeBilinear } from './resize.js';
import type { PedestalStats } from './pedestal-stats.js';

/** [analysisH, analysisW] normalised map of a raw frame. */
export function preprocessFrame(frame: Frame, stats: PedestalStats): Float32Array {
  const cfg = stats.config;
  checkRawFrame(frame, cfg);
  const { crop, scale } = cfg;
  const { min, max } = stats.extrema;
  const inv = 1 / (max - min);
  const out = new Float32Array(crop.width * crop.height);
  const d = frame.data;
  for (let y = 0; y < crop.height; y++) {
    const row = (crop.y + y) * frame.width + crop.x;
    const o = y * crop.width;
    for (let x = 0; x < crop.width; x++) out[o + x] = (d[row + x] / scale - stats.meanCrop[o + x] - min) * inv;
  }
  return resizeBilinear(out, crop.width, crop.height, cfg.analysisWidth, cfg.analysisHeight);
}

/**
 * Pedestal-subtracted intensity in counts (what ROI intensities are summed over), on the crop, or with
 * `on: 'frame'` on the whole raw frame (0 outside the crop) for ROIs labelled on the camera grid.
 * Computed in float64 and stored as float32, the same arithmetic on both grids. With `only` (a 0/1 mask
 * of the output grid) just its pixels are computed and the rest stay 0: the trigger needs the counts
 * inside its ROIs alone.
 */
export function signalCounts(frame: Frame, stats: PedestalStats, on: 'crop' | 'frame' = 'crop', only?: Uint8Array): Float32Array {
  const { crop, scale } = stats.config;
  const whole = on === 'frame';
  const out = new Float32Array(whole ? frame.width * frame.height : crop.width * crop.height);
  for (let y = 0; y < crop.height; y++) {
    const row = (crop.y + y) * frame.width + crop.x;
    const o = y * crop.width;
    const d = whole ? row : o;
    if (only) {
      for (let x = 0; x < crop.width; x++) if (only[d + x]) out[d + x] = frame.data[row + x] - stats.meanCrop[o + x] * scale;
    } else {
      for (let x = 0; x < crop.width; x++) out[d + x] = frame.data[row + x] - stats.meanCrop[o + x] * scale;
    }
  }
  return out;
}
