/**
 * ROI masks live on the analysis grid; the trigger stores raw pixels. This maps a closed analysis
 * mask back onto the raw frame (each crop pixel takes the analysis pixel it was resampled into;
 * everything outside the fiducial crop is dropped, as the spec's crop discards it).
 */
import type { PreprocessConfig } from '../config/pipeline.js';
import { cropToAnalysisIndex } from '../preprocessing/resize.js';
import type { MaskMapping } from '../roi/extract.js';

/** The analysis → raw mapping as the ROI formation takes it (ROIs labelled on the camera grid). */
export function rawMaskMapping(cfg: PreprocessConfig): MaskMapping {
  return { width: cfg.frameWidth, height: cfg.frameHeight, map: (mask) => analysisMaskToRaw(mask, cfg) };
}

export function analysisMaskToRaw(mask: Uint8Array, cfg: PreprocessConfig): Uint8Array {
  const { crop, frameWidth, frameHeight, analysisWidth: aw, analysisHeight: ah } = cfg;
  const raw = new Uint8Array(frameWidth * frameHeight);
  const ax = new Int32Array(crop.width);
  for (let x = 0; x < crop.width; x++) ax[x] = cropToAnalysisIndex(x, crop.width, aw);
  for (let y = 0; y < crop.height; y++) {
    const arow = cropToAnalysisIndex(y, crop.height, ah) * aw;
    const rrow = (crop.y + y) * frameWidth + crop.x;
    for (let x = 0; x < crop.width; x++) raw[rrow + x] = mask[arow + ax[x]];
  }
  return raw;
}
