/**
 * TIFF reader for grayscale camera frames, synchronous, page by page.
 * In: classic TIFF or BigTIFF, either byte order, single- or multi-page (a MIGDAL raw file is 200
 * pages of 2048×1152 uint16), strips or tiles, uncompressed / LZW / Deflate / PackBits.
 * Out: one Frame per full-resolution page: uint8 and uint16 unsigned samples, float32 and float64
 * floats; meta holds {source, index, description?}.
 * Ignored: reduced-resolution pages (thumbnails, NewSubfileType bit 0), SubIFDs, resolution and
 * colour-management tags, and the photometric "white is zero" display convention (the stored numbers
 * are the counts). Refused with an InputError naming the file: not a TIFF, truncated data, RGB or
 * other multi-sample images, palette images, signed integers, float16, bit depths other than
 * 8/16/32/64, JPEG and the other compressions.
 * Writing lives in tiff-write.ts and is re-exported here.
 */
import { closeSync } from 'node:fs';
import { InputError } from '../core/errors.js';
import { makeFrame, type Frame, type PixelArray, type PixelDtype } from '../core/frame.js';
import { openForReading } from './open-file.js';
import { decompress, undoFloatingPointPredictor, undoHorizontalDifferencing } from './tiff-codecs.js';
import { fileSource, memorySource, parseStructure, type ByteSource, type PageLayout, type TiffPageInfo } from './tiff-ifd.js';

export { encodeTiff, writeTiffFrames } from './tiff-write.js';
export { isTiffMagic, type TiffPageInfo } from './tiff-ifd.js';

/** An open TIFF file: page layouts parsed up front, pixels read on demand. Close it when done. */
export class TiffReader {
  readonly pages: readonly TiffPageInfo[];
  private readonly layouts: PageLayout[];
  private closed = false;

  private constructor(
    readonly source: string,
    private readonly bytes: ByteSource,
    private readonly fd: number | null,
  ) {
    this.layouts = parseStructure(bytes, source);
    this.pages = this.layouts;
  }

  static open(path: string): TiffReader {
    const fd = openForReading(path);
    try {
      return new TiffReader(path, fileSource(fd), fd);
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  }

  static fromBytes(bytes: Uint8Array, source: string): TiffReader {
    return new TiffReader(source, memorySource(bytes), null);
  }

  get pageCount(): number {
    return this.layouts.length;
  }

  /** Pixels of page `index` (0-based among full-resolution pages). */
  readPage(index: number): Frame {
    if (this.closed) throw new Error(`${this.source}: reader is closed`);
    const layout = this.layouts[index];
    if (!layout) throw new RangeError(`${this.source}: page ${index} does not exist (${this.layouts.length} pages)`);
    const data = readPixels(this.bytes, layout, `${this.source}`, index);
    const meta: Record<string, unknown> = { source: this.source, index };
    if (layout.description !== undefined) meta.description = layout.description;
    return makeFrame(layout.width, layout.height, data, meta);
  }

  *frames(): Generator<Frame> {
    for (let i = 0; i < this.layouts.length; i++) yield this.readPage(i);
  }

  close(): void {
    if (!this.closed && this.fd !== null) closeSync(this.fd);
    this.closed = true;
  }
}

/** Every full-resolution page of a TIFF file. */
export function readTiffFrames(path: string): Frame[] {
  const reader = TiffReader.open(path);
  try {
    return [...reader.frames()];
  } finally {
    reader.close();
  }
}

/** Same, from bytes already in memory; `source` names them in errors. */
export function parseTiff(bytes: Uint8Array, source: string): Frame[] {
  return [...TiffReader.fromBytes(bytes, source).frames()];
}

/** Page sizes and types without reading pixels. */
export function readTiffInfo(path: string): TiffPageInfo[] {
  const reader = TiffReader.open(path);
  try {
    return reader.pages.map(({ ifdIndex, width, height, dtype, compression, description }) =>
      description === undefined
        ? { ifdIndex, width, height, dtype, compression }
        : { ifdIndex, width, height, dtype, compression, description },
    );
  } finally {
    reader.close();
  }
}
// ---------------------------------------------------------------------------------------------
// pixels: each chunk → decompress → native-order samples → predictor → copy into the frame

function allocate(dtype: PixelDtype, n: number): PixelArray {
  switch (dtype) {
    case 'uint8': return new Uint8Array(n);
    case 'uint16': return new Uint16Array(n);
    case 'float32': return new Float32Array(n);
    case 'float64': return new Float64Array(n);
  }
}

const HOST_LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function readPixels(src: ByteSource, page: PageLayout, source: string, pageIndex: number): PixelArray {
  const { width, height, chunkWidth, chunkHeight, dtype } = page;
  const bps = page.bitsPerSample / 8;
  const out = allocate(dtype, width * height);
  const across = Math.ceil(width / chunkWidth);
  const down = Math.ceil(height / chunkHeight);
  for (let cy = 0; cy < down; cy++) {
    for (let cx = 0; cx < across; cx++) {
      const c = cy * across + cx;
      const where = `page ${pageIndex}, ${chunkWidth === width ? 'strip' : 'tile'} ${c}`;
      // a strip's last chunk may hold fewer rows; a tile is always full size (padding past the edge)
      const rows = chunkWidth === width ? Math.min(chunkHeight, height - cy * chunkHeight) : chunkHeight;
      const need = chunkWidth * rows * bps;
      const offset = page.offsets[c];
      const stored = page.byteCounts ? page.byteCounts[c] : need;
      if (offset + stored > src.size) {
        throw new InputError(
          source,
          `truncated file: ${where} at bytes ${offset}..${offset + stored} lies beyond the end of the file (${src.size} bytes)`,
        );
      }
      if (page.compressionCode === 1 && stored < need) {
        throw new InputError(source, `${where} holds ${stored} bytes, needs ${need} for ${chunkWidth}×${rows} ${dtype}`);
      }
      let decoded: Uint8Array;
      try {
        decoded = decompress(page.compressionCode, src.read(offset, stored), need);
      } catch (err) {
        throw new InputError(source, `${where}: ${page.compression} data cannot be decoded (${(err as Error).message})`);
      }
      if (decoded.length < need) {
        throw new InputError(source, `${where} decodes to ${decoded.length} bytes, needs ${need} (corrupt or cut-off data)`);
      }
      const chunk = toSamples(decoded, need, page, rows);
      copyChunk(chunk, out, chunkWidth, rows, cx * chunkWidth, cy * chunkHeight, width, height);
    }
  }
  return out;
}

/** Decoded chunk bytes → native-order typed samples with the predictor undone. */
function toSamples(decoded: Uint8Array, need: number, page: PageLayout, rows: number): PixelArray {
  const n = need / (page.bitsPerSample / 8);
  const chunkWidth = page.chunkWidth;
  let bytes = decoded.subarray(0, need);
  let fileLittle = page.little;
  if (page.predictor === 3) {
    bytes = undoFloatingPointPredictor(bytes.slice(), chunkWidth, rows, page.bitsPerSample / 8);
    fileLittle = false; // the predictor rebuilds samples most significant byte first
  }
  const samples = allocate(page.dtype, n);
  const target = new Uint8Array(samples.buffer);
  target.set(bytes);
  if (fileLittle !== HOST_LITTLE && page.bitsPerSample > 8) swapBytes(target, page.bitsPerSample / 8);
  if (page.predictor === 2) undoHorizontalDifferencing(samples as Uint8Array | Uint16Array, chunkWidth, rows);
  return samples;
}

function swapBytes(bytes: Uint8Array, size: number): void {
  for (let i = 0; i < bytes.length; i += size) {
    for (let a = i, b = i + size - 1; a < b; a++, b--) {
      const t = bytes[a];
      bytes[a] = bytes[b];
      bytes[b] = t;
    }
  }
}

function copyChunk(
  chunk: PixelArray,
  out: PixelArray,
  chunkWidth: number,
  rows: number,
  x0: number,
  y0: number,
  width: number,
  height: number,
): void {
  const w = Math.min(chunkWidth, width - x0);
  const h = Math.min(rows, height - y0);
  for (let r = 0; r < h; r++) {
    const from = r * chunkWidth;
    (out as Float64Array).set((chunk as Float64Array).subarray(from, from + w), (y0 + r) * width + x0);
  }
}
