/**
 * Decompression and predictor undo for TIFF strips and tiles, pure functions over bytes.
 * In: the compressed bytes of one strip or tile and the number of bytes it should decode to.
 * Out: the decoded bytes (possibly shorter than expected when the data are cut short: the caller
 * reports that, naming the file). Supports Compression 1 (none), 5 (LZW), 8 / 32946 (Deflate) and
 * 32773 (PackBits); Predictor 2 (horizontal differencing) and 3 (floating point). JPEG, CCITT and
 * the other codes are refused by the caller: camera frames are not stored that way.
 *
 * Written here rather than taken from geotiff because geotiff is async only and a multi-page camera
 * file is read page by page, synchronously, with no need to hold the whole file in memory.
 */
import { inflateSync } from 'node:zlib';

export const COMPRESSION_NAMES: Record<number, string> = {
  1: 'none',
  5: 'LZW',
  8: 'Deflate',
  32946: 'Deflate',
  32773: 'PackBits',
};

/** Decode one strip/tile; throws a plain Error with the codec's complaint (the caller adds the file). */
export function decompress(compression: number, src: Uint8Array, expected: number): Uint8Array {
  switch (compression) {
    case 1:
      return src;
    case 5:
      return lzwDecode(src, expected);
    case 8:
    case 32946:
      return inflateSync(src);
    case 32773:
      return packBitsDecode(src, expected);
    default:
      throw new Error(`compression ${compression} is not supported`);
  }
}

/**
 * TIFF LZW (6.0 spec, MSB-first codes, 9–12 bits, "early change": the code width grows one code
 * before the table would overflow it). Stops at EOI, at the end of the input, or once `expected`
 * bytes are out.
 * Each table entry is kept as (offset, length) of an earlier stretch of the output, not as a chain
 * of prefixes: an entry is always the previous code's string followed by the next byte written, so
 * it already sits contiguously in the output, and decoding becomes short forward copies.
 */
export function lzwDecode(src: Uint8Array, expected: number): Uint8Array {
  const CLEAR = 256;
  const EOI = 257;
  const offsets = new Int32Array(4096);
  const lengths = new Int32Array(4096);
  const out = new Uint8Array(expected);
  let pos = 0;
  let inPos = 0; // next input byte
  let bitBuf = 0; // the low `bitCount` bits are unread input, most significant first
  let bitCount = 0;
  let width = 9;
  let next = 258;
  let prevOff = -1; // where the previous code's string was written; -1 right after a clear
  let prevLen = 0;

  while (pos < expected) {
    // read `width` bits MSB-first, a byte at a time (a camera page is millions of codes)
    while (bitCount < width && inPos < src.length) {
      bitBuf = ((bitBuf & ((1 << bitCount) - 1)) << 8) | src[inPos++];
      bitCount += 8;
    }
    if (bitCount < width) break; // input exhausted without EOI
    const code = (bitBuf >>> (bitCount - width)) & ((1 << width) - 1);
    bitCount -= width;
    if (code === EOI) break;
    if (code === CLEAR) {
      width = 9;
      next = 258;
      prevOff = -1;
      continue;
    }
    let off: number;
    let len: number;
    if (code < 256) {
      out[pos] = code;
      off = pos;
      len = 1;
    } else if (code < next && prevOff >= 0) {
      off = offsets[code];
      len = lengths[code];
    } else if (code === next && prevOff >= 0) {
      // the KwKwK case: the previous string plus its own first byte, which a forward copy of
      // prevLen + 1 bytes from prevOff produces (the last byte read is the first one written)
      off = prevOff;
      len = prevLen + 1;
    } else {
      throw new Error(`corrupt LZW data: code ${code} with a table of ${next} entries${prevOff < 0 ? ' right after a clear' : ''}`);
    }
    const n = Math.min(len, expected - pos);
    if (code >= 256) for (let k = 0; k < n; k++) out[pos + k] = out[off + k];
    if (prevOff >= 0 && next < 4096) {
      // new entry: previous string + this string's first byte, contiguous at prevOff
      offsets[next] = prevOff;
      lengths[next] = prevLen + 1;
      next++;
    }
    if (next + 1 >= 1 << width && width < 12) width++;
    prevOff = pos;
    prevLen = len;
    pos += len;
  }
  return pos >= expected ? out : out.subarray(0, pos);
}

/** Apple PackBits run-length decoding. */
export function packBitsDecode(src: Uint8Array, expected: number): Uint8Array {
  const out = new Uint8Array(expected);
  let pos = 0;
  let i = 0;
  while (i < src.length && pos < expected) {
    const n = (src[i++] << 24) >> 24; // signed byte
    if (n >= 0) {
      const count = Math.min(n + 1, expected - pos, src.length - i);
      out.set(src.subarray(i, i + count), pos);
      pos += count;
      i += n + 1;
    } else if (n !== -128) {
      const count = Math.min(1 - n, expected - pos);
      if (i >= src.length) break;
      out.fill(src[i++], pos, pos + count);
      pos += count;
    }
  }
  return pos >= expected ? out : out.subarray(0, pos);
}

/** Predictor 2 undo, in place, on integer samples already in native order: row-wise running sum. */
export function undoHorizontalDifferencing(values: Uint8Array | Uint16Array, width: number, rows: number): void {
  // typed-array stores wrap modulo 2^bits, which is exactly the TIFF rule
  for (let r = 0; r < rows; r++) {
    const base = r * width;
    for (let x = 1; x < width; x++) values[base + x] += values[base + x - 1];
  }
}

/**
 * Predictor 3 undo for one chunk of float samples: per row, a byte-wise running sum, then the bytes
 * of each sample are gathered from planes stored most significant byte first (libtiff's layout,
 * independent of the file's byte order). Returns big-endian sample bytes, row after row.
 */
export function undoFloatingPointPredictor(bytes: Uint8Array, width: number, rows: number, bytesPerSample: number): Uint8Array {
  const rowBytes = width * bytesPerSample;
  const out = new Uint8Array(rowBytes * rows);
  for (let r = 0; r < rows; r++) {
    const row = bytes.subarray(r * rowBytes, (r + 1) * rowBytes);
    for (let k = 1; k < rowBytes; k++) row[k] = (row[k] + row[k - 1]) & 0xff;
    const o = r * rowBytes;
    for (let x = 0; x < width; x++) {
      for (let b = 0; b < bytesPerSample; b++) out[o + x * bytesPerSample + b] = row[b * width + x];
    }
  }
  return out;
}
