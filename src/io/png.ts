/**
 * Render frames and float maps as PNG images for reports and for a person to look at.
 * In: any row-major map {width, height, data} (a Frame, a score map, a mask); display options.
 * Out: PNG bytes (8-bit RGB) to embed as base64 or to write atomically with writePng.
 * Steps: 1. downsample big maps to a maximum width (box mean, max, or nearest) in value space;
 * 2. map values to [0, 1] with a display range (default: robust 0.5 / 99.5 percentiles, or the full
 * range where those coincide; symmetric about zero for the diverging coolwarm map), optionally
 * log-compressed; 3. colour through a lookup
 * table; 4. upsample by an integer factor (nearest); 5. for overlays, blend translucent masks and
 * draw rectangles on top. Non-finite pixels are drawn as the lowest colour and never set the range.
 * Ignored: frame metadata; this is a view, not a data format (frames are written as .npy or .tif).
 */
import { PNG } from 'pngjs';
import { writeFileAtomic } from '../core/atomic-write.js';
import { colormapLut, type Colormap, type Rgb } from './colormaps.js';

export type { Colormap, Rgb } from './colormaps.js';

export interface MapLike {
  readonly width: number;
  readonly height: number;
  readonly data: ArrayLike<number>;
}

export interface RenderOptions {
  /** display range; values outside are clamped. Default: `percentiles` of the finite pixels */
  min?: number;
  max?: number;
  /** percentiles for the default range, in percent; default [0.5, 99.5] */
  percentiles?: readonly [number, number];
  /** default 'gray' */
  colormap?: Colormap;
  /** log-compress: position log(1 + 1000 u) / log(1001) for the linear position u, three decades */
  log?: boolean;
  /** integer upsampling factor (nearest), default 1 */
  scale?: number;
  /** downsample by the smallest integer factor that brings the width to at most this (output pixels) */
  maxWidth?: number;
  /** how a block of pixels becomes one when downsampling; 'max' keeps faint thin tracks visible. Default 'box' */
  downsample?: 'box' | 'max' | 'nearest';
}

export interface MaskLayer {
  /** same size as the base map; any non-zero value marks the pixel */
  mask: ArrayLike<number>;
  color?: Rgb;
  /** opacity in [0, 1], default 0.45 */
  alpha?: number;
}

/** Rectangle in input-pixel coordinates (x, y of the top-left pixel, size in pixels). */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
  color?: Rgb;
}

export interface OverlayOptions extends Omit<RenderOptions, 'colormap'> {
  /** drawn in order; defaults: first red-orange, second cyan, then yellow, magenta */
  masks?: readonly MaskLayer[];
  boxes?: readonly Box[];
}

export interface RgbImage {
  width: number;
  height: number;
  /** width × height × 3 bytes, row-major */
  rgb: Uint8Array;
}

const DEFAULT_MASK_COLORS: readonly Rgb[] = [
  [255, 80, 0],
  [0, 200, 255],
  [255, 220, 0],
  [255, 0, 255],
];
const DEFAULT_BOX_COLOR: Rgb = [255, 220, 0];
const PERCENTILE_SAMPLE = 1 << 20; // percentiles from at most ~1M evenly spaced pixels: fast on 2304² frames

/** Render a map to PNG bytes. */
export function renderPng(map: MapLike, options: RenderOptions = {}): Uint8Array {
  return encodePng(renderRgb(map, options));
}

/** Gray base map, translucent masks and rectangles, as PNG bytes. */
export function renderOverlayPng(base: MapLike, options: OverlayOptions = {}): Uint8Array {
  return encodePng(renderOverlayRgb(base, options));
}

export function writePng(path: string, bytes: Uint8Array): void {
  writeFileAtomic(path, bytes);
}

/** `data:image/png;base64,...` for embedding in HTML reports. */
export function pngDataUri(bytes: Uint8Array): string {
  return `data:image/png;base64,${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')}`;
}

/** The range a render would use: explicit min/max, else percentiles (symmetric for coolwarm). */
export function displayRange(data: ArrayLike<number>, options: RenderOptions = {}): { min: number; max: number } {
  const [pLo, pHi] = options.percentiles ?? [0.5, 99.5];
  let lo = options.min;
  let hi = options.max;
  if (lo === undefined || hi === undefined) {
    let [qLo, qHi] = percentiles(data, pLo, pHi);
    // a sparse map (one track on an empty 2304² frame) has equal percentiles: use the full range then
    if (!(qHi > qLo)) [qLo, qHi] = percentiles(data, 0, 100);
    if (options.colormap === 'coolwarm' && options.min === undefined && options.max === undefined) {
      // a diverging map shows sign: keep zero at the neutral centre colour
      const m = Math.max(Math.abs(qLo), Math.abs(qHi));
      lo = -m;
      hi = m;
    } else {
      lo ??= qLo;
      hi ??= qHi;
    }
  }
  return { min: lo, max: hi };
}

/** The RGB pixels a PNG render would hold (steps 1–4 of the header). */
export function renderRgb(map: MapLike, options: RenderOptions = {}): RgbImage {
  checkMap(map);
  const small = downsample(map, options);
  const { min, max } = displayRange(small.data, options);
  const lut = colormapLut(options.colormap ?? 'gray');
  const span = max > min ? max - min : 1; // a flat map renders as the lowest colour
  const logNorm = Math.log1p(1000);
  const n = small.width * small.height;
  const rgb = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    const v = small.data[i];
    let u = Number.isFinite(v) ? (v - min) / span : 0;
    u = u < 0 ? 0 : u > 1 ? 1 : u;
    if (options.log) u = Math.log1p(1000 * u) / logNorm;
    const k = 3 * Math.round(u * 255);
    rgb[3 * i] = lut[k];
    rgb[3 * i + 1] = lut[k + 1];
    rgb[3 * i + 2] = lut[k + 2];
  }
  return upsample({ width: small.width, height: small.height, rgb }, integerScale(options.scale));
}

/** Overlay pixels (steps 1–5): the base in gray, masks blended, boxes drawn one output pixel wide. */
export function renderOverlayRgb(base: MapLike, options: OverlayOptions = {}): RgbImage {
  checkMap(base);
  const factor = downsampleFactor(base.width, options.maxWidth);
  const scale = integerScale(options.scale);
  const image = renderRgb(base, { ...options, colormap: 'gray', scale: 1 });
  (options.masks ?? []).forEach((layer, k) => {
    if (layer.mask.length !== base.width * base.height) {
      throw new Error(`overlay mask ${k} has ${layer.mask.length} pixels, the base map ${base.width}×${base.height}`);
    }
    // a block counts as marked if any of its pixels is: a one-pixel track must not vanish when shrunk
    const marked = downsample({ width: base.width, height: base.height, data: layer.mask }, { maxWidth: options.maxWidth, downsample: 'max' });
    const color = layer.color ?? DEFAULT_MASK_COLORS[k % DEFAULT_MASK_COLORS.length];
    const alpha = Math.min(1, Math.max(0, layer.alpha ?? 0.45));
    for (let i = 0; i < marked.data.length; i++) {
      if (marked.data[i] === 0 || Number.isNaN(marked.data[i])) continue;
      for (let c = 0; c < 3; c++) image.rgb[3 * i + c] = Math.round(image.rgb[3 * i + c] * (1 - alpha) + color[c] * alpha);
    }
  });
  const out = upsample(image, scale);
  for (const box of options.boxes ?? []) {
    // input pixels → output pixels: shrink by the downsampling factor, grow by the scale
    const x0 = Math.floor((box.x / factor) * scale);
    const y0 = Math.floor((box.y / factor) * scale);
    const x1 = Math.ceil(((box.x + box.width) / factor) * scale) - 1;
    const y1 = Math.ceil(((box.y + box.height) / factor) * scale) - 1;
    drawRect(out, x0, y0, x1, y1, box.color ?? DEFAULT_BOX_COLOR);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

function checkMap(map: MapLike): void {
  if (!(map.width > 0 && map.height > 0) || map.data.length !== map.width * map.height) {
    throw new Error(`cannot render a map of ${map.data.length} values as ${map.width}×${map.height}`);
  }
}

function integerScale(scale: number | undefined): number {
  const s = scale ?? 1;
  if (!Number.isInteger(s) || s < 1) throw new Error(`scale must be a positive integer, got ${s}`);
  return s;
}

function downsampleFactor(width: number, maxWidth: number | undefined): number {
  if (maxWidth === undefined || width <= maxWidth) return 1;
  if (!(maxWidth >= 1)) throw new Error(`maxWidth must be at least 1, got ${maxWidth}`);
  return Math.ceil(width / Math.floor(maxWidth));
}

/** Blocks of f×f input pixels → one value (partial blocks at the right/bottom edges use what exists). */
function downsample(map: MapLike, options: Pick<RenderOptions, 'maxWidth' | 'downsample'>): { width: number; height: number; data: ArrayLike<number> } {
  const f = downsampleFactor(map.width, options.maxWidth);
  if (f === 1) return map;
  const mode = options.downsample ?? 'box';
  const w = Math.ceil(map.width / f);
  const h = Math.ceil(map.height / f);
  const out = new Float64Array(w * h);
  for (let by = 0; by < h; by++) {
    for (let bx = 0; bx < w; bx++) {
      if (mode === 'nearest') {
        out[by * w + bx] = map.data[by * f * map.width + bx * f];
        continue;
      }
      let sum = 0;
      let count = 0;
      let best = -Infinity;
      for (let y = by * f; y < Math.min(map.height, (by + 1) * f); y++) {
        for (let x = bx * f; x < Math.min(map.width, (bx + 1) * f); x++) {
          const v = map.data[y * map.width + x];
          if (!Number.isFinite(v)) continue;
          sum += v;
          count++;
          if (v > best) best = v;
        }
      }
      out[by * w + bx] = count === 0 ? Number.NaN : mode === 'max' ? best : sum / count;
    }
  }
  return { width: w, height: h, data: out };
}

function upsample(image: RgbImage, s: number): RgbImage {
  if (s === 1) return image;
  const w = image.width * s;
  const h = image.height * s;
  const rgb = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    const srcRow = Math.floor(y / s) * image.width;
    for (let x = 0; x < w; x++) {
      const from = 3 * (srcRow + Math.floor(x / s));
      const to = 3 * (y * w + x);
      rgb[to] = image.rgb[from];
      rgb[to + 1] = image.rgb[from + 1];
      rgb[to + 2] = image.rgb[from + 2];
    }
  }
  return { width: w, height: h, rgb };
}

/** One-pixel outline, clipped to the image. */
function drawRect(image: RgbImage, x0: number, y0: number, x1: number, y1: number, color: Rgb): void {
  const put = (x: number, y: number): void => {
    if (x < 0 || y < 0 || x >= image.width || y >= image.height) return;
    image.rgb.set(color, 3 * (y * image.width + x));
  };
  for (let x = x0; x <= x1; x++) {
    put(x, y0);
    put(x, y1);
  }
  for (let y = y0; y <= y1; y++) {
    put(x0, y);
    put(x1, y);
  }
}

/** Percentiles (in percent) of the finite values, by sorting an evenly spaced sample. */
export function percentiles(data: ArrayLike<number>, ...ps: number[]): number[] {
  const stride = Math.max(1, Math.ceil(data.length / PERCENTILE_SAMPLE));
  const sample = new Float64Array(Math.ceil(data.length / stride));
  let n = 0;
  for (let i = 0; i < data.length; i += stride) if (Number.isFinite(data[i])) sample[n++] = data[i];
  if (n === 0) return ps.map(() => 0);
  const sorted = sample.subarray(0, n).sort();
  // linear interpolation between closest ranks (numpy's default)
  return ps.map((p) => {
    const r = (Math.min(100, Math.max(0, p)) / 100) * (n - 1);
    const k = Math.floor(r);
    return k + 1 < n ? sorted[k] + (r - k) * (sorted[k + 1] - sorted[k]) : sorted[k];
  });
}

function encodePng(image: RgbImage): Uint8Array {
  const png = new PNG({ width: image.width, height: image.height, colorType: 2, inputHasAlpha: false });
  png.data = Buffer.from(image.rgb.buffer, image.rgb.byteOffset, image.rgb.byteLength);
  const buf = PNG.sync.write(png, { colorType: 2, inputHasAlpha: false });
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}
