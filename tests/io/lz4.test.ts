/**
 * LZ4 frames: the streaming decoder on hand-made frames (each feature of the format in a few bytes),
 * round trips through the compressor (seeded property test with random chunking on both sides), and
 * cross-checks both ways with the system lz4 tool when it is installed.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { concatBytes, lz4CompressFrame, Lz4FrameDecoder, Lz4FrameEncoder, lz4FrameDecode, xxh32, type Lz4BlockSize } from '../../src/io/lz4.js';

const LZ4_TOOL = '/usr/bin/lz4';
/** Byte equality (vitest's toEqual walks typed arrays element by element: slow on 100 kB). */
const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
const text = (s: string): number[] => Array.from(new TextEncoder().encode(s));
const le32 = (n: number): number[] => [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24];

/** A frame from raw parts: FLG, BD, optional extra descriptor bytes, blocks as [size word, bytes]. */
function frame(flg: number, bd: number, blocks: { bytes: number[]; stored?: boolean; checksum?: boolean }[], extra: number[] = [], trailer: number[] = []): number[] {
  const out = [0x04, 0x22, 0x4d, 0x18, flg, bd, ...extra, 0 /* header checksum: not verified */];
  for (const b of blocks) out.push(...le32((b.bytes.length | (b.stored ? 0x80000000 : 0)) >>> 0), ...b.bytes, ...(b.checksum ? [1, 2, 3, 4] : []));
  return [...out, 0, 0, 0, 0, ...trailer];
}

/** Decodes `bytes` pushed in pieces cut at the given positions. */
function decodeInPieces(bytes: Uint8Array, cuts: number[]): Uint8Array {
  const decoder = new Lz4FrameDecoder();
  const parts: Uint8Array[] = [];
  let from = 0;
  for (const cut of [...cuts.filter((c) => c > 0 && c < bytes.length).sort((a, b) => a - b), bytes.length]) {
    parts.push(...decoder.push(bytes.subarray(from, cut)));
    from = cut;
  }
  decoder.end();
  return concatBytes(parts);
}

/** Data with repeats near and far (matches), runs, and random stretches (literals, stored blocks). */
function mixedData(n: number, seed: number): Uint8Array {
  const rng = new Rng(seed);
  const out = new Uint8Array(n);
  let i = 0;
  while (i < n) {
    const kind = rng.int(0, 3);
    const len = Math.min(n - i, rng.int(1, 3000));
    if (kind === 0 || i < 8) for (let k = 0; k < len; k++) out[i + k] = rng.int(0, 255);
    else if (kind === 1) out.fill(rng.int(0, 255), i, i + len);
    else {
      const back = rng.int(1, Math.min(i, kind === 2 ? 64 : 70000));
      for (let k = 0; k < len; k++) out[i + k] = out[i + k - back];
    }
    i += len;
  }
  return out;
}

describe('LZ4 frame decoder', () => {
  it('decodes literals, overlapping matches and stored blocks (hand-made frames)', () => {
    // 0x35: 3 literals 'abc', match offset 3, length 5 + 4 = 9 (copies its own output) → 'abcabcabcabc'; 0x10: literal 'x'
    const f = frame(0x60, 0x40, [{ bytes: [0x35, ...text('abc'), 3, 0, 0x10, ...text('x')] }, { bytes: [7, 9], stored: true }]);
    expect(new TextDecoder().decode(lz4FrameDecode(Uint8Array.from(f)))).toBe('abcabcabcabcx\x07\x09');
  });

  it('linked blocks reach into the previous block; independent blocks may not', () => {
    // block 1: 8 literals 'abcdefgh'; block 2: no literals, match offset 8 length 4 + 4 = 8, then literal 'x'
    const blocks = [{ bytes: [0x80, ...text('abcdefgh')] }, { bytes: [0x04, 8, 0, 0x10, ...text('x')] }];
    expect(new TextDecoder().decode(lz4FrameDecode(Uint8Array.from(frame(0x40, 0x40, blocks))))).toBe('abcdefghabcdefghx');
    expect(() => lz4FrameDecode(Uint8Array.from(frame(0x60, 0x40, blocks)))).toThrow(/match offset 8 outside/);
  });

  it('skips content size, dictionary id, block and content checksums, skippable frames; reads concatenated frames', () => {
    const a = frame(0x60 | 0x08 | 0x01 | 0x10 | 0x04, 0x40, [{ bytes: [0x30, ...text('abc')], checksum: true }], [...le32(3), 0, 0, 0, 0, 9, 9, 9, 9], [5, 6, 7, 8]);
    const skippable = [...le32(0x184d2a5f), ...le32(3), 1, 2, 3];
    const b = frame(0x60, 0x70, [{ bytes: [0x20, ...text('de')] }]);
    const all = Uint8Array.from([...a, ...skippable, ...b]);
    expect(new TextDecoder().decode(lz4FrameDecode(all))).toBe('abcde');
    // byte by byte: every field straddles pushes
    expect(new TextDecoder().decode(decodeInPieces(all, Array.from({ length: all.length }, (_, i) => i)))).toBe('abcde');
  });

  it('rejects bad magic, a legacy frame, oversized blocks and damaged sequences', () => {
    expect(() => lz4FrameDecode(Uint8Array.from([1, 2, 3, 4, 5]))).toThrow(/bad frame magic/);
    expect(() => lz4FrameDecode(Uint8Array.from([0x02, 0x21, 0x4c, 0x18, 0, 0, 0, 0]))).toThrow(/legacy/);
    expect(() => new Lz4FrameDecoder().push(Uint8Array.from([0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0, ...le32(65537)]))).toThrow(/65537 bytes exceeds the frame's 65536-byte maximum/);
    // a literal length extension cut by the block's end
    expect(() => lz4FrameDecode(Uint8Array.from(frame(0x60, 0x40, [{ bytes: [0xf0, 255] }])))).toThrow(/runs past the block/);
    // 4 literals then a match whose offset byte is cut
    expect(() => lz4FrameDecode(Uint8Array.from(frame(0x60, 0x40, [{ bytes: [0x40, 1, 2, 3, 4, 4] }])))).toThrow(/offset runs past/);
  });

  it('a stream cut inside a frame fails at end(); the old whole-buffer rule for 1–3 stray bytes holds', () => {
    const f = Uint8Array.from(frame(0x60, 0x40, [{ bytes: [0x30, ...text('abc')] }]));
    for (const cut of [2, 5, 9, 12, f.length - 1]) {
      const decoder = new Lz4FrameDecoder();
      decoder.push(f.subarray(0, cut));
      expect(() => decoder.end(), `cut at ${cut}`).toThrow(/ends inside .* \(truncated\)/);
    }
    expect(new TextDecoder().decode(lz4FrameDecode(Uint8Array.from([...f, 1, 2])))).toBe('abc');
  });

  it('delivers the blocks before damage first, then throws on the next call', () => {
    const good = frame(0x60, 0x40, [{ bytes: [0x30, ...text('abc')] }]);
    const decoder = new Lz4FrameDecoder();
    const out = decoder.push(Uint8Array.from([...good, 0xde, 0xad, 0xbe, 0xef]));
    expect(new TextDecoder().decode(concatBytes(out))).toBe('abc');
    expect(() => decoder.end()).toThrow(/bad frame magic 0xefbeadde/);
    expect(() => decoder.push(new Uint8Array(1))).toThrow(/bad frame magic/);
  });
});

describe('LZ4 frame encoder', () => {
  it('xxHash32 matches the reference values; the header is the one lz4 writes for 64 KiB independent blocks', () => {
    expect(xxh32(new Uint8Array(0))).toBe(0x02cc5d05); // XXH32("", 0), xxHash's sanity value
    expect(xxh32(Uint8Array.from([0x64, 0x40])) >>> 8 & 0xff).toBe(0xa7); // `lz4` header 04 22 4d 18 64 40 a7
    expect(Array.from(lz4CompressFrame(new Uint8Array(0)))).toEqual([0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x82, 0, 0, 0, 0]);
  });

  it('compresses repetitive data; stores incompressible blocks', () => {
    const repetitive = Uint8Array.from({ length: 200_000 }, (_, i) => (i % 97) * 3);
    const packed = lz4CompressFrame(repetitive);
    expect(packed.length).toBeLessThan(repetitive.length / 20);
    expect(same(lz4FrameDecode(packed), repetitive)).toBe(true);
    const noise = new Uint8Array(150_000);
    const rng = new Rng(2);
    for (let i = 0; i < noise.length; i++) noise[i] = rng.int(0, 255);
    const stored = lz4CompressFrame(noise);
    // header 7 + 3 blocks (size word + raw bytes, high bit set) + end mark 4
    expect(stored.length).toBe(7 + 3 * 4 + noise.length + 4);
    expect(stored[7 + 3] & 0x80).toBe(0x80);
    expect(same(lz4FrameDecode(stored), noise)).toBe(true);
  });

  it('round trips any data in any chunking, linked or independent, for every block size (seeded property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 300_000 }),
        fc.integer(),
        fc.constantFrom<Lz4BlockSize>(65536, 262144),
        fc.boolean(),
        fc.array(fc.integer({ min: 0, max: 300_000 }), { maxLength: 12 }),
        (n, seed, blockSize, linked, cuts) => {
          const data = mixedData(n, seed);
          // encoder fed in pieces too
          const encoder = new Lz4FrameEncoder({ blockSize, linked });
          const packedParts: Uint8Array[] = [];
          let from = 0;
          for (const cut of [...cuts.filter((c) => c < n).sort((a, b) => a - b), n]) {
            packedParts.push(...encoder.push(data.subarray(from, Math.max(from, cut))));
            from = Math.max(from, cut);
          }
          packedParts.push(...encoder.end());
          const packed = concatBytes(packedParts);
          expect(packed[4]).toBe(linked ? 0x40 : 0x60);
          const back = decodeInPieces(packed, cuts.map((c) => Math.floor((c / 300_000) * packed.length)));
          expect(back.length).toBe(n);
          expect(same(back, data)).toBe(true);
        },
      ),
      { seed: 20240611, numRuns: 30 },
    );
  });

  it('linked blocks compress data that repeats across block boundaries better than independent ones', () => {
    const rng = new Rng(5);
    const unit = Uint8Array.from({ length: 40_000 }, () => rng.int(0, 255));
    const data = new Uint8Array(400_000);
    for (let i = 0; i < data.length; i += unit.length) data.set(unit.subarray(0, data.length - i), i);
    const linked = lz4CompressFrame(data, { linked: true });
    const independent = lz4CompressFrame(data, { linked: false });
    expect(linked.length).toBeLessThan(independent.length / 2);
    expect(same(lz4FrameDecode(linked), data)).toBe(true);
    expect(same(lz4FrameDecode(independent), data)).toBe(true);
  });
});

describe.skipIf(!existsSync(LZ4_TOOL))('LZ4 frames against the lz4 tool', () => {
  const data = mixedData(700_000, 11);

  it('lz4 -dc decodes our frames (every block size, linked and independent)', () => {
    for (const blockSize of [65536, 262144, 1048576, 4194304] as const) {
      for (const linked of [false, true]) {
        const packed = lz4CompressFrame(data, { blockSize, linked });
        const back = execFileSync(LZ4_TOOL, ['-dc'], { input: packed, maxBuffer: 1 << 24, stdio: ['pipe', 'pipe', 'ignore'] });
        expect(back.equals(Buffer.from(data)), `${blockSize} linked=${linked}`).toBe(true);
      }
    }
  });

  it('we decode what lz4 -c writes (block sizes, linked blocks, block checksums, no content checksum)', () => {
    for (const flags of [[], ['-B4'], ['-B5', '-BD'], ['-B4', '-BD', '-BX'], ['-B6', '--no-frame-crc'], ['-9', '-BD', '-B4']]) {
      const packed = execFileSync(LZ4_TOOL, ['-c', ...flags], { input: data, maxBuffer: 1 << 24, stdio: ['pipe', 'pipe', 'ignore'] });
      const pieces = decodeInPieces(new Uint8Array(packed), [1, 5, 7, 100, 4099, 65537, 200_000]);
      expect(same(pieces, data), flags.join(' ')).toBe(true);
    }
  });
});
