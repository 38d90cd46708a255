/**
 * The check every raw frame passes before preprocessing or the pedestal statistics use it: the size
 * the configuration expects and finite pixels. Its own module because both the statistics
 * (pedestal-stats.ts) and the per-frame preprocessing (preprocess.ts) need it, and the latter needs
 * the former's PedestalStats type.
 */
import { InputError } from '../core/errors.js';
import type { PreprocessConfig } from '../config/pipeline.js';
import type { Frame } from '../core/frame.js';
import { validateFrame } from '../io/frames.js';

/**
 * How a frame is named in errors: its source file, and the event it records (a MIDAS run, CYGNO's
 * pic_run…_ev… histograms) or else its index within a multi-frame file.
 */
export function frameLabel(frame: Frame): string {
  const src = frame.meta.source;
  const idx = frame.meta.index;
  const event = frame.meta.event;
  if (src === undefined) return 'frame';
  if (typeof event === 'number') return `${String(src)} [event ${event}${typeof frame.meta.bank === 'string' && frame.meta.bank !== 'CAM0' ? ` ${frame.meta.bank}` : ''}]`;
  return typeof idx === 'number' && idx > 0 ? `${String(src)} [frame ${idx}]` : String(src);
}

/** Reject frames the statistics do not fit: wrong size, NaN or infinite pixels (io's validateFrame). */
export function checkRawFrame(frame: Frame, config: PreprocessConfig): void {
  validateFrame(frame, frameLabel(frame), { width: config.frameWidth, height: config.frameHeight });
}

/**
 * Reject a frame whose every pixel is one value: a blank or saturated read-out. No camera image is
 * flat, and normalised it would become one ROI over the whole crop. The trigger checks it per frame
 * (synthetic flat frames stay usable in the library's own computations).
 */
export function checkNotFlat(frame: Frame): void {
  const d = frame.data;
  let i = 1;
  while (i < d.length && d[i] === d[0]) i++; // a real frame differs within the first few pixels
  if (d.length > 1 && i === d.length) throw new InputError(frameLabel(frame), `every pixel is ${d[0]}: a blank or saturated read-out, not a camera image`);
}
