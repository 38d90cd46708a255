/**
 * Windows for the overlap-separation U-Net (config/oasis.ts `window` says why): where a window goes
 * in a frame, and a compact, lossless form of a sample from which any window is rendered.
 *
 * In: prepared samples (core/overlap-sample.ts), a window size, a placement. Out: `CompactSample`s
 * (what the trainer and the evaluator hold in memory: a 36,000-sample training set of dense 288×512
 * frames would need 64 GB) and raw-ADU windows rendered from them.
 * Compact form: the input, ER and NR inside the valid box dense, plus the input's nonzero pixels
 * outside the box as a sparse list. Lossless for everything downstream: the loss and the metrics
 * read the truth only inside the valid box, and every input pixel is kept (pixels read from
 * tpcvision's Feather files are 0 outside the box unless above the zero suppression, so the list is
 * short; a dense noisy frame keeps all its pixels, as its dense form does).
 * Placement, per axis, for a box [b0, b1) in a frame of F px and a window of W ≤ F px:
 *   origins that keep the box inside: [max(0, b1 − W), min(F − W, b0)] (training draws uniformly);
 *   a box longer than the window: the windows inside the box's span, [b0, b1 − W];
 *   centred: round((b0 + b1 − W) / 2) clamped to [0, F − W] (inference).
 * Ignored: which box to centre on at inference (event-box.ts), scaling (core/overlap-sample.ts).
 */
import type { OverlapSample, PixelBox, SampleFacts, ScaleFactors } from '../core/overlap-sample.js';
import { InputError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';

export interface WindowSize {
  height: number;
  width: number;
}

/** Top-left corner of a window in frame pixels. */
export interface WindowOrigin {
  x: number;
  y: number;
}

export interface CompactSample extends SampleFacts {
  /** Frame size, px. */
  width: number;
  height: number;
  valid: PixelBox;
  factors: ScaleFactors;
  /** Raw input, ER and NR truth inside the valid box, ADU [box height · box width], row-major. */
  input: Float32Array;
  er: Float32Array;
  nr: Float32Array;
  /** Input pixels outside the valid box that are not 0: frame indices (ascending) and ADU. */
  outsideIndex: Int32Array;
  outsideValue: Float32Array;
}

export const boxWidth = (b: PixelBox): number => b.x1 - b.x0;
export const boxHeight = (b: PixelBox): number => b.y1 - b.y0;

/** `img` [frame] restricted to `box`, row-major. */
export function cropImage(img: Float32Array, frameWidth: number, box: PixelBox): Float32Array {
  const w = boxWidth(box);
  const out = new Float32Array(w * boxHeight(box));
  for (let y = box.y0; y < box.y1; y++) out.set(img.subarray(y * frameWidth + box.x0, y * frameWidth + box.x1), (y - box.y0) * w);
  return out;
}

/** The compact form of a prepared sample. */
export function compactSample(s: OverlapSample): CompactSample {
  const b = s.valid;
  const index: number[] = [];
  const value: number[] = [];
  for (let y = 0; y < s.height; y++) {
    const rowInBox = y >= b.y0 && y < b.y1;
    for (let x = 0, i = y * s.width; x < s.width; x++, i++) {
      if (s.input[i] === 0 || (rowInBox && x >= b.x0 && x < b.x1)) continue;
      index.push(i);
      value.push(s.input[i]);
    }
  }
  const { input: _i, er: _e, nr: _n, ...facts } = s;
  return {
    ...facts,
    valid: { ...b },
    input: cropImage(s.input, s.width, b),
    er: cropImage(s.er, s.width, b),
    nr: cropImage(s.nr, s.width, b),
    outsideIndex: Int32Array.from(index),
    outsideValue: Float32Array.from(value),
  };
}

/** First position in the ascending `a` whose value is ≥ v. */
function lowerBound(a: Int32Array, v: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Intersection of two boxes (empty boxes have x1 ≤ x0 or y1 ≤ y0). */
export function intersect(a: PixelBox, b: PixelBox): PixelBox {
  return { x0: Math.max(a.x0, b.x0), y0: Math.max(a.y0, b.y0), x1: Math.min(a.x1, b.x1), y1: Math.min(a.y1, b.y1) };
}

/**
 * Raw images over `region` (frame px; parts outside the frame are 0), row-major
 * [region height · region width]: the input, or a truth channel (0 outside the valid box).
 */
export function renderRegion(c: CompactSample, region: PixelBox, what: 'input' | 'er' | 'nr'): Float32Array {
  const rw = boxWidth(region);
  const out = new Float32Array(rw * boxHeight(region));
  // 1. the valid box's part of the region, from the dense crop
  const inBox = intersect(region, c.valid);
  const bw = boxWidth(c.valid);
  const src = c[what];
  for (let y = inBox.y0; y < inBox.y1 && inBox.x0 < inBox.x1; y++) {
    const from = (y - c.valid.y0) * bw + (inBox.x0 - c.valid.x0);
    out.set(src.subarray(from, from + inBox.x1 - inBox.x0), (y - region.y0) * rw + (inBox.x0 - region.x0));
  }
  if (what !== 'input') return out;
  // 2. the input outside the box, row by row from the sparse list
  const inFrame = intersect(region, { x0: 0, y0: 0, x1: c.width, y1: c.height });
  for (let y = inFrame.y0; y < inFrame.y1; y++) {
    const end = y * c.width + inFrame.x1;
    for (let k = lowerBound(c.outsideIndex, y * c.width + inFrame.x0); k < c.outsideIndex.length && c.outsideIndex[k] < end; k++) {
      const x = c.outsideIndex[k] - y * c.width;
      out[(y - region.y0) * rw + (x - region.x0)] = c.outsideValue[k];
    }
  }
  return out;
}

/** The window a model of `window` size sees of a frame: never larger than the frame. */
export function effectiveWindow(window: WindowSize | null, frame: { width: number; height: number }): WindowSize {
  if (window === null) return { height: frame.height, width: frame.width };
  return { height: Math.min(window.height, frame.height), width: Math.min(window.width, frame.width) };
}

/** Origins along one axis that keep [b0, b1) inside a window of `w` px in a frame of `f` px (w ≤ f). */
export function originRange(b0: number, b1: number, f: number, w: number): [number, number] {
  if (b1 - b0 > w) return [b0, b1 - w];
  return [Math.max(0, b1 - w), Math.min(f - w, b0)];
}

/** The window centred on [b0, b1), kept inside the frame. */
export function centredOrigin(b0: number, b1: number, f: number, w: number): number {
  return Math.min(Math.max(Math.round((b0 + b1 - w) / 2), 0), f - w);
}

function checkFits(c: { id: string; width: number; height: number }, win: WindowSize): void {
  if (win.width > c.width || win.height > c.height) throw new InputError(c.id, `frame ${c.width}×${c.height} is smaller than the model's ${win.width}×${win.height} window`);
}

/** A uniformly drawn window that contains `box` (or lies inside it when the box is larger). */
export function randomOrigin(c: { id: string; width: number; height: number }, box: PixelBox, win: WindowSize, rng: Rng): WindowOrigin {
  checkFits(c, win);
  const [x0, x1] = originRange(box.x0, box.x1, c.width, win.width);
  const [y0, y1] = originRange(box.y0, box.y1, c.height, win.height);
  return { x: rng.int(x0, x1), y: rng.int(y0, y1) };
}

/** The window centred on `box`. */
export function centredWindow(c: { id: string; width: number; height: number }, box: PixelBox, win: WindowSize): WindowOrigin {
  checkFits(c, win);
  return { x: centredOrigin(box.x0, box.x1, c.width, win.width), y: centredOrigin(box.y0, box.y1, c.height, win.height) };
}

/** The window's box in frame px. */
export function windowBox(o: WindowOrigin, win: WindowSize): PixelBox {
  return { x0: o.x, y0: o.y, x1: o.x + win.width, y1: o.y + win.height };
}
