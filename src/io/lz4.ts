/**
 * LZ4 frames (lz4.org frame format v1.6): decompression for the LZ4_FRAME codec of Arrow IPC
 * (Feather files written by pandas/pyarrow with their default compression) and for MIDAS .mid.lz4
 * runs, and a small compressor for writing test and benchmark fixtures. No native module.
 *
 * Decoding: `Lz4FrameDecoder` is fed the compressed stream chunk by chunk and returns decompressed
 * blocks as they complete, so a multi-GB file is never held whole: memory is one block (≤ 4 MiB)
 * plus the 64 KiB history that linked blocks may refer back to. `lz4FrameDecode` is the same decoder
 * over one buffer. Handles linked and independent blocks, stored (uncompressed) blocks, optional
 * content size, dictionary id, block and content checksums (skipped, not verified: the container's
 * own lengths catch truncation), skippable frames and concatenated frames. Not handled: external
 * dictionaries (neither Arrow nor MIDAS writes them), legacy LZ4 frames (magic 0x184C2102).
 *
 * Encoding: `Lz4FrameEncoder` / `lz4CompressFrame` write one frame of real compressed blocks with a
 * greedy hash-table matcher (about the ratio of `lz4 -1`, far slower than the C library); a block
 * that does not shrink is stored. No checksums, no content size: the header checksum byte is the
 * only one, and it is computed (xxHash32) because lz4 tools verify it.
 */

const MAGIC = 0x184d2204;
const LEGACY_MAGIC = 0x184c2102;
/** Matches reach at most 65535 bytes back: linked blocks keep this much history. */
const WINDOW = 65536;
/** Block maximum sizes by the BD byte's 3-bit code (4 → 64 KiB … 7 → 4 MiB). */
const BLOCK_MAX: Record<number, number> = { 4: 65536, 5: 262144, 6: 1048576, 7: 4194304 };

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
 * One LZ4 block (sequences of literals + match) appended to `out`, which must not grow past `limit`
 * bytes (the frame's block maximum: damaged lengths fail here instead of allocating gigabytes).
 * Matches may reach back into earlier blocks of the same frame (linked blocks): they copy from `out`.
 */
function decodeBlock(src: Uint8Array, start: number, end: number, out: Out, limit: number): void {
  out.reserve(limit - out.n); // once per block: the loop below writes into buf without growing it
  const buf = out.buf;
  let n = out.n;
  let p = start;
  try {
    while (p < end) {
      const token = src[p++];
      // 1. literals: length in the high nibble, 15 = more in extension bytes (255 = keep going)
      let lit = token >>> 4;
      if (lit === 15) {
        let b: number;
        do {
          if (p >= end) throw new Error('lz4: literal length runs past the block');
          b = src[p++];
          lit += b;
        } while (b === 255);
      }
      if (p + lit > end) throw new Error('lz4: literals run past the block');
      if (n + lit > limit) throw new Error('lz4: block decodes to more than the frame allows');
      if (lit > 16) buf.set(src.subarray(p, p + lit), n);
      else for (let k = 0; k < lit; k++) buf[n + k] = src[p + k]; // short runs: a loop beats subarray + set
      n += lit;
      p += lit;
      if (p >= end) break; // the last sequence has literals only
      // 2. match: 16-bit offset, length 4 + low nibble (+ extension bytes)
      if (p + 2 > end) throw new Error('lz4: match offset runs past the block');
      const offset = src[p] | (src[p + 1] << 8);
      p += 2;
      if (offset === 0 || offset > n) throw new Error(`lz4: match offset ${offset} outside the decoded data`);
      let len = token & 15;
      if (len === 15) {
        let b: number;
        do {
          if (p >= end) throw new Error('lz4: match length runs past the block');
          b = src[p++];
          len += b;
        } while (b === 255);
      }
      len += 4;
      if (n + len > limit) throw new Error('lz4: block decodes to more than the frame allows');
      const from = n - offset;
      if (offset >= len && len > 32) buf.copyWithin(n, from, from + len);
      // byte by byte: the source may overlap the destination (repeats of a short pattern)
      else for (let k = 0; k < len; k++) buf[n + k] = buf[from + k];
      n += len;
    }
  } finally {
    out.n = n;
  }
}

type Stage = 'magic' | 'skipSize' | 'skip' | 'descriptor' | 'descriptorRest' | 'blockSize' | 'block' | 'contentChecksum';

/**
 * Streaming decoder of concatenated LZ4 frames. `push(chunk)` returns the decompressed bytes of
 * every block the chunk completes (fresh arrays, owned by the caller). Damage is reported in order:
 * if a chunk holds good blocks and then a bad one, push returns the good blocks and the error is
 * thrown by the next push() or end(); with nothing to return it is thrown at once.
 */
export class Lz4FrameDecoder {
  private stage: Stage = 'magic';
  /** Bytes the current stage needs, collected in `acc` when they straddle chunks. */
  private want = 4;
  private acc = new Uint8Array(16);
  private have = 0;
  private skipLeft = 0;
  private blockMax = 0;
  private linked = false;
  private blockChecksum = false;
  private contentChecksum = false;
  private blockLen = 0;
  private blockStored = false;
  /** [history of linked blocks ≤ 64 KiB | the block being decoded] */
  private readonly win = new Out(0);
  private failure: Error | null = null;

  /** True between frames (no frame started; up to 3 bytes of a next magic number may be buffered). */
  get atFrameBoundary(): boolean {
    return this.stage === 'magic';
  }

  push(chunk: Uint8Array): Uint8Array[] {
    if (this.failure) throw this.failure;
    const out: Uint8Array[] = [];
    try {
      this.consume(chunk, out);
    } catch (err) {
      this.failure = err as Error;
      if (out.length === 0) throw err;
    }
    return out;
  }

  /**
   * The input is complete: throws if it stopped inside a frame or a pending error is left.
   * `ignoreShortTail`: 1–3 stray bytes after the last frame are not an error (lz4FrameDecode's rule).
   */
  end({ ignoreShortTail = false } = {}): void {
    if (this.failure) throw this.failure;
    if (this.stage === 'magic' && (this.have === 0 || ignoreShortTail)) return;
    const where = this.stage === 'magic' ? 'a frame magic number' : this.stage === 'skip' || this.stage === 'skipSize' ? 'a skippable frame' : this.stage === 'block' || this.stage === 'blockSize' ? 'a block' : 'a frame header';
    throw new Error(`lz4: the data ends inside ${where} (truncated)`);
  }

  private consume(chunk: Uint8Array, out: Uint8Array[]): void {
    let p = 0;
    while (p < chunk.length) {
      if (this.stage === 'skip') {
        const k = Math.min(this.skipLeft, chunk.length - p);
        p += k;
        this.skipLeft -= k;
        if (this.skipLeft === 0) this.expect('magic', 4);
        continue;
      }
      const n = this.want;
      let src: Uint8Array;
      let at: number;
      if (this.have === 0 && chunk.length - p >= n) {
        // the whole field lies in this chunk: decode in place, no copy
        src = chunk;
        at = p;
        p += n;
      } else {
        if (this.acc.length < n) {
          const grown = new Uint8Array(n);
          grown.set(this.acc.subarray(0, this.have));
          this.acc = grown;
        }
        const k = Math.min(n - this.have, chunk.length - p);
        this.acc.set(chunk.subarray(p, p + k), this.have);
        this.have += k;
        p += k;
        if (this.have < n) return;
        src = this.acc;
        at = 0;
        this.have = 0;
      }
      this.step(src, at, out);
    }
  }

  private expect(stage: Stage, bytes: number): void {
    this.stage = stage;
    this.want = bytes;
  }

  /** One complete field of the current stage, at src[at…at+want). */
  private step(src: Uint8Array, at: number, out: Uint8Array[]): void {
    switch (this.stage) {
      case 'magic': {
        const magic = u32(src, at);
        if ((magic & 0xfffffff0) === 0x184d2a50) return this.expect('skipSize', 4);
        if (magic === LEGACY_MAGIC) throw new Error('lz4: legacy frame format (magic 0x184c2102) is not supported; recompress with lz4 ≥ r129');
        if (magic !== MAGIC) throw new Error(`lz4: bad frame magic 0x${magic.toString(16)}`);
        return this.expect('descriptor', 2);
      }
      case 'skipSize': {
        this.skipLeft = u32(src, at);
        if (this.skipLeft === 0) return this.expect('magic', 4);
        return this.expect('skip', 0);
      }
      case 'descriptor': {
        const flg = src[at];
        const bd = src[at + 1];
        if (flg >>> 6 !== 1) throw new Error(`lz4: unsupported frame version ${flg >>> 6}`);
        const max = BLOCK_MAX[(bd >>> 4) & 7];
        if (max === undefined) throw new Error(`lz4: bad block maximum size code ${(bd >>> 4) & 7}`);
        this.blockMax = max;
        this.linked = (flg & 0x20) === 0;
        this.blockChecksum = (flg & 0x10) !== 0;
        this.contentChecksum = (flg & 0x04) !== 0;
        const contentSize = (flg & 0x08) !== 0;
        const dictId = (flg & 0x01) !== 0;
        // content size (8), dictionary id (4), header checksum (1): read past, not used
        return this.expect('descriptorRest', (contentSize ? 8 : 0) + (dictId ? 4 : 0) + 1);
      }
      case 'descriptorRest':
        this.win.n = 0; // a new frame: no history
        return this.expect('blockSize', 4);
      case 'blockSize': {
        const word = u32(src, at);
        if (word === 0) return this.expect(this.contentChecksum ? 'contentChecksum' : 'magic', 4); // end mark
        const size = word & 0x7fffffff;
        if (size > this.blockMax) throw new Error(`lz4: block of ${size} bytes exceeds the frame's ${this.blockMax}-byte maximum`);
        this.blockLen = size;
        this.blockStored = word >>> 31 === 1;
        const total = size + (this.blockChecksum ? 4 : 0);
        return total === 0 ? this.expect('blockSize', 4) : this.expect('block', total);
      }
      case 'block':
        out.push(this.decodeInto(src, at));
        return this.expect('blockSize', 4);
      case 'contentChecksum':
        return this.expect('magic', 4);
      case 'skip':
        throw new Error('lz4: internal: skip stage has no field'); // handled in consume
    }
  }

  /** Decodes the current block into the window; returns a copy of its bytes. */
  private decodeInto(src: Uint8Array, at: number): Uint8Array {
    const w = this.win;
    if (!this.linked) w.n = 0;
    const start = w.n;
    const size = this.blockLen;
    if (this.blockStored) {
      w.reserve(size);
      w.buf.set(src.subarray(at, at + size), start);
      w.n += size;
    } else decodeBlock(src, at, at + size, w, start + this.blockMax);
    const bytes = w.buf.slice(start, w.n);
    if (this.linked && w.n > WINDOW) {
      w.buf.copyWithin(0, w.n - WINDOW, w.n); // keep the last 64 KiB for the next block's matches
      w.n = WINDOW;
    }
    return bytes;
  }
}

/** Decompress concatenated LZ4 frames held in one buffer. Throws on a malformed or truncated frame. */
export function lz4FrameDecode(src: Uint8Array): Uint8Array {
  const decoder = new Lz4FrameDecoder();
  const parts = decoder.push(src);
  decoder.end({ ignoreShortTail: true });
  return concatBytes(parts);
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  let n = 0;
  for (const part of parts) n += part.length;
  const out = new Uint8Array(n);
  n = 0;
  for (const part of parts) {
    out.set(part, n);
    n += part.length;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Compression

export type Lz4BlockSize = 65536 | 262144 | 1048576 | 4194304;

export interface Lz4CompressOptions {
  /** Largest uncompressed block; default 64 KiB, the lz4frame library's default (LZ4F_max64KB). */
  blockSize?: Lz4BlockSize;
  /** Linked blocks (matches may reach into the previous block's last 64 KiB); default false, as lz4frame. */
  linked?: boolean;
}

const HASH_LOG = 16;
/** A match must start at least 12 bytes before a block's end and leave the last 5 as literals (LZ4 block format). */
const MF_LIMIT = 12;
const LAST_LITERALS = 5;

/**
 * Streaming LZ4 frame writer: `push(chunk)` returns the frame bytes completed so far (header, then
 * whole blocks), `end()` the last block and the end mark. Memory: one block plus 64 KiB of history.
 */
export class Lz4FrameEncoder {
  private readonly blockSize: number;
  /** BD byte's block maximum size code (4 … 7). */
  private readonly sizeCode: number;
  private readonly linked: boolean;
  /** [history ≤ 64 KiB (linked only) | the block being filled] */
  private readonly win: Uint8Array;
  private hist = 0;
  private fill = 0;
  private started = false;
  private ended = false;
  private readonly table = new Int32Array(1 << HASH_LOG);

  constructor({ blockSize = 65536, linked = false }: Lz4CompressOptions = {}) {
    const code = Object.keys(BLOCK_MAX).find((k) => BLOCK_MAX[Number(k)] === blockSize);
    if (code === undefined) throw new Error(`lz4: block size must be 65536, 262144, 1048576 or 4194304, got ${blockSize}`);
    this.sizeCode = Number(code);
    this.blockSize = blockSize;
    this.linked = linked;
    this.win = new Uint8Array((linked ? WINDOW : 0) + blockSize);
  }

  push(chunk: Uint8Array): Uint8Array[] {
    if (this.ended) throw new Error('lz4: push after end');
    const out: Uint8Array[] = [];
    if (!this.started) out.push(this.header());
    for (let p = 0; p < chunk.length; ) {
      const k = Math.min(this.blockSize - this.fill, chunk.length - p);
      this.win.set(chunk.subarray(p, p + k), this.hist + this.fill);
      this.fill += k;
      p += k;
      if (this.fill === this.blockSize) out.push(this.flushBlock());
    }
    return out;
  }

  end(): Uint8Array[] {
    if (this.ended) throw new Error('lz4: end called twice');
    const out: Uint8Array[] = [];
    if (!this.started) out.push(this.header());
    if (this.fill > 0) out.push(this.flushBlock());
    out.push(new Uint8Array(4)); // end mark: a zero block size
    this.ended = true;
    return out;
  }

  private header(): Uint8Array {
    this.started = true;
    const flg = 0x40 | (this.linked ? 0 : 0x20); // version 01, block independence bit
    const bd = this.sizeCode << 4;
    const hc = (xxh32(Uint8Array.of(flg, bd)) >>> 8) & 0xff;
    return Uint8Array.of(0x04, 0x22, 0x4d, 0x18, flg, bd, hc);
  }

  private flushBlock(): Uint8Array {
    const start = this.hist;
    const end = this.hist + this.fill;
    const block = compressBlock(this.win, 0, start, end, this.table);
    if (this.linked) {
      const keep = Math.min(WINDOW, end);
      this.win.copyWithin(0, end - keep, end);
      this.hist = keep;
    }
    this.fill = 0;
    return block;
  }
}

/** One LZ4 frame holding `data`. */
export function lz4CompressFrame(data: Uint8Array, opts: Lz4CompressOptions = {}): Uint8Array {
  const encoder = new Lz4FrameEncoder(opts);
  return concatBytes([...encoder.push(data), ...encoder.end()]);
}

/**
 * src[start…end) as a frame block (4-byte size word + payload), greedy: at each position look up
 * the last position with the same 4 bytes (hash table); take the match if it is real and within
 * 64 KiB, extended both ways, else move on, faster and faster through incompressible stretches.
 * Matches may reach into src[base…start) (history of linked blocks). Stored if it would not shrink.
 */
function compressBlock(src: Uint8Array, base: number, start: number, end: number, table: Int32Array): Uint8Array {
  const n = end - start;
  const dst = new Uint8Array(4 + n + Math.ceil(n / 255) + 16); // LZ4_COMPRESSBOUND
  let o = 4;
  const shift = 32 - HASH_LOG;
  const word = (p: number): number => src[p] | (src[p + 1] << 8) | (src[p + 2] << 16) | (src[p + 3] << 24);
  table.fill(-1);
  for (let i = base; i + 4 <= start; i++) table[Math.imul(word(i), 2654435761) >>> shift] = i;

  const lengthBytes = (len: number): void => {
    for (; len >= 255; len -= 255) dst[o++] = 255;
    dst[o++] = len;
  };
  const literals = (from: number, to: number, matchNibble: number): void => {
    const lit = to - from;
    dst[o++] = (Math.min(lit, 15) << 4) | matchNibble;
    if (lit >= 15) lengthBytes(lit - 15);
    if (lit > 16) dst.set(src.subarray(from, to), o);
    else for (let k = 0; k < lit; k++) dst[o + k] = src[from + k];
    o += lit;
  };

  let anchor = start;
  if (n > MF_LIMIT) {
    const lastMatchStart = end - MF_LIMIT;
    const matchEnd = end - LAST_LITERALS;
    let i = start;
    while (i <= lastMatchStart) {
      const seq = word(i);
      const h = Math.imul(seq, 2654435761) >>> shift;
      let cand = table[h];
      table[h] = i;
      if (cand >= base && i - cand < WINDOW && word(cand) === seq) {
        let at = i;
        while (at > anchor && cand > base && src[at - 1] === src[cand - 1]) {
          at--;
          cand--;
        }
        let len = 4 + (i - at);
        while (at + len < matchEnd && src[cand + len] === src[at + len]) len++;
        literals(anchor, at, Math.min(len - 4, 15));
        const offset = at - cand;
        dst[o++] = offset & 255;
        dst[o++] = offset >>> 8;
        if (len - 4 >= 15) lengthBytes(len - 4 - 15);
        i = at + len;
        anchor = i;
        if (i - 2 > start && i - 2 + 4 <= end) table[Math.imul(word(i - 2), 2654435761) >>> shift] = i - 2;
      } else i += 1 + ((i - anchor) >>> 6); // skip faster the longer nothing matched
    }
  }
  literals(anchor, end, 0); // last literals
  const payload = o - 4;
  if (payload >= n) {
    const stored = new Uint8Array(4 + n);
    writeU32(stored, 0, (n | 0x80000000) >>> 0);
    stored.set(src.subarray(start, end), 4);
    return stored;
  }
  writeU32(dst, 0, payload);
  return dst.slice(0, o);
}

function writeU32(b: Uint8Array, p: number, v: number): void {
  b[p] = v & 255;
  b[p + 1] = (v >>> 8) & 255;
  b[p + 2] = (v >>> 16) & 255;
  b[p + 3] = v >>> 24;
}

const P1 = 0x9e3779b1;
const P2 = 0x85ebca77;
const P3 = 0xc2b2ae3d;
const P4 = 0x27d4eb2f;
const P5 = 0x165667b1;
const rotl = (x: number, r: number): number => (x << r) | (x >>> (32 - r));

/** xxHash32 (seed 0 by default), as the LZ4 frame header checksum uses it. */
export function xxh32(b: Uint8Array, seed = 0): number {
  const n = b.length;
  let p = 0;
  let h: number;
  if (n >= 16) {
    const round = (v: number, x: number): number => Math.imul(rotl((v + Math.imul(x, P2)) | 0, 13), P1);
    let v1 = (seed + P1 + P2) | 0;
    let v2 = (seed + P2) | 0;
    let v3 = seed | 0;
    let v4 = (seed - P1) | 0;
    for (; p + 16 <= n; p += 16) {
      v1 = round(v1, u32(b, p));
      v2 = round(v2, u32(b, p + 4));
      v3 = round(v3, u32(b, p + 8));
      v4 = round(v4, u32(b, p + 12));
    }
    h = (rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18)) | 0;
  } else h = (seed + P5) | 0;
  h = (h + n) | 0;
  for (; p + 4 <= n; p += 4) h = Math.imul(rotl((h + Math.imul(u32(b, p), P3)) | 0, 17), P4);
  for (; p < n; p++) h = Math.imul(rotl((h + Math.imul(b[p], P5)) | 0, 11), P1);
  h ^= h >>> 15;
  h = Math.imul(h, P2);
  h ^= h >>> 13;
  h = Math.imul(h, P3);
  h ^= h >>> 16;
  return h >>> 0;
}
