/**
 * Morphological closing of a binary mask with a Euclidean disk (spec roi-trigger.md, "From residual
 * map to ROIs", step 2): links the fragments of one track into one region while keeping tracks that
 * are further apart than the disk separate.
 *
 * Disk of radius r = all offsets (dx, dy) with dx² + dy² ≤ r² (r need not be an integer). In terms of
 * the exact squared distance transform (distance-transform.ts):
 *   dilation(M) = { p : d²(p, foreground of M) ≤ r² }
 *   erosion(M)  = { p : d²(p, background of M) > r² } = complement of dilation(complement of M)
 *   closing(M)  = erosion(dilation(M))
 * Only the comparison with r² matters, never the distance itself, so the row pass of the separable
 * transform simplifies (see diskDilation): the lower envelope of parabolas (x − x')² + g(x')² becomes
 * the union of the intervals |x − x'| ≤ √(r² − g(x')²), one integer sweep per row without divisions.
 * Same decomposition, same linear cost independent of r (a direct disk scan would cost π·r² ≈ 5000
 * operations per pixel at r = 40), in about half the time of thresholding the full transform
 * (measured at 1024², r = 40), and exactly the same result (tests/roi/closing.test.ts).
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
import { roiSchema } from '../config/pipeline.js';

/** Closing radius in pixels of the analysis grid: the config's roi.closingRadius default (spec "From residual map to ROIs", step 2). */
export const DEFAULT_CLOSING_RADIUS: number = roiSchema.parse({}).closingRadius;

/** Dilation by the disk of radius `radius` pixels; outside the image counts as background. */
export function dilateMask(mask: Uint8Array, width: number, height: number, radius: number): Uint8Array {
  checkArgs('dilateMask', mask, width, height, radius);
  const r2 = squaredRadius(radius);
  const out = new Uint8Array(width * height);
  diskDilation(mask, width, height, r2, false, columnScratch(width, height, r2), out);
  return out;
}

/** Erosion by the disk of radius `radius` pixels; outside the image counts as foreground. */
export function erodeMask(mask: Uint8Array, width: number, height: number, radius: number): Uint8Array {
  checkArgs('erodeMask', mask, width, height, radius);
  const r2 = squaredRadius(radius);
  const out = new Uint8Array(width * height);
  diskDilation(mask, width, height, r2, true, columnScratch(width, height, r2), out);
  return out;
}

/** Closing (dilation, then erosion) by the disk of radius `radius` pixels, default DEFAULT_CLOSING_RADIUS. */
export function closeMask(
  mask: Uint8Array,
  width: number,
  height: number,
  radius: number = DEFAULT_CLOSING_RADIUS,
): Uint8Array {
  checkArgs('closeMask', mask, width, height, radius);
  const r2 = squaredRadius(radius);
  // One column-distance buffer serves both steps (1 + 2 bytes per pixel in all for r < 255).
  const g = columnScratch(width, height, r2);
  const dilated = new Uint8Array(width * height);
  const out = new Uint8Array(width * height);
  diskDilation(mask, width, height, r2, false, g, dilated);
  diskDilation(dilated, width, height, r2, true, g, out);
  return out;
}

/**
 * The one kernel behind dilation and erosion. With `erode` false: out = dilation of {mask ≠ 0} by the
 * disk d² ≤ r2, outside background. With `erode` true: out = complement of the dilation of
 * {mask = 0}, outside background for that complement, i.e. the erosion with outside foreground.
 * `g` is scratch of width·height from columnScratch.
 */
function diskDilation(
  mask: Uint8Array,
  width: number,
  height: number,
  r2: number,
  erode: boolean,
  g: ColumnDistance,
  out: Uint8Array,
): void {
  const far = farOf(height, r2);
  // halfWidth[dy] = largest |dx| with dx² + dy² ≤ r2, for every column distance dy below `far`;
  // −1 for `far` itself (no interval).
  const halfWidth = new Int32Array(far + 1);
  for (let dy = 0; dy < far; dy++) halfWidth[dy] = isqrt(r2 - dy * dy);
  halfWidth[far] = -1;
  const source = erode ? 0 : 1; // which mask value is dilated (in the 0/1 sense: mask ≠ 0 counts as 1)
  const hit = erode ? 0 : 1; // value written where the dilation covers a pixel
  const miss = 1 - hit;

  // 1. Column pass: g = vertical distance to the nearest source pixel in the same column, capped at
  //    `far`. Two row-major sweeps (top-down, bottom-up) instead of strided walks down each column.
  for (let x = 0; x < width; x++) g[x] = (mask[x] !== 0 ? 1 : 0) === source ? 0 : far;
  for (let y = 1; y < height; y++) {
    for (let i = y * width, end = i + width; i < end; i++) {
      if ((mask[i] !== 0 ? 1 : 0) === source) g[i] = 0;
      else {
        const above = g[i - width] + 1;
        g[i] = above < far ? above : far;
      }
    }
  }
  for (let y = height - 2; y >= 0; y--) {
    for (let i = y * width, end = i + width; i < end; i++) {
      const below = g[i + width] + 1;
      if (below < g[i]) g[i] = below;
    }
  }

  // 2. Row pass: pixel x is covered iff some x' has |x − x'| ≤ halfWidth[g(x')]. Each x' opens the
  //    interval [x' − h, x' + h]; reach[s] keeps the furthest right end among intervals starting at s,
  //    and one left-to-right sweep with the running maximum tells whether x is inside any of them.
  const reach = new Int32Array(width).fill(-1);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let any = false;
    for (let x = 0; x < width; x++) {
      const h = halfWidth[g[row + x]];
      if (h < 0) continue;
      const s = x > h ? x - h : 0;
      const e = x + h;
      if (e > reach[s]) reach[s] = e;
      any = true;
    }
    if (!any) {
      out.fill(miss, row, row + width);
      continue;
    }
    let right = -1;
    for (let x = 0; x < width; x++) {
      if (reach[x] > right) right = reach[x];
      reach[x] = -1; // reset for the next row as we go
      out[row + x] = right >= x ? hit : miss;
    }
  }
}

/**
 * Column distances are capped at `far`: one more than the disk reaches, or the image height (no
 * column distance reaches it: it then simply means "no source pixel in this column"), whichever is
 * smaller. The cap keeps them in one byte for r < 255 (r = 40 in the spec), which halves to quarters
 * the memory traffic of the column sweeps compared with Int32.
 */
type ColumnDistance = Uint8Array | Uint16Array | Int32Array;

function farOf(height: number, r2: number): number {
  return Math.min(isqrt(r2) + 1, height);
}

function columnScratch(width: number, height: number, r2: number): ColumnDistance {
  const far = farOf(height, r2);
  const n = width * height;
  return far <= 0xff ? new Uint8Array(n) : far <= 0xffff ? new Uint16Array(n) : new Int32Array(n);
}

/** ⌊√n⌋ for an integer n ≥ 0, exact (corrects the rare off-by-one of floating-point √). */
function isqrt(n: number): number {
  let k = Math.floor(Math.sqrt(n));
  while (k * k > n) k--;
  while ((k + 1) * (k + 1) <= n) k++;
  return k;
}

/**
 * r² as the integer bound on squared distances (which are integers): d² ≤ r² ⇔ d² ≤ ⌊r²⌋. The
 * 1e-9 absorbs rounding in radius·radius so that radius = Math.sqrt(k) means "squared radius k".
 */
function squaredRadius(radius: number): number {
  return Math.floor(radius * radius + 1e-9);
}

function checkArgs(fn: string, mask: Uint8Array, width: number, height: number, radius: number): void {
  checkSize(fn, width, height);
  checkLength(fn, 'mask', mask, width, height);
  checkRadius(fn, radius);
}
