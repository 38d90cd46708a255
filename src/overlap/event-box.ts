/**
 * The box an inference window is centred on (config/oasis.ts `window.box`).
 *
 * 'input': from the image alone, as online: the input thresholded at `boxThresholdAdu`, its
 * 8-connected groups (roi/components.ts), the group with the largest summed intensity (the bright
 * NR; a hot pixel or a stray track is fainter in sum), its bounding box; then grown (boxGrowAdu)
 * over the group of the input's 3×3 mean above a low threshold that holds it, so that a long faint
 * ER leaving the NR is centred too, not cut by the window. A frame with nothing above the threshold
 * gives the whole frame (the window is then centred on the frame).
 * 'valid': the sample's valid box, standing for a detector's box given with the sample (the MIGDAL
 * pipeline finds NR boxes with YOLO); it is made from the truth, so on simulated test sets it knows
 * where the event is and flatters the result a little.
 * In: a compact sample. Out: a half-open box in frame px.
 */
import type { PixelBox } from '../core/overlap-sample.js';
import type { OasisWindowConfig } from '../config/oasis.js';
import { labelComponents } from '../roi/components.js';
import { boxHeight, boxWidth, intersect, renderRegion, type CompactSample, type WindowSize } from './window.js';

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

/**
 * `core` (the brightest group's box, thresholdAdu as in brightestGroupBox) grown over the 8-connected
 * group of the 3×3 mean of the input above `growAdu` that holds core pixels above thresholdAdu
 * (the heaviest such group), searched in the region of one window size around `core`. The grown box
 * if it fits in `win`, else `core`.
 */
export function grownBox(c: CompactSample, core: PixelBox, thresholdAdu: number, growAdu: number, win: WindowSize): PixelBox {
  const region = intersect({ x0: core.x0 - win.width, y0: core.y0 - win.height, x1: core.x1 + win.width, y1: core.y1 + win.height }, { x0: 0, y0: 0, x1: c.width, y1: c.height });
  const rw = boxWidth(region);
  const rh = boxHeight(region);
  // the region and a 1-px border (0 outside the frame: the frame's edge is seen as dark) for the means
  const ow = rw + 2;
  const outer = renderRegion(c, { x0: region.x0 - 1, y0: region.y0 - 1, x1: region.x1 + 1, y1: region.y1 + 1 }, 'input');
  const input = new Float32Array(rw * rh);
  const mask = new Uint8Array(rw * rh);
  for (let y = 0; y < rh; y++) {
    for (let x = 0; x < rw; x++) {
      let sum = 0;
      for (let dy = 0; dy <= 2; dy++) for (let dx = 0; dx <= 2; dx++) sum += outer[(y + dy) * ow + x + dx];
      input[y * rw + x] = outer[(y + 1) * ow + x + 1];
      mask[y * rw + x] = sum / 9 > growAdu ? 1 : 0;
    }
  }
  const { labels, rois } = labelComponents(mask, rw, rh, input);
  let best = 0;
  for (let y = core.y0; y < core.y1; y++) {
    for (let x = core.x0; x < core.x1; x++) {
      const k = (y - region.y0) * rw + (x - region.x0);
      const l = labels[k];
      if (l > 0 && input[k] > thresholdAdu && (best === 0 || rois[l - 1].sumIntensity > rois[best - 1].sumIntensity)) best = l;
    }
  }
  if (best === 0) return core;
  const g = rois[best - 1];
  const grown = {
    x0: Math.min(core.x0, g.x0 + region.x0),
    y0: Math.min(core.y0, g.y0 + region.y0),
    x1: Math.max(core.x1, g.x1 + 1 + region.x0),
    y1: Math.max(core.y1, g.y1 + 1 + region.y0),
  };
  return boxWidth(grown) <= win.width && boxHeight(grown) <= win.height ? grown : core;
}

/** The box the inference window (of size `win`) of `c` is centred on. */
export function inferenceBox(c: CompactSample, w: Pick<OasisWindowConfig, 'box' | 'boxThresholdAdu' | 'boxGrowAdu'>, win: WindowSize): PixelBox {
  if (w.box === 'valid') return c.valid;
  const core = brightestGroupBox(c, w.boxThresholdAdu);
  const whole = core.x0 === 0 && core.y0 === 0 && core.x1 === c.width && core.y1 === c.height;
  return w.boxGrowAdu === null || whole ? core : grownBox(c, core, w.boxThresholdAdu, w.boxGrowAdu, win);
}
