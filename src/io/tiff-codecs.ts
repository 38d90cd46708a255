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
 */
export function lzwDecode(src: Uint8Array, expected: number): Uint8Array {
  const CLEAR = 256;
  const EOI = 257;
  const prefix = new Int32Array(4096);
  const suffix = new Uint8Array(4096);
  const length = new Int32Array(4096);
  for (let i = 0; i < 256; i++) {
    prefix[i] = -1;
    suffix[i] = i;
    length[i] = 1;
  }
  const out = new Uint8Array(expected);
  let pos = 0;
  let bitPos = 0;
  const totalBits = src.length * 8;
  let width = 9;
  let next = 258;
  let prev = -1;

  // writes the string of `code` at out[pos..], clipped to the output; returns its first byte
  const emit = (code: number): number => {
    const len = length[code];
    let c = code;
    for (let k = len - 1; k >= 0; k--) {
      if (pos + k < expected) out[pos + k] = suffix[c];
      if (k === 0) break;
      c = prefix[c];
    }
    const first = suffix[c];
    pos += len;
    return first;
  };

  while (pos < expected && bitPos + width <= totalBits) {
    // read `width` bits MSB-first
    let code = 0;
    for (let b = 0; b < width; b++) {
      const bit = (src[(bitPos + b) >> 3] >> (7 - ((bitPos + b) & 7))) & 1;
      code = (code << 1) | bit;
    }
    bitPos += width;
    if (code === EOI) break;
    if (code === CLEAR) {
      width = 9;
      next = 258;
      prev = -1;
      continue;
    }
    if (prev === -1) {
      if (code > 255) throw new Error(`corrupt LZW data: code ${code} right after a clear`);
      emit(code);
      prev = code;
      continue;
    }
    let first: number;
    if (code < next) {
      first = emit(code);
    } else if (code === next) {
      // the KwKwK case: the string is prev's string plus its own first byte
      const prevFirst = emit(prev);
      if (pos < expected) out[pos] = prevFirst;
      pos += 1;
      first = prevFirst;
    } else {
      throw new Error(`corrupt LZW data: code ${code} beyond table size ${next}`);
    }
    if (next < 4096) {
      prefix[next] = prev;
      suffix[next] = first;
      length[next] = length[prev] + 1;
      next++;
    }
    if (next + 1 >= 1 << width && width < 12) width++;
    prev = code;
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
