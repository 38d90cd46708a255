/**
 * The check every raw frame passes before preprocessing or the pedestal statistics use it: the size
 * the configuration expects and finite pixels. Its own module because both the statistics
 * (pedestal-stats.ts) and the per-frame preprocessing (preprocess.ts) need it, and the latter needs
 * the former's PedestalStats type.
 */
import type { PreprocessConfig } from '../config/pipeline.js';
import { InputError } from '../core/errors.js';
import type { Frame } from '../core/frame.js';
import { firstNonFinite } from '../core/frame.js';

/** How a frame is named in errors: its source file, and its index within a multi-frame file. */
export function frameLabel(frame: Frame): string {
  const src = frame.meta.source;
  const idx = frame.meta.index;
  if (src === undefined) return 'frame';
  return typeof idx === 'number' && idx > 0 ? `${String(src)} [frame ${idx}]` : String(src);
}

/** Reject frames the statistics do not fit: wrong size, NaN or infinite pixels. */
export function checkRawFrame(frame: Frame, config: PreprocessConfig): void {
  if (frame.width !== config.frameWidth || frame.height !== config.frameHeight) {
    throw new InputError(
      frameLabel(frame),
      `wrong dimensions: expected ${config.frameWidth}×${config.frameHeight}, got ${frame.width}×${frame.height}`,
    );
  }
  const bad = firstNonFinite(frame.data);
  if (bad >= 0) {
    throw new InputError(
      frameLabel(frame),
      `pixel (${bad % frame.width}, ${Math.floor(bad / frame.width)}) is ${frame.data[bad]}: frames must be finite`,
    );
  }
}
