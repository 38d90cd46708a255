/**
 * The check every raw frame passes before preprocessing or the pedestal statistics use it: the size
 * the configuration expects and finite pixels. Its own module because both the statistics
 * (pedestal-stats.ts) and the per-frame preprocessing (preprocess.ts) need it, and the latter needs
 * the former's PedestalStats type.
 */
import type { PreprocessConfig } from '../config/pipeline.js';
import type { Frame } from '../core/frame.js';
import { validateFrame } from '../io/frames.js';

/** How a frame is named in errors: its source file, and its index within a multi-frame file. */
export function frameLabel(frame: Frame): string {
  const src = frame.meta.source;
  const idx = frame.meta.index;
  if (src === undefined) return 'frame';
  return typeof idx === 'number' && idx > 0 ? `${String(src)} [frame ${idx}]` : String(src);
}

/** Reject frames the statistics do not fit: wrong size, NaN or infinite pixels (io's validateFrame). */
export function checkRawFrame(frame: Frame, config: PreprocessConfig): void {
  validateFrame(frame, frameLabel(frame), { width: config.frameWidth, height: config.frameHeight });
}
