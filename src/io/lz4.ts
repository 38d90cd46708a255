/**
 * LZ4 frame decompression (the LZ4_FRAME codec of Arrow IPC), so that Feather files written by
 * pandas/pyarrow with their default compression (lz4) can be read without a native module.
 *
 * In: the bytes of one or more concatenated LZ4 frames (lz4.org frame format v1.6). Out: the
 * decompressed bytes. Handles linked and independent blocks, stored (uncompressed) blocks, optional
 * content size, dictionary id, block and content checksums (skipped, not verified: Arrow's own
 * lengths catch truncation), and skippable frames. Not handled: external dictionaries (Arrow never
 * writes them), legacy LZ4 frames (magic 0x184C2102).
 */

const MAGIC = 0x184d2204;

/** Output buffer that grows by doubling. */
class Out {
  buf: Uint8Array;
  n = 0;
  constructor(size: number) {
    this.buf = new Uint8Array(Math.max(size, 64));
  }
  reserve(extra: number): void {
    if (this.n + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.n + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.n));
    this.buf = next;
  }
}

const u32 = (b: Uint8Array, p: number): number => (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;

/**
 * One LZ4 block (sequences of literals + match) appended to `out`. Matches may reach back into
 * earlier blocks of the same frame (linked blocks): they copy from `out` itself.
 */
function decodeBlock(src: Uint8Array, start: number, end: number, out: Out): void {
  let p = start;
  while (p < end) {
    const token = src[p++];
    // 1. literals
    let lit = token >>> 4;
    if (lit === 15) {
      let b: number;
      do {
        b = src[p++];
        lit += b;
      } while (b === 255);
    }
    if (p + lit > end) throw new Error('lz4: literals run past the block');
    out.reserve(lit);
    out.buf.set(src.subarray(p, p + lit), out.n);
    out.n += lit;
    p += lit;
    if (p >= end) break; // the last sequence has literals only
    // 2. match: 16-bit offset, length 4 + low nibble (+ extension bytes)
    const offset = src[p] | (src[p + 1] << 8);
    p += 2;
    if (offset === 0 || offset > out.n) throw new Error(`lz4: match offset ${offset} outside the decoded data`);
    let len = token & 15;
    if (len === 15) {
      let b: number;
      do {
        b = src[p++];
        len += b;
      } while (b === 255);
    }
    len += 4;
    out.reserve(len);
    const buf = out.buf;
    let from = out.n - offset;
    // byte by byte: the source may overlap the destination (repeats of a short pattern)
    for (let k = 0; k < len; k++) buf[out.n++] = buf[from++];
  }
}

/** Decompress concatenated LZ4 frames. Throws on a malformed frame. */
export function lz4FrameDecode(src: Uint8Array): Uint8Array {
  const out = new Out(src.length * 4);
  let p = 0;
  while (p + 4 <= src.length) {
    const magic = u32(src, p);
    p += 4;
    if ((magic & 0xfffffff0) === 0x184d2a50) {
      p += 4 + u32(src, p); // skippable frame: 4-byte size, then data
      continue;
    }
    if (magic !== MAGIC) throw new Error(`lz4: bad frame magic 0x${magic.toString(16)}`);
    const flg = src[p];
    if (flg >>> 6 !== 1) throw new Error(`lz4: unsupported frame version ${flg >>> 6}`);
    const blockChecksum = (flg & 0x10) !== 0;
    const contentSize = (flg & 0x08) !== 0;
    const contentChecksum = (flg & 0x04) !== 0;
    const dictId = (flg & 0x01) !== 0;
    p += 2; // FLG, BD
    if (contentSize) {
      out.reserve(u32(src, p)); // low 32 bits are ample for one Arrow buffer
      p += 8;
    }
    if (dictId) p += 4;
    p += 1; // header checksum
    for (;;) {
      if (p + 4 > src.length) throw new Error('lz4: truncated frame');
      const word = u32(src, p);
      p += 4;
      if (word === 0) break; // end mark
      const size = word & 0x7fffffff;
      if (p + size > src.length) throw new Error('lz4: truncated block');
      if (word & 0x80000000) {
        out.reserve(size);
        out.buf.set(src.subarray(p, p + size), out.n);
        out.n += size;
      } else decodeBlock(src, p, p + size, out);
      p += size + (blockChecksum ? 4 : 0);
    }
    if (contentChecksum) p += 4;
  }
  return out.buf.slice(0, out.n);
}
