/**
 * Exact squared Euclidean distance transform of a binary mask (Felzenszwalb & Huttenlocher,
 * "Distance Transforms of Sampled Functions", Theory of Computing 8, 2012), O(width·height).
 *
 * The 2-D transform is separable: d²(x, y) = min over x' of [ (x − x')² + g(x', y)² ], where g is the
 * 1-D distance along the column to the nearest target pixel.
 *   1. Column pass: g by one top-down and one bottom-up sweep. Both sweeps walk whole rows at a time
 *      (row-major, cache friendly) instead of walking each column with a stride of `width`.
 *   2. Row pass: for every row, the lower envelope of the parabolas (x − x')² + g(x')², built in one
 *      left-to-right scan and read off in a second one.
 * Only pixels inside the image count as targets: outside the image is "nothing".
 * closing.ts needs only "d² ≤ r²" and computes that with a thresholded variant of the same two passes;
 * this module is its exact reference (the tests compare them) and serves anyone who needs distances.
 *
 * Output: Float64Array of squared distances in pixels². They are integers and exact in float64;
 * float32 is exact only up to 2^24 ≈ 16.8 M, below 4095² + 2303² ≈ 22 M, the largest squared distance
 * on a 4096×2304 CYGNO-04 frame, and Int32 has no +Infinity. Pixels with no target anywhere in the
 * image get +Infinity (empty mask for the foreground transform, full mask for the background one).
 */
import { checkLength, checkSize } from './check.js';

/** d²(p) to the nearest pixel with mask ≠ 0; +Infinity everywhere if the mask is empty. */
export function squaredDistanceToForeground(
  mask: Uint8Array,
  width: number,
  height: number,
  out?: Float64Array,
): Float64Array {
  return squaredDistance(mask, width, height, true, out, 'squaredDistanceToForeground');
}

/** d²(p) to the nearest pixel with mask = 0; +Infinity everywhere if the mask is full. */
export function squaredDistanceToBackground(
  mask: Uint8Array,
  width: number,
  height: number,
  out?: Float64Array,
): Float64Array {
  return squaredDistance(mask, width, height, false, out, 'squaredDistanceToBackground');
}

function squaredDistance(
  mask: Uint8Array,
  width: number,
  height: number,
  targetIsSet: boolean,
  out: Float64Array | undefined,
  fn: string,
): Float64Array {
  checkSize(fn, width, height);
  checkLength(fn, 'mask', mask, width, height);
  const d = out ?? new Float64Array(width * height);
  checkLength(fn, 'out', d, width, height);
  columnPass(mask, width, height, targetIsSet, d);
  rowPass(d, width, height);
  return d;
}

/** Step 1: d[i] ← vertical distance (not squared) to the nearest target in the same column, or +Infinity. */
function columnPass(mask: Uint8Array, width: number, height: number, targetIsSet: boolean, d: Float64Array): void {
  // Top-down: distance to the nearest target at or above.
  for (let x = 0; x < width; x++) d[x] = (mask[x] !== 0) === targetIsSet ? 0 : Infinity;
  for (let y = 1; y < height; y++) {
    const row = y * width;
    for (let i = row, end = row + width; i < end; i++) {
      d[i] = (mask[i] !== 0) === targetIsSet ? 0 : d[i - width] + 1; // Infinity + 1 stays Infinity
    }
  }
  // Bottom-up: keep the nearer of the target above and the target below.
  for (let y = height - 2; y >= 0; y--) {
    const row = y * width;
    for (let i = row, end = row + width; i < end; i++) {
      const below = d[i + width] + 1;
      if (below < d[i]) d[i] = below;
    }
  }
}

/** Step 2: for every row, d[x] ← min over x' of (x − x')² + d[x'] (lower envelope of parabolas). */
function rowPass(d: Float64Array, width: number, height: number): void {
  // Scratch reused for every row: no allocation inside the loops.
  const f = new Float64Array(width); // the row's input values
  const v = new Int32Array(width); // abscissae of the parabolas in the envelope
  const vh = new Float64Array(width); // f[v[k]] + v[k]², kept so the intersection needs no lookups
  const z = new Float64Array(width + 1); // z[k]..z[k+1]: range where parabola k is the lowest
  for (let y = 0; y < height; y++) {
    const row = y * width;
    // 2a. Envelope of the finite parabolas only: +Infinity entries (no target in that column) can
    // never be the minimum, and leaving them out avoids ∞ − ∞ = NaN in the intersections.
    let k = -1;
    for (let q = 0; q < width; q++) {
      const g = d[row + q];
      const fq = g * g; // squared here, on the way in (Infinity² = Infinity)
      f[q] = fq;
      if (fq === Infinity) continue;
      const hq = fq + q * q;
      if (k < 0) {
        k = 0;
        v[0] = q;
        vh[0] = hq;
        z[0] = -Infinity;
        z[1] = Infinity;
        continue;
      }
      // Intersection of parabola q with the rightmost one in the envelope; drop those it hides.
      let s = (hq - vh[k]) / (2 * (q - v[k]));
      while (s <= z[k]) {
        k--;
        s = (hq - vh[k]) / (2 * (q - v[k]));
      }
      k++;
      v[k] = q;
      vh[k] = hq;
      z[k] = s;
      z[k + 1] = Infinity;
    }
    if (k < 0) continue; // whole row already +Infinity: no target anywhere in those columns
    // 2b. Read the envelope off from left to right.
    k = 0;
    for (let q = 0; q < width; q++) {
      while (z[k + 1] < q) k++;
      const dx = q - v[k];
      d[row + q] = dx * dx + f[v[k]];
    }
  }
}
