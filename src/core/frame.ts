/**
 * The in-memory frame: a row-major 2-D image with typed pixels and free-form metadata.
 * Every stage passes frames (or plain typed-array maps of the same shape) from one to the next;
 * pixel (x, y) lives at data[y * width + x].
 */

export type PixelArray = Uint8Array | Uint16Array | Float32Array | Float64Array;
export type PixelDtype = 'uint8' | 'uint16' | 'float32' | 'float64';

export interface Frame<T extends PixelArray = PixelArray> {
  readonly width: number;
  readonly height: number;
  readonly data: T;
  /** Provenance and acquisition facts: source file, frame index, run, exposure ... */
  readonly meta: Record<string, unknown>;
}

export function dtypeOf(data: PixelArray): PixelDtype {
  if (data instanceof Uint8Array) return 'uint8';
  if (data instanceof Uint16Array) return 'uint16';
  if (data instanceof Float32Array) return 'float32';
  return 'float64';
}

export function makeFrame<T extends PixelArray>(
  width: number,
  height: number,
  data: T,
  meta: Record<string, unknown> = {},
): Frame<T> {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new Error(`frame size must be positive integers, got ${width}×${height}`);
  }
  if (data.length !== width * height) {
    throw new Error(`frame data has ${data.length} pixels, expected ${width}×${height} = ${width * height}`);
  }
  return { width, height, data, meta };
}

/** Float32 copy of any frame's pixels (the numeric stages work in float). */
export function toFloat32(frame: Frame): Float32Array {
  return frame.data instanceof Float32Array ? frame.data : Float32Array.from(frame.data);
}

/** Index of the first non-finite pixel, or -1. */
export function firstNonFinite(data: PixelArray): number {
  if (data instanceof Uint8Array || data instanceof Uint16Array) return -1;
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) return i;
  return -1;
}

export function sameShape(a: { width: number; height: number }, b: { width: number; height: number }): boolean {
  return a.width === b.width && a.height === b.height;
}
