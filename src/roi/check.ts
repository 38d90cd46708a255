/**
 * Argument checks shared by the ROI functions. A wrong size here is a programming error in the
 * caller (not bad user input), so it throws RangeError with the function name and both sizes.
 */

export function checkSize(fn: string, width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new RangeError(`${fn}: image size must be positive integers, got ${width}×${height}`);
  }
}

export function checkLength(fn: string, what: string, array: { length: number }, width: number, height: number): void {
  if (array.length !== width * height) {
    throw new RangeError(`${fn}: ${what} has ${array.length} pixels, expected ${width}×${height} = ${width * height}`);
  }
}

/** Radius of a Euclidean disk in pixels: any finite number ≥ 0 (need not be an integer). */
export function checkRadius(fn: string, radius: number): void {
  if (!Number.isFinite(radius) || radius < 0) {
    throw new RangeError(`${fn}: radius must be a finite number ≥ 0 (pixels), got ${radius}`);
  }
}
