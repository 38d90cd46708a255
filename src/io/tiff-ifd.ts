/**
 * TIFF structure: header, the chain of image file directories (IFDs), and each page's layout
 * (size, sample type, compression, where its strips or tiles are). No pixels are read here.
 * In: a ByteSource (a file read at offsets, or bytes in memory). Out: one PageLayout per
 * full-resolution page; thumbnails (NewSubfileType bit 0) are skipped. Every refusal is an
 * InputError naming the file and the page, with the supported alternatives.
 */
import { fstatSync, readSync } from 'node:fs';
import { InputError } from '../core/errors.js';
import type { PixelDtype } from '../core/frame.js';
import { COMPRESSION_NAMES } from './tiff-codecs.js';

/** Where the bytes come from: a file read at offsets (no whole-file buffer) or bytes in memory. */
export interface ByteSource {
  readonly size: number;
  read(offset: number, length: number): Uint8Array;
}

export function memorySource(bytes: Uint8Array): ByteSource {
  return { size: bytes.length, read: (o, n) => bytes.slice(o, o + n) };
}

export function fileSource(fd: number): ByteSource {
  const size = fstatSync(fd).size;
  return {
    size,
    read(offset, length) {
      const buf = new Uint8Array(length);
      let done = 0;
      while (done < length) {
        const n = readSync(fd, buf, done, length - done, offset + done);
        if (n === 0) break;
        done += n;
      }
      return done === length ? buf : buf.subarray(0, done);
    },
  };
}

export interface TiffPageInfo {
  /** position among all IFDs of the file, thumbnails included */
  ifdIndex: number;
  width: number;
  height: number;
  dtype: PixelDtype;
  compression: string;
  description?: string;
}

export interface PageLayout extends TiffPageInfo {
  little: boolean;
  bitsPerSample: number;
  compressionCode: number;
  predictor: number;
  chunkWidth: number;
  chunkHeight: number;
  offsets: number[];
  byteCounts: number[] | null;
}

// TIFF field types → byte size (1 BYTE, 2 ASCII, 3 SHORT, 4 LONG, 5 RATIONAL, 6 SBYTE, 7 UNDEFINED,
// 8 SSHORT, 9 SLONG, 10 SRATIONAL, 11 FLOAT, 12 DOUBLE, 13 IFD, 16 LONG8, 17 SLONG8, 18 IFD8)
const TYPE_SIZE: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4, 16: 8, 17: 8, 18: 8 };

const TAG = {
  newSubfileType: 254,
  width: 256,
  height: 257,
  bitsPerSample: 258,
  compression: 259,
  photometric: 262,
  description: 270,
  stripOffsets: 273,
  samplesPerPixel: 277,
  rowsPerStrip: 278,
  stripByteCounts: 279,
  predictor: 317,
  tileWidth: 322,
  tileLength: 323,
  tileOffsets: 324,
  tileByteCounts: 325,
  sampleFormat: 339,
} as const;

const MAX_PAGES = 1_000_000;

/** True when the first bytes are a TIFF or BigTIFF header ("II*\0", "MM\0*", "II+\0", "MM\0+"). */
export function isTiffMagic(head: Uint8Array): boolean {
  if (head.length < 4) return false;
  if (head[0] === 0x49 && head[1] === 0x49) return (head[2] === 42 || head[2] === 43) && head[3] === 0;
  if (head[0] === 0x4d && head[1] === 0x4d) return head[2] === 0 && (head[3] === 42 || head[3] === 43);
  return false;
}

// ---------------------------------------------------------------------------------------------
// structure: header → IFD chain → page layouts

export function parseStructure(src: ByteSource, source: string): PageLayout[] {
  const head = src.read(0, 16);
  if (!isTiffMagic(head)) {
    throw new InputError(source, 'not a TIFF file (header is not II*\\0 or MM\\0*)');
  }
  const little = head[0] === 0x49;
  const big = (little ? head[2] : head[3]) === 43; // BigTIFF: 8-byte offsets
  const hv = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const u64 = (v: DataView, o: number): number => Number(v.getBigUint64(o, little));
  if (big && head.length < 16) throw new InputError(source, 'truncated BigTIFF header');
  if (!big && head.length < 8) throw new InputError(source, 'truncated TIFF header');
  let ifdOffset = big ? u64(hv, 8) : hv.getUint32(4, little);

  const pages: PageLayout[] = [];
  const seen = new Set<number>();
  let ifdIndex = 0;
  while (ifdOffset !== 0) {
    if (seen.has(ifdOffset)) throw new InputError(source, `IFD chain loops back to byte ${ifdOffset}`);
    if (seen.size >= MAX_PAGES) throw new InputError(source, `more than ${MAX_PAGES} pages`);
    seen.add(ifdOffset);
    const where = `page ${ifdIndex}`;
    const countSize = big ? 8 : 2;
    const entrySize = big ? 20 : 12;
    const countBytes = src.read(ifdOffset, countSize);
    if (countBytes.length < countSize) {
      throw new InputError(source, `truncated file: ${where} directory at byte ${ifdOffset} lies beyond the end (${src.size} bytes)`);
    }
    const cv = new DataView(countBytes.buffer, countBytes.byteOffset);
    const n = big ? u64(cv, 0) : cv.getUint16(0, little);
    const tableLen = n * entrySize + (big ? 8 : 4);
    const table = src.read(ifdOffset + countSize, tableLen);
    if (table.length < tableLen) {
      throw new InputError(source, `truncated file: ${where} directory at byte ${ifdOffset} runs past the end (${src.size} bytes)`);
    }
    const tv = new DataView(table.buffer, table.byteOffset, table.byteLength);

    // 1. collect each tag's values (numbers, or a string for ASCII)
    const tags = new Map<number, number[] | string>();
    for (let e = 0; e < n; e++) {
      const o = e * entrySize;
      const tag = tv.getUint16(o, little);
      const type = tv.getUint16(o + 2, little);
      const count = big ? u64(tv, o + 4) : tv.getUint32(o + 4, little);
      const size = TYPE_SIZE[type];
      if (size === undefined) continue; // unknown field type: the spec says skip it
      const inlineCap = big ? 8 : 4;
      const valueAt = o + (big ? 12 : 8);
      let raw: Uint8Array;
      if (size * count <= inlineCap) {
        raw = table.subarray(valueAt, valueAt + size * count);
      } else {
        const off = big ? u64(tv, valueAt) : tv.getUint32(valueAt, little);
        raw = src.read(off, size * count);
        if (raw.length < size * count) {
          throw new InputError(source, `truncated file: ${where} tag ${tag} values at byte ${off} run past the end (${src.size} bytes)`);
        }
      }
      tags.set(tag, decodeValues(raw, type, count, little));
    }
    const next = big ? u64(tv, n * entrySize) : tv.getUint32(n * entrySize, little);

    // 2. skip thumbnails / reduced-resolution copies: they are not camera frames
    const subfile = num(tags, TAG.newSubfileType, 0);
    if ((subfile & 1) === 0) pages.push(pageLayout(tags, source, where, ifdIndex, little));
    ifdIndex++;
    ifdOffset = next;
  }
  if (pages.length === 0) throw new InputError(source, 'TIFF file holds no full-resolution image');
  return pages;
}

function decodeValues(raw: Uint8Array, type: number, count: number, little: boolean): number[] | string {
  if (type === 2) {
    const text = new TextDecoder('latin1').decode(raw);
    const nul = text.indexOf('\0');
    return nul >= 0 ? text.slice(0, nul) : text;
  }
  const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const out: number[] = new Array(count);
  for (let i = 0; i < count; i++) {
    switch (type) {
      case 1: case 7: out[i] = v.getUint8(i); break;
      case 6: out[i] = v.getInt8(i); break;
      case 3: out[i] = v.getUint16(2 * i, little); break;
      case 8: out[i] = v.getInt16(2 * i, little); break;
      case 4: case 13: out[i] = v.getUint32(4 * i, little); break;
      case 9: out[i] = v.getInt32(4 * i, little); break;
      case 11: out[i] = v.getFloat32(4 * i, little); break;
      case 12: out[i] = v.getFloat64(8 * i, little); break;
      case 16: case 18: out[i] = Number(v.getBigUint64(8 * i, little)); break;
      case 17: out[i] = Number(v.getBigInt64(8 * i, little)); break;
      case 5: out[i] = v.getUint32(8 * i, little) / v.getUint32(8 * i + 4, little); break;
      case 10: out[i] = v.getInt32(8 * i, little) / v.getInt32(8 * i + 4, little); break;
    }
  }
  return out;
}

function num(tags: Map<number, number[] | string>, tag: number, fallback?: number): number {
  const v = tags.get(tag);
  if (Array.isArray(v) && v.length > 0) return v[0];
  if (fallback === undefined) throw new Error(`missing tag ${tag}`);
  return fallback;
}

function nums(tags: Map<number, number[] | string>, tag: number): number[] | null {
  const v = tags.get(tag);
  return Array.isArray(v) ? v : null;
}

function pageLayout(
  tags: Map<number, number[] | string>,
  source: string,
  where: string,
  ifdIndex: number,
  little: boolean,
): PageLayout {
  const fail = (problem: string): never => {
    throw new InputError(source, `${where}: ${problem}`);
  };
  if (!tags.has(TAG.width) || !tags.has(TAG.height)) fail('missing ImageWidth/ImageLength');
  const width = num(tags, TAG.width);
  const height = num(tags, TAG.height);
  if (width <= 0 || height <= 0) fail(`empty image ${width}×${height}`);

  // 1. one gray sample per pixel
  const samples = num(tags, TAG.samplesPerPixel, 1);
  const photometric = num(tags, TAG.photometric, 1);
  if (photometric === 2 || photometric === 6) {
    fail(`RGB/colour image (${samples} samples per pixel) is not supported: tpcvision reads single-channel grayscale camera frames; save the frame as 16-bit grayscale`);
  }
  if (photometric === 3) fail('palette (indexed colour) image is not supported: save the frame as 16-bit grayscale');
  if (photometric !== 0 && photometric !== 1) fail(`photometric interpretation ${photometric} is not supported (grayscale only)`);
  if (samples !== 1) fail(`${samples} samples per pixel is not supported: expected one grayscale sample`);

  // 2. sample type
  const bits = num(tags, TAG.bitsPerSample, 1);
  const format = num(tags, TAG.sampleFormat, 1); // 1 unsigned, 2 signed, 3 float
  const dtype = sampleDtype(bits, format);
  if (dtype === null) {
    const kind = format === 1 ? 'unsigned integer' : format === 2 ? 'signed integer' : format === 3 ? 'float' : `sample format ${format}`;
    fail(`${bits}-bit ${kind} samples are not supported (supported: 8/16-bit unsigned, 32/64-bit float)`);
  }

  // 3. compression and predictor
  const compressionCode = num(tags, TAG.compression, 1);
  const compression = COMPRESSION_NAMES[compressionCode];
  if (compression === undefined) {
    fail(`compression ${compressionCode} is not supported (supported: none, LZW, Deflate, PackBits)`);
  }
  const predictor = num(tags, TAG.predictor, 1);
  const isFloat = dtype === 'float32' || dtype === 'float64';
  if (!(predictor === 1 || (predictor === 2 && !isFloat) || (predictor === 3 && isFloat))) {
    fail(`predictor ${predictor} with ${dtype} samples is not supported`);
  }

  // 4. strips or tiles: both become a grid of chunks
  let chunkWidth: number;
  let chunkHeight: number;
  let offsets: number[] | null;
  let byteCounts: number[] | null;
  if (tags.has(TAG.tileWidth)) {
    chunkWidth = num(tags, TAG.tileWidth);
    chunkHeight = num(tags, TAG.tileLength);
    offsets = nums(tags, TAG.tileOffsets);
    byteCounts = nums(tags, TAG.tileByteCounts);
  } else {
    chunkWidth = width;
    chunkHeight = Math.min(num(tags, TAG.rowsPerStrip, height), height);
    offsets = nums(tags, TAG.stripOffsets);
    byteCounts = nums(tags, TAG.stripByteCounts);
  }
  if (chunkWidth <= 0 || chunkHeight <= 0) fail(`bad strip/tile size ${chunkWidth}×${chunkHeight}`);
  const expectedChunks = Math.ceil(width / chunkWidth) * Math.ceil(height / chunkHeight);
  if (offsets === null || offsets.length < expectedChunks) {
    fail(`has ${offsets?.length ?? 0} strip/tile offsets, needs ${expectedChunks}`);
  }
  if (byteCounts !== null && byteCounts.length < expectedChunks) {
    fail(`has ${byteCounts.length} strip/tile byte counts, needs ${expectedChunks}`);
  }
  if (byteCounts === null && compressionCode !== 1) fail('compressed image without strip/tile byte counts');
  const description = tags.get(TAG.description);
  return {
    ifdIndex,
    width,
    height,
    dtype: dtype as PixelDtype,
    compression: compression as string,
    ...(typeof description === 'string' ? { description } : {}),
    little,
    bitsPerSample: bits,
    compressionCode,
    predictor,
    chunkWidth,
    chunkHeight,
    offsets: offsets as number[],
    byteCounts,
  };
}

function sampleDtype(bits: number, format: number): PixelDtype | null {
  if (format === 1 && bits === 8) return 'uint8';
  if (format === 1 && bits === 16) return 'uint16';
  if (format === 3 && bits === 32) return 'float32';
  if (format === 3 && bits === 64) return 'float64';
  return null;
}
