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

/** Pedestal-subtracted intensity in counts on the crop (what ROI intensities are summed over). */
export function signalCounts(frame: Frame, stats: PedestalStats): Float32Array {
  const { crop, scale } = stats.config;
  const out = new Float32Array(crop.width * crop.height);
  for (let y = 0; y < crop.height; y++) {
    const row = (crop.y + y) * frame.width + crop.x;
    const o = y * crop.width;
    for (let x = 0; x < crop.width; x++) out[o + x] = frame.data[row + x] - stats.meanCrop[o + x] * scale;
  }
  return out;
}
