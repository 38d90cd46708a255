/**
 * Morphological closing of a binary mask with a Euclidean disk (spec roi-trigger.md, "From residual
 * map to ROIs", step 2): links the fragments of one track into one region while keeping tracks that
 * are further apart than the disk separate.
 *
 * Disk of radius r = all offsets (dx, dy) with dx² + dy² ≤ r² (r need not be an integer). Dilation
 * and erosion are thresholds of an exact squared distance transform, so the cost is linear in the
 * pixel count and independent of r (a direct disk scan would cost π·r² ≈ 5000 operations per pixel
 * at r = 40):
 *   dilation(M) = { p : d²(p, foreground of M) ≤ r² }
 *   erosion(M)  = { p : d²(p, background of M) > r² }
 *   closing(M)  = erosion(dilation(M))
 *
 * Boundary convention (pixels outside the image):
 * - dilation treats them as background: nothing outside can switch a pixel inside on;
 * - erosion treats them as foreground: only background pixels inside the image can erode.
 * Why: with "outside = background" in the erosion too, every mask pixel within r of the border would
 * be eaten by the outside, so a track crossing the frame edge would lose its last r pixels and the
 * closing would no longer contain the mask it started from. With this pair the two operators are an
 * adjunction on the image grid, so the closing is a true closing everywhere, border included:
 * it contains the mask (extensive), applying it twice changes nothing (idempotent), and a larger
 * mask gives a larger result (increasing). It is also the default of OpenCV, scikit-image and
 * MATLAB (dilation pads with the minimum, erosion with the maximum), so area cuts stay comparable
 * with results computed with those tools.
 * Side effect, accepted knowingly: the edge is a wall the erosion cannot start from, so a structure
 * running along the edge closer than r grows towards it (tests/roi/closing.test.ts shows a case).
 * The alternative without that effect (close inside a frame padded by r, then crop) works on 16 %
 * more pixels at 1024² and r = 40, and departs from the tools above.
 */
import { checkLength, checkRadius, checkSize } from './check.js';
import { squaredDistanceToBackground, squaredDistanceToForeground } from './distance-transform.js';

/** Closing radius in pixels of the 1024×1024 analysis grid (spec "From residual map to ROIs", step 2). */
export const DEFAULT_CLOSING_RADIUS = 40;

/** Dilation by the disk of radius `radius` pixels; outside the image counts as background. */
export function dilateMask(mask: Uint8Array, width: number, height: number, radius: number): Uint8Array {
  checkArgs('dilateMask', mask, width, height, radius);
  const d2 = squaredDistanceToForeground(mask, width, height);
  return atMost(d2, squaredRadius(radius), new Uint8Array(width * height));
}

/** Erosion by the disk of radius `radius` pixels; outside the image counts as foreground. */
export function erodeMask(mask: Uint8Array, width: number, height: number, radius: number): Uint8Array {
  checkArgs('erodeMask', mask, width, height, radius);
  const d2 = squaredDistanceToBackground(mask, width, height);
  return above(d2, squaredRadius(radius), new Uint8Array(width * height));
}

/** Closing (dilation, then erosion) by the disk of radius `radius` pixels, default 40. */
export function closeMask(
  mask: Uint8Array,
  width: number,
  height: number,
  radius: number = DEFAULT_CLOSING_RADIUS,
): Uint8Array {
  checkArgs('closeMask', mask, width, height, radius);
  const r2 = squaredRadius(radius);
  // One distance buffer and one mask buffer serve both steps (8 + 1 bytes per pixel in all).
  const d2 = squaredDistanceToForeground(mask, width, height);
  const work = atMost(d2, r2, new Uint8Array(width * height));
  squaredDistanceToBackground(work, width, height, d2);
  return above(d2, r2, work);
}

/**
 * r² as the integer bound on squared distances (which are integers): d² ≤ r² ⇔ d² ≤ ⌊r²⌋. The
 * 1e-9 absorbs rounding in radius·radius so that radius = Math.sqrt(k) means "squared radius k".
 */
function squaredRadius(radius: number): number {
  return Math.floor(radius * radius + 1e-9);
}

function atMost(d2: Float64Array, r2: number, out: Uint8Array): Uint8Array {
  for (let i = 0, n = d2.length; i < n; i++) out[i] = d2[i] <= r2 ? 1 : 0;
  return out;
}

function above(d2: Float64Array, r2: number, out: Uint8Array): Uint8Array {
  for (let i = 0, n = d2.length; i < n; i++) out[i] = d2[i] > r2 ? 1 : 0;
  return out;
}

function checkArgs(fn: string, mask: Uint8Array, width: number, height: number, radius: number): void {
  checkSize(fn, width, height);
  checkLength(fn, 'mask', mask, width, height);
  checkRadius(fn, radius);
}
