/**
 * The raw input as the camera's pipeline gives it to the trigger (config preprocess.darkFrame, .bin):
 * a dark frame subtracted pixel by pixel, then bin × bin blocks summed — MIGDAL's pipelines subtract
 * a dark and bin the ORCA-Quest's 2048×1152 (already 2×2-binned) frames 4×4 to 512×288. Everything
 * after it (the statistics, preprocessing, the trigger's .roi pixels) sees the prepared frame.
 * Identity (the frame itself, untouched) when there is no dark and bin is 1. Sums are float64,
 * stored float32: a 4×4 sum of 16-bit counts is exact in float32 (< 2²⁴).
 */
import { InputError } from '../core/errors.js';
import { makeFrame, type Frame } from '../core/frame.js';
import { readNpy } from '../io/npy.js';
import { frameLabel } from './check-raw-frame.js';

/** What raw-input preparation needs: the dark (raw size) or null, and the bin. */
export interface RawInput {
  dark: { width: number; height: number; data: Float32Array } | null;
  bin: number;
}

export const NO_RAW_INPUT: RawInput = { dark: null, bin: 1 };

/** The dark frame of a .npy file: a 2-D array, any pixel type, as float32 counts. */
export function loadDarkFrame(path: string): RawInput['dark'] {
  const arr = readNpy(path);
  if (arr.shape.length !== 2) throw new InputError(path, `a dark frame is a 2-D array (H, W), got shape (${arr.shape.join(', ')})`);
  const data = arr.data instanceof Float32Array ? arr.data : Float32Array.from(arr.data);
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) throw new InputError(path, `dark frame pixel (${i % arr.shape[1]}, ${Math.floor(i / arr.shape[1])}) is not finite`);
  }
  return { width: arr.shape[1], height: arr.shape[0], data };
}

export function isIdentity(input: RawInput): boolean {
  return input.dark === null && input.bin === 1;
}

/** The frame minus the dark, binned; errors name the frame (wrong size for the dark, not divisible by bin). */
export function prepareRawFrame(frame: Frame, input: RawInput): Frame {
  if (isIdentity(input)) return frame;
  const { width: w, height: h } = frame;
  const { dark, bin } = input;
  if (dark && (dark.width !== w || dark.height !== h)) {
    throw new InputError(frameLabel(frame), `wrong frame size for the dark frame: the dark is ${dark.width}×${dark.height}, the frame ${w}×${h}`);
  }
  if (w % bin !== 0 || h % bin !== 0) throw new InputError(frameLabel(frame), `a ${w}×${h} frame cannot be binned ${bin}×${bin} (not divisible)`);
  const bw = w / bin;
  const bh = h / bin;
  const out = new Float32Array(bw * bh);
  const d = frame.data;
  const k = dark?.data;
  for (let by = 0; by < bh; by++) {
    for (let bx = 0; bx < bw; bx++) {
      let sum = 0;
      for (let y = by * bin; y < (by + 1) * bin; y++) {
        const row = y * w;
        for (let x = bx * bin; x < (bx + 1) * bin; x++) sum += k ? d[row + x] - k[row + x] : d[row + x];
      }
      out[by * bw + bx] = sum;
    }
  }
  return makeFrame(bw, bh, out, { ...frame.meta, rawInput: { dark: dark !== null, bin, rawWidth: w, rawHeight: h } });
}
