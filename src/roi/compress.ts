/**
 * The ROI-compressed frame: the trigger's output (spec roi-trigger.md: "only those pixels are
 * stored"). Keeps the pixels under the ROI mask, in their original dtype, as run-length-encoded rows,
 * plus the ROI list and free-form provenance metadata.
 *
 * File format `.roi`, version 01. All integers little-endian u32; offsets in bytes.
 *
 *   offset  size             field
 *   0       8                magic "TPCROI01" (ASCII; the last two characters are the version)
 *   8       4                width in pixels
 *   12      4                height in pixels
 *   16      4                dtype code of the values: 1 uint8, 2 uint16, 3 float32, 4 float64
 *   20      4                ROI count (length of the JSON "rois" array)
 *   24      4                run count R
 *   28      4                value count V (= sum of run lengths = mask area)
 *   32      4                JSON section length J (UTF-8 bytes)
 *   36      4                reserved, 0
 *   40      4·(height + 1)   row index: the runs of row y are runs[rowIndex[y] .. rowIndex[y + 1])
 *   …       8·R              runs (xStart, length): per row in increasing x, length ≥ 1, no overlap
 *   …       0–7              zero padding so that the values start at a multiple of 8
 *   …       V·bytes(dtype)   kept pixel values in row-major order, original dtype, little-endian
 *   …       J                JSON {"rois": Roi[], "meta": {…}} (non-finite numbers become null)
 *   end−4   4                CRC-32 (IEEE) of every preceding byte
 *
 * Why this shape: the row index makes a row (or a box) decodable without scanning earlier rows, the
 * fixed header makes the file size checkable before anything is parsed, and the trailing CRC catches
 * both truncation and bit rot. A new layout gets a new version in the magic; readers refuse versions
 * they do not know instead of guessing.
 */
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../core/atomic-write.js';
import { InputError } from '../core/errors.js';
import { dtypeOf, type PixelArray, type PixelDtype } from '../core/frame.js';
import { checkLength, checkSize } from './check.js';
import type { Roi } from './components.js';
import { crc32 } from './crc32.js';

export const ROI_MAGIC = 'TPCROI01';
const HEADER_BYTES = 40;
const TRAILER_BYTES = 4;
/** Refuse to allocate more than this many pixels for a decoded frame (a 4096×2304 frame is 9.4 M). */
const MAX_PIXELS = 2 ** 28;

const DTYPE_CODE: Record<PixelDtype, number> = { uint8: 1, uint16: 2, float32: 3, float64: 4 };
const DTYPE_OF_CODE: readonly (PixelDtype | undefined)[] = [undefined, 'uint8', 'uint16', 'float32', 'float64'];
const BYTES: Record<PixelDtype, number> = { uint8: 1, uint16: 2, float32: 4, float64: 8 };
const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export interface RoiFrameExtras {
  rois?: readonly Roi[];
  /** Provenance: resolved config, seed, package version, source frame … (must be JSON-serialisable). */
  meta?: Record<string, unknown>;
}

export interface DecodedRoiFrame {
  width: number;
  height: number;
  dtype: PixelDtype;
  /** 0/1 per pixel: 1 where a value was stored. */
  mask: Uint8Array;
  /** Full-size pixel array in the original dtype: the stored values under the mask, 0 elsewhere. */
  values: PixelArray;
  rois: Roi[];
  meta: Record<string, unknown>;
}

/** Encode the pixels of `pixels` under `mask` (nonzero = keep), both width×height, as a .roi file. */
export function encodeRoiFrame(
  pixels: PixelArray,
  width: number,
  height: number,
  mask: Uint8Array,
  extras: RoiFrameExtras = {},
): Uint8Array {
  checkSize('encodeRoiFrame', width, height);
  checkLength('encodeRoiFrame', 'pixels', pixels, width, height);
  checkLength('encodeRoiFrame', 'mask', mask, width, height);
  const dtype = dtypeOf(pixels);
  const rois = extras.rois ?? [];
  const json = new TextEncoder().encode(JSON.stringify({ rois, meta: extras.meta ?? {} }));

  // 1. Count runs and kept pixels, so the whole file is allocated once.
  let runCount = 0;
  let valueCount = 0;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let inside = false;
    for (let x = 0; x < width; x++) {
      const on = mask[row + x] !== 0;
      if (on) valueCount++;
      if (on && !inside) runCount++;
      inside = on;
    }
  }
  const layout = layoutOf(height, dtype, runCount, valueCount, json.length);
  const bytes = new Uint8Array(layout.total);
  const view = new DataView(bytes.buffer);

  // 2. Header.
  for (let i = 0; i < 8; i++) bytes[i] = ROI_MAGIC.charCodeAt(i);
  view.setUint32(8, width, true);
  view.setUint32(12, height, true);
  view.setUint32(16, DTYPE_CODE[dtype], true);
  view.setUint32(20, rois.length, true);
  view.setUint32(24, runCount, true);
  view.setUint32(28, valueCount, true);
  view.setUint32(32, json.length, true);

  // 3. Row index, runs, and the kept values gathered into one array of the original dtype.
  const kept = newPixelArray(dtype, valueCount);
  let run = 0;
  let k = 0;
  for (let y = 0; y < height; y++) {
    view.setUint32(layout.rowIndex + 4 * y, run, true);
    const row = y * width;
    let x = 0;
    while (x < width) {
      if (mask[row + x] === 0) {
        x++;
        continue;
      }
      const start = x;
      while (x < width && mask[row + x] !== 0) kept[k++] = pixels[row + x++];
      view.setUint32(layout.runs + 8 * run, start, true);
      view.setUint32(layout.runs + 8 * run + 4, x - start, true);
      run++;
    }
  }
  view.setUint32(layout.rowIndex + 4 * height, run, true);
  bytes.set(new Uint8Array(kept.buffer, kept.byteOffset, kept.byteLength), layout.values);
  if (!HOST_LITTLE_ENDIAN) swapBytes(bytes, layout.values, valueCount, BYTES[dtype]);

  // 4. JSON section and checksum trailer.
  bytes.set(json, layout.json);
  view.setUint32(layout.total - TRAILER_BYTES, crc32(bytes, 0, layout.total - TRAILER_BYTES), true);
  return bytes;
}

/**
 * Decode a .roi file. `source` (a path or label) names the file in errors: any truncated, corrupted
 * or inconsistent input throws InputError.
 */
export function decodeRoiFrame(bytes: Uint8Array, source: string): DecodedRoiFrame {
  // Typed explicitly so that TypeScript treats fail(...) as never returning and narrows after it.
  const fail: (problem: string) => never = (problem) => {
    throw new InputError(source, problem);
  };
  // 1. Magic, version and header: enough to know the exact file size.
  if (bytes.length < 8) fail(`truncated or not a .roi file: ${bytes.length} bytes, shorter than the 8-byte magic`);
  const magic = String.fromCharCode(...bytes.subarray(0, 8));
  if (!magic.startsWith('TPCROI')) fail(`not a .roi file (magic ${JSON.stringify(magic)}, expected "${ROI_MAGIC}")`);
  if (magic !== ROI_MAGIC) fail(`unsupported .roi version "${magic.slice(6)}" (this reader knows "${ROI_MAGIC.slice(6)}")`);
  if (bytes.length < HEADER_BYTES + TRAILER_BYTES) fail(`truncated .roi file: ${bytes.length} bytes, header alone needs ${HEADER_BYTES}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const width = view.getUint32(8, true);
  const height = view.getUint32(12, true);
  const code = view.getUint32(16, true);
  const roiCount = view.getUint32(20, true);
  const runCount = view.getUint32(24, true);
  const valueCount = view.getUint32(28, true);
  const jsonLength = view.getUint32(32, true);
  const dtype = DTYPE_OF_CODE[code];
  if (dtype === undefined) fail(`corrupted .roi header: unknown dtype code ${code} (1 uint8, 2 uint16, 3 float32, 4 float64)`);
  if (width === 0 || height === 0 || width * height > MAX_PIXELS) fail(`corrupted .roi header: implausible size ${width}×${height}`);
  const layout = layoutOf(height, dtype, runCount, valueCount, jsonLength);
  if (bytes.length < layout.total) fail(`truncated .roi file: ${bytes.length} bytes, header says ${layout.total}`);
  if (bytes.length > layout.total) fail(`corrupted .roi file: ${bytes.length} bytes, header says ${layout.total}`);

  // 2. Checksum before trusting any content.
  const stored = view.getUint32(layout.total - TRAILER_BYTES, true);
  const actual = crc32(bytes, 0, layout.total - TRAILER_BYTES);
  if (stored !== actual) fail(`corrupted .roi file: CRC-32 mismatch (stored ${hex(stored)}, computed ${hex(actual)})`);

  // 3. Values (copied out so the result does not alias the input buffer, and aligned).
  const kept = newPixelArray(dtype, valueCount);
  const keptBytes = new Uint8Array(kept.buffer);
  keptBytes.set(bytes.subarray(layout.values, layout.values + valueCount * BYTES[dtype]));
  if (!HOST_LITTLE_ENDIAN) swapBytes(keptBytes, 0, valueCount, BYTES[dtype]);

  // 4. Runs → mask and full-size values, checking every run against the grid.
  const mask = new Uint8Array(width * height);
  const values = newPixelArray(dtype, width * height);
  if (view.getUint32(layout.rowIndex, true) !== 0) fail('corrupted .roi row index: does not start at 0');
  let k = 0;
  for (let y = 0; y < height; y++) {
    const first = view.getUint32(layout.rowIndex + 4 * y, true);
    const last = view.getUint32(layout.rowIndex + 4 * (y + 1), true);
    if (last < first || last > runCount) fail(`corrupted .roi row index at row ${y}`);
    let minX = 0; // runs of a row are sorted and disjoint
    for (let r = first; r < last; r++) {
      const x0 = view.getUint32(layout.runs + 8 * r, true);
      const length = view.getUint32(layout.runs + 8 * r + 4, true);
      if (length === 0 || x0 < minX || x0 + length > width || k + length > valueCount) {
        fail(`corrupted .roi run ${r} (row ${y}, x ${x0}, length ${length})`);
      }
      const row = y * width;
      for (let x = x0, end = x0 + length; x < end; x++) {
        mask[row + x] = 1;
        values[row + x] = kept[k++];
      }
      minX = x0 + length;
    }
  }
  if (view.getUint32(layout.rowIndex + 4 * height, true) !== runCount) fail('corrupted .roi row index: does not end at the run count');
  if (k !== valueCount) fail(`corrupted .roi file: runs cover ${k} pixels, header says ${valueCount}`);

  // 5. ROI list and metadata.
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(layout.json, layout.json + jsonLength)));
  } catch (err) {
    fail(`corrupted .roi JSON section (${err instanceof Error ? err.message : String(err)})`);
  }
  const section = parsed as { rois?: unknown; meta?: unknown } | null;
  if (typeof section !== 'object' || section === null || !Array.isArray(section.rois)) fail('corrupted .roi JSON section: no "rois" array');
  const rois = section.rois as Roi[];
  if (rois.length !== roiCount) fail(`corrupted .roi file: ${rois.length} ROIs in the JSON section, header says ${roiCount}`);
  const meta = section.meta;
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) fail('corrupted .roi JSON section: "meta" is not an object');
  return { width, height, dtype, mask, values, rois, meta: meta as Record<string, unknown> };
}

/** Encode and write atomically (a crash never leaves a half-written .roi file). */
export function writeRoiFrame(
  path: string,
  pixels: PixelArray,
  width: number,
  height: number,
  mask: Uint8Array,
  extras: RoiFrameExtras = {},
): void {
  writeFileAtomic(path, encodeRoiFrame(pixels, width, height, mask, extras));
}

export function readRoiFrame(path: string): DecodedRoiFrame {
  return decodeRoiFrame(readFileSync(path), path);
}

interface Layout {
  rowIndex: number;
  runs: number;
  values: number;
  json: number;
  total: number;
}

/** Byte offsets of every section (plain Number arithmetic: exact far beyond any real file size). */
function layoutOf(height: number, dtype: PixelDtype, runs: number, values: number, json: number): Layout {
  const rowIndex = HEADER_BYTES;
  const runsAt = rowIndex + 4 * (height + 1);
  const valuesAt = Math.ceil((runsAt + 8 * runs) / 8) * 8;
  const jsonAt = valuesAt + values * BYTES[dtype];
  return { rowIndex, runs: runsAt, values: valuesAt, json: jsonAt, total: jsonAt + json + TRAILER_BYTES };
}

function newPixelArray(dtype: PixelDtype, n: number): PixelArray {
  switch (dtype) {
    case 'uint8':
      return new Uint8Array(n);
    case 'uint16':
      return new Uint16Array(n);
    case 'float32':
      return new Float32Array(n);
    case 'float64':
      return new Float64Array(n);
  }
}

/**
 * Reverse the bytes of each of `count` elements of `size` bytes (little-endian ↔ host on big-endian hosts).
 * Exported for the tests only: on a little-endian host the codec never calls it.
 */
export function swapBytes(bytes: Uint8Array, offset: number, count: number, size: number): void {
  if (size === 1) return;
  for (let e = offset, end = offset + count * size; e < end; e += size) {
    for (let a = e, b = e + size - 1; a < b; a++, b--) {
      const t = bytes[a];
      bytes[a] = bytes[b];
      bytes[b] = t;
    }
  }
}

function hex(n: number): string {
  return '0x' + n.toString(16).padStart(8, '0');
}
