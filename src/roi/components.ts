/**
 * Connected components of the closed ROI mask (spec roi-trigger.md, "From residual map to ROIs",
 * step 3): each component is one ROI, with its bounding box, area and intensity sums. No minimum
 * area: a single isolated pixel is an ROI.
 *
 * Connectivity: 8 (a pixel touches its 4 edge and 4 corner neighbours), so a thin diagonal track
 * stays one ROI. Algorithm: classic two-pass labelling with union–find over provisional labels.
 *   1. Raster scan; each foreground pixel takes a label from its already-visited neighbours
 *      (W, NW, N, NE) or a new one; where two different labels meet they are merged. Merges always
 *      hang the larger root under the smaller, so a root is the smallest label of its component.
 *   2. Flatten the label tree in one ascending sweep (parent[l] < l, so parent[parent[l]] is already
 *      final) and number the roots 1, 2, … in order: ROI ids follow the raster order of each
 *      component's first pixel, independent of how the merges happened.
 *   3. Second raster scan: write final labels, accumulate box, area and intensities.
 * Time linear in the pixel count (plus near-constant-time finds); no recursion, no per-pixel objects.
 */
import type { PixelArray } from '../core/frame.js';
import { checkLength, checkSize } from './check.js';

export interface Roi {
  /** 1, 2, … in raster order of the component's first pixel; equals its value in `labels`. */
  id: number;
  /** Inclusive bounding box in pixels of the mask grid. */
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  /** Pixel count. */
  area: number;
  /** Sum of the intensity map over the component (e.g. pedestal-subtracted counts). */
  sumIntensity: number;
  /** Largest intensity in the component. */
  maxIntensity: number;
}

export interface Components {
  /** Per pixel: 0 outside the mask, else the id of its ROI. */
  labels: Int32Array;
  rois: Roi[];
}

/**
 * 8-connected components of `mask` (nonzero = foreground) with per-component statistics of
 * `intensity` (same grid). NaN intensities propagate into that ROI's sum and max.
 */
export function labelComponents(
  mask: Uint8Array,
  width: number,
  height: number,
  intensity: PixelArray,
): Components {
  checkSize('labelComponents', width, height);
  checkLength('labelComponents', 'mask', mask, width, height);
  checkLength('labelComponents', 'intensity', intensity, width, height);
  const n = width * height;
  const labels = new Int32Array(n);

  let foreground = 0;
  for (let i = 0; i < n; i++) if (mask[i] !== 0) foreground++;
  // At most one provisional label per foreground pixel; index 0 means "background".
  const parent = new Int32Array(foreground + 1);
  let next = 1;

  // 1. First pass: provisional labels and merges.
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const i = row + x;
      if (mask[i] === 0) continue;
      const w = x > 0 ? labels[i - 1] : 0;
      let nw = 0;
      let nn = 0;
      let ne = 0;
      if (y > 0) {
        const up = i - width;
        nn = labels[up];
        nw = x > 0 ? labels[up - 1] : 0;
        ne = x + 1 < width ? labels[up + 1] : 0;
      }
      let l: number;
      if (nn !== 0) {
        // N touches W, NW and NE itself, so they are already in its component.
        l = nn;
      } else if (ne !== 0) {
        // NE does not touch W or NW (two columns apart): they may be different components meeting here.
        l = ne;
        const left = nw !== 0 ? nw : w;
        if (left !== 0) union(parent, l, left);
      } else if (nw !== 0) {
        l = nw; // NW touches W: same component
      } else if (w !== 0) {
        l = w;
      } else {
        l = next++;
        parent[l] = l;
      }
      labels[i] = l;
    }
  }

  // 2. Flatten and number the roots in order.
  const count = flatten(parent, next);

  // 3. Second pass: final labels and statistics, kept in typed arrays until the end.
  const x0 = new Int32Array(count + 1).fill(width);
  const x1 = new Int32Array(count + 1).fill(-1);
  const y0 = new Int32Array(count + 1).fill(height);
  const y1 = new Int32Array(count + 1).fill(-1);
  const area = new Float64Array(count + 1);
  const sum = new Float64Array(count + 1);
  const max = new Float64Array(count + 1).fill(-Infinity);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const i = row + x;
      const p = labels[i];
      if (p === 0) continue;
      const id = parent[p];
      labels[i] = id;
      if (x < x0[id]) x0[id] = x;
      if (x > x1[id]) x1[id] = x;
      if (y < y0[id]) y0[id] = y;
      y1[id] = y; // rows are visited in increasing order
      area[id]++;
      const v = intensity[i];
      sum[id] += v;
      if (v > max[id] || Number.isNaN(v)) max[id] = v;
    }
  }

  const rois: Roi[] = new Array(count);
  for (let id = 1; id <= count; id++) {
    rois[id - 1] = {
      id,
      x0: x0[id],
      y0: y0[id],
      x1: x1[id],
      y1: y1[id],
      area: area[id],
      sumIntensity: sum[id],
      maxIntensity: max[id],
    };
  }
  return { labels, rois };
}

/** Root of label l, halving the path on the way (every other node points to its grandparent). */
function find(parent: Int32Array, l: number): number {
  while (parent[l] !== l) {
    parent[l] = parent[parent[l]];
    l = parent[l];
  }
  return l;
}

/** Merge the trees of a and b, the larger root hung under the smaller (keeps parent[l] ≤ l). */
function union(parent: Int32Array, a: number, b: number): void {
  const ra = find(parent, a);
  const rb = find(parent, b);
  if (ra < rb) parent[rb] = ra;
  else if (rb < ra) parent[ra] = rb;
}

/**
 * Replace every provisional label by the final id of its component; returns the component count.
 * Ascending order works because parent[l] ≤ l: when l is reached its parent already holds a final id.
 */
function flatten(parent: Int32Array, next: number): number {
  let count = 0;
  for (let l = 1; l < next; l++) {
    parent[l] = parent[l] === l ? ++count : parent[parent[l]];
  }
  return count;
}
