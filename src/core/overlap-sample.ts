/**
 * Preparation of overlap-separation samples (spec overlap-separation.md, "Data"): noise cut of the
 * truth, intensity scaling with a guarded 99th-percentile scale, the valid box, and the inverse of the
 * scaling so that predictions can be judged in raw ADU.
 *
 * In: raw images in ADU (an input and the ER and NR truth of one event) plus event facts. Out: an
 * `OverlapSample` that keeps the raw ADU images (after the truth cut) and the scale factors; the
 * model-side arrays come from `scaledChannels`, and `invertScaling` undoes them.
 * Ignored: augmentation, train/validation splitting, batching (the training stage's business).
 * It lives in core, as `Frame` does for the trigger half, because samples are made by io (the Feather
 * readers) and simulation (the MIGDAL simulator) and consumed by the overlap stage.
 *
 * Scaling (per sample, same s for every channel):
 *   y = log10(1 + max(x, 0)/s) / inputMax,        inputMax = max over the frame of log10(1 + max(x, 0)/s)
 *   t = log10(1 + t_raw/s) / targetMax,           targetMax = max over both truth channels
 * Negative input pixels (noise of a dark-subtracted frame) are clamped to 0 before the logarithm,
 * which is undefined below x = −s; `invertScaling` therefore returns max(x, 0).
 */
import { InputError } from './errors.js';
import { selectKth } from './select.js';

export type SampleKind = 'hybrid' | 'nr-only';

/** Half-open pixel box [x0, x1) × [y0, y1). */
export interface PixelBox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface ScaleFactors {
  /** Intensity scale s, ADU (the guarded 99th percentile). */
  s: number;
  /** Maximum of log10(1 + x/s) over the input, and over both target channels (1 if all zero). */
  inputMax: number;
  targetMax: number;
}

export interface SampleFacts {
  id: string;
  kind: SampleKind;
  /** True deposited ER energy, keV (0 for NR-only). */
  erEnergyKeV: number;
  /** True NR recoil energy and its visible (quenched) part, keV; NaN when unknown. */
  nrEnergyKeV: number;
  nrVisibleKeV: number;
  /** 'f', 'c' or '' when unknown. */
  nrSpecies: string;
  /** Vertex, px (NaN when unknown), and initial ER direction in the image plane (0, 0 if none). */
  vertexX: number;
  vertexY: number;
  erDirX: number;
  erDirY: number;
}

export interface OverlapSample extends SampleFacts {
  width: number;
  height: number;
  /** Raw images, ADU [H·W]: the input as given, the truth after the ≤ cut. */
  input: Float32Array;
  er: Float32Array;
  nr: Float32Array;
  valid: PixelBox;
  factors: ScaleFactors;
}

/** How a sample is prepared; the values (units, spec sections) are config/overlap-sample.ts's `preparation`. */
export interface PrepareOptions {
  /** Truth pixels at or below this are set to 0 in each species' image, ADU. */
  truthCutAdu: number;
  /** Percentile of the frame that sets s. */
  percentile: number;
  /**
   * Guard against s ≈ 0 when the event covers under `minCoverage` of the frame (the 99th percentile
   * is then a noise or empty pixel):
   *  'floor' (default): s = max(p99 of the frame, sFloorAdu). Continuous in the coverage; s sits at
   *    the noise scale, where the log compresses the bright NR and keeps the faint ER visible.
   *  'event': below minCoverage, s = p99 of the input over the event's own pixels (truth > 0), then
   *    the floor. Measured on default MIGDAL events this jumps s from ~10 ADU to ~3000–8000 ADU (the NR
   *    core) at the 1% boundary and flattens the ER to a few % of the range, hence not the default.
   */
  guard: 'floor' | 'event';
  minCoverage: number;
  /** Lowest allowed s, ADU. */
  sFloorAdu: number;
  /** Valid box padding around the event's pixels, px. */
  padPx: number;
}

/**
 * p-th percentile (0–100) of `values`, interpolating linearly between order statistics (numpy's
 * default). Linear time: a frame has 147,456 pixels and a sort would dominate the preparation.
 */
export function percentile(values: Float32Array | number[], p: number): number {
  if (values.length === 0) return NaN;
  const a = Float64Array.from(values);
  const pos = (p / 100) * (a.length - 1);
  const k = Math.floor(pos);
  const lo = selectKth(a, k);
  if (k + 1 >= a.length || pos === k) return lo;
  // after selection everything right of k is ≥ a[k]: the next order statistic is their minimum
  let hi = Infinity;
  for (let i = k + 1; i < a.length; i++) if (a[i] < hi) hi = a[i];
  return lo + (pos - k) * (hi - lo);
}

/** Zero the truth pixels at or below `cut` ADU (a copy). */
export function cutTruth(truth: Float32Array, cut: number): Float32Array {
  const out = new Float32Array(truth.length);
  for (let i = 0; i < truth.length; i++) out[i] = truth[i] > cut ? truth[i] : 0;
  return out;
}

/** The guarded scale s, ADU: the p-th percentile of the input, guarded as `o.guard` says (PrepareOptions). */
export function guardedScale(input: Float32Array, eventMask: Uint8Array, o: PrepareOptions): number {
  let count = 0;
  for (let i = 0; i < eventMask.length; i++) count += eventMask[i];
  let s: number;
  if (o.guard === 'floor' || count >= o.minCoverage * input.length) s = percentile(input, o.percentile);
  else {
    const inside = new Float32Array(count);
    for (let i = 0, k = 0; i < input.length; i++) if (eventMask[i]) inside[k++] = input[i];
    s = count > 0 ? percentile(inside, o.percentile) : 0;
  }
  return Math.max(Number.isFinite(s) ? s : 0, o.sFloorAdu);
}

/** Bounding box of the mask's pixels padded by `pad` and clipped to the image; the whole image if empty. */
export function boundingBox(mask: Uint8Array, w: number, h: number, pad: number): PixelBox {
  let x0 = w;
  let y0 = h;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (!mask[y * w + x]) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  if (x1 < 0) return { x0: 0, y0: 0, x1: w, y1: h };
  return { x0: Math.max(0, x0 - pad), y0: Math.max(0, y0 - pad), x1: Math.min(w, x1 + 1 + pad), y1: Math.min(h, y1 + 1 + pad) };
}

const logScale = (x: number, s: number): number => Math.log10(1 + Math.max(x, 0) / s);

/** max over the images of log10(1 + max(x, 0)/s) = the log of the largest pixel (the log is monotone). */
function maxLog(images: Float32Array[], s: number): number {
  let top = 0;
  for (const img of images) for (let i = 0; i < img.length; i++) if (img[i] > top) top = img[i];
  const m = logScale(top, s);
  return m > 0 ? m : 1; // an all-zero channel keeps its zeros (no division by 0)
}

/** Scale factors of raw images (input, and the truth after the cut). */
export function scaleFactors(input: Float32Array, er: Float32Array, nr: Float32Array, o: PrepareOptions): ScaleFactors {
  const mask = new Uint8Array(input.length);
  for (let i = 0; i < mask.length; i++) mask[i] = er[i] > 0 || nr[i] > 0 ? 1 : 0;
  const s = guardedScale(input, mask, o);
  return { s, inputMax: maxLog([input], s), targetMax: maxLog([er, nr], s) };
}

/**
 * One prepared sample from raw ADU images [H·W]. Steps: 1. cut each truth at `truthCutAdu`;
 * 2. event mask = either truth > 0; 3. guarded s; 4. maxima of the scaled input and targets;
 * 5. valid box = padded bounding box of the mask.
 */
export function prepareSample(
  facts: SampleFacts,
  width: number,
  height: number,
  raw: { input: Float32Array; er: Float32Array; nr: Float32Array },
  o: PrepareOptions,
): OverlapSample {
  const n = width * height;
  for (const [name, img] of Object.entries(raw)) {
    if (img.length !== n) throw new InputError(facts.id, `${name} image has ${img.length} pixels, expected ${width}×${height}`);
  }
  const er = cutTruth(raw.er, o.truthCutAdu);
  const nr = cutTruth(raw.nr, o.truthCutAdu);
  const mask = new Uint8Array(n);
  for (let i = 0; i < n; i++) mask[i] = er[i] > 0 || nr[i] > 0 ? 1 : 0;
  const factors = scaleFactors(raw.input, er, nr, o);
  return { ...facts, width, height, input: raw.input, er, nr, valid: boundingBox(mask, width, height, o.padPx), factors };
}

/** The model's arrays: scaled input and the two scaled target channels, each [H·W] in [0, 1]. */
export function scaledChannels(sample: OverlapSample): { input: Float32Array; er: Float32Array; nr: Float32Array } {
  const f = sample.factors;
  return { input: scaleImage(sample.input, f, 'input'), er: scaleImage(sample.er, f, 'target'), nr: scaleImage(sample.nr, f, 'target') };
}

/** One raw image [any size] scaled as the model sees it: log10(1 + max(x, 0)/s) / max of its channel kind. */
export function scaleImage(img: Float32Array, factors: ScaleFactors, channel: 'target' | 'input'): Float32Array {
  const max = channel === 'target' ? factors.targetMax : factors.inputMax;
  const out = new Float32Array(img.length);
  for (let i = 0; i < img.length; i++) out[i] = logScale(img[i], factors.s) / max;
  return out;
}

/**
 * Raw ADU from scaled values: x = s·(10^(v·max) − 1), with max = targetMax for predictions of the
 * target channels (the default) or inputMax for the input. Zero and negative predictions give 0 ADU.
 */
export function invertScaling(pred: Float32Array, factors: ScaleFactors, channel: 'target' | 'input' = 'target'): Float32Array {
  const max = channel === 'target' ? factors.targetMax : factors.inputMax;
  const out = new Float32Array(pred.length);
  for (let i = 0; i < pred.length; i++) out[i] = pred[i] > 0 ? factors.s * (Math.pow(10, pred[i] * max) - 1) : 0;
  return out;
}
