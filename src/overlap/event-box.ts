/**
 * The box an inference window is centred on (config/oasis.ts `window.box`).
 *
 * 'input': from the image alone, as online: the input thresholded at `boxThresholdAdu`, its
 * 8-connected groups (roi/components.ts), the group with the largest summed intensity (the bright
 * NR; a hot pixel or a stray track is fainter in sum), its bounding box. A frame with nothing above
 * the threshold gives the whole frame (the window is then centred on the frame).
 * 'valid': the sample's valid box, standing for a detector's box given with the sample (the MIGDAL
 * pipeline finds NR boxes with YOLO); it is made from the truth, so on simulated test sets it knows
 * where the event is and flatters the result a little.
 * In: a compact sample. Out: a half-open box in frame px.
 */
import type { PixelBox } from '../core/overlap-sample.js';
import type { OasisWindowConfig } from '../config/oasis.js';
import { labelComponents } from '../roi/components.js';
import { renderRegion, type CompactSample } from './window.js';

export function brightestGroupBox(c: CompactSample, thresholdAdu: number): PixelBox {
  const frame = { x0: 0, y0: 0, x1: c.width, y1: c.height };
  const input = renderRegion(c, frame, 'input');
  const mask = new Uint8Array(input.length);
  for (let i = 0; i < input.length; i++) mask[i] = input[i] > thresholdAdu ? 1 : 0;
  const { rois } = labelComponents(mask, c.width, c.height, input);
  if (rois.length === 0) return frame;
  let best = rois[0];
  for (const r of rois) if (r.sumIntensity > best.sumIntensity) best = r;
  return { x0: best.x0, y0: best.y0, x1: best.x1 + 1, y1: best.y1 + 1 }; // components' boxes are inclusive
}

/** The box the inference window of `c` is centred on. */
export function inferenceBox(c: CompactSample, w: Pick<OasisWindowConfig, 'box' | 'boxThresholdAdu'>): PixelBox {
  return w.box === 'valid' ? c.valid : brightestGroupBox(c, w.boxThresholdAdu);
}
