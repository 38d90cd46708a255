import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as zlib from 'node:zlib';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import type { PixelArray } from '../../src/core/frame.js';
import { decodeRoiFrame, encodeRoiFrame, readRoiFrame, writeRoiFrame } from '../../src/roi/compress.js';
import type { Roi } from '../../src/roi/components.js';
import { crc32 } from '../../src/roi/crc32.js';
import { maskArb } from './arbitraries.js';

const dir = mkdtempSync(join(tmpdir(), 'tpcvision-roi-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** 3×2 uint16 frame; mask row 0 = 1 1 0, row 1 = 0 0 1 → runs (0,2) and (2,1), values 10, 11, 15. */
const small = {
  pixels: Uint16Array.from([10, 11, 12, 13, 14, 15]),
  mask: Uint8Array.from([1, 1, 0, 0, 0, 1]),
  rois: [{ id: 1, x0: 0, y0: 0, x1: 1, y1: 0, area: 2, sumIntensity: 21, maxIntensity: 11 }] as Roi[],
  meta: { source: 'small.npy', tau: 0.04 },
};
const smallBytes = () => encodeRoiFrame(small.pixels, 3, 2, small.mask, { rois: small.rois, meta: small.meta });

function expectInputError(fn: () => unknown, source: string, pattern: RegExp): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).source).toBe(source);
    expect((err as Error).message).toMatch(pattern);
    return;
  }
  throw new Error('expected an InputError');
}

function pixelsOf(kind: number, n: number, seed: number): PixelArray {
  const f = (i: number) => Math.sin(seed + i * 12.9898) * 43758.5453;
  switch (kind) {
    case 0:
      return Uint8Array.from({ length: n }, (_, i) => Math.abs(Math.floor(f(i))) % 256);
    case 1:
      return Uint16Array.from({ length: n }, (_, i) => Math.abs(Math.floor(f(i))) % 65536);
    case 2:
      return Float32Array.from({ length: n }, (_, i) => (i % 7 === 3 ? NaN : i % 5 === 1 ? -0 : f(i)));
    default:
      return Float64Array.from({ length: n }, (_, i) => (i % 9 === 4 ? -Infinity : f(i) / 3));
  }
}

describe('.roi format', () => {
  it('lays out the header, row index, runs, padding, values, JSON and CRC as documented', () => {
    const bytes = smallBytes();
    const view = new DataView(bytes.buffer);
    const u32 = (o: number) => view.getUint32(o, true);
    expect(new TextDecoder().decode(bytes.subarray(0, 8))).toBe('TPCROI01');
    // width 3, height 2, dtype uint16 = 2, 1 ROI, 2 runs, 3 values
    expect([u32(8), u32(12), u32(16), u32(20), u32(24), u32(28)]).toEqual([3, 2, 2, 1, 2, 3]);
    // row index at 40: [0, 1, 2] (12 bytes); runs at 52: (0,2), (2,1) (16 bytes) → 68, padded to 72
    expect([u32(40), u32(44), u32(48)]).toEqual([0, 1, 2]);
    expect([u32(52), u32(56), u32(60), u32(64)]).toEqual([0, 2, 2, 1]);
    expect([view.getUint16(72, true), view.getUint16(74, true), view.getUint16(76, true)]).toEqual([10, 11, 15]);
    const jsonLength = u32(32);
    expect(JSON.parse(new TextDecoder().decode(bytes.subarray(78, 78 + jsonLength)))).toEqual({ rois: small.rois, meta: small.meta });
    expect(bytes.length).toBe(78 + jsonLength + 4);
    expect(u32(bytes.length - 4)).toBe(zlib.crc32(bytes.subarray(0, bytes.length - 4)));
  });

  it('crc32 matches the IEEE check value and node:zlib', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    const data = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7919) & 255);
    expect(crc32(data)).toBe(zlib.crc32(data));
  });

  it('round-trips every dtype: the masked pixels exactly, zeros elsewhere', () => {
    fc.assert(
      fc.property(maskArb(24), fc.integer({ min: 0, max: 3 }), fc.integer(), ({ width, height, mask }, kind, seed) => {
        const pixels = pixelsOf(kind, width * height, seed);
        const meta = { seed, nested: { list: [1, 2, 3] } };
        const decoded = decodeRoiFrame(encodeRoiFrame(pixels, width, height, mask, { meta }), 'prop.roi');
        expect([decoded.width, decoded.height]).toEqual([width, height]);
        expect(decoded.values.constructor).toBe(pixels.constructor);
        expect(decoded.meta).toEqual(meta);
        expect(decoded.rois).toEqual([]);
        for (let i = 0; i < mask.length; i++) {
          expect(decoded.mask[i]).toBe(mask[i] ? 1 : 0);
          // Object.is: NaN stays NaN and −0 stays −0
          expect(Object.is(decoded.values[i], mask[i] ? pixels[i] : 0)).toBe(true);
        }
      }),
      { numRuns: 200, seed: 110 },
    );
  });

  it('writes atomically and reads back from disk', () => {
    const path = join(dir, 'frame.roi');
    writeRoiFrame(path, small.pixels, 3, 2, small.mask, { rois: small.rois, meta: small.meta });
    expect(new Uint8Array(readFileSync(path))).toEqual(smallBytes());
    const back = readRoiFrame(path);
    expect(Array.from(back.values)).toEqual([10, 11, 0, 0, 0, 15]);
    expect(back.rois).toEqual(small.rois);
  });

  it('refuses every truncation, naming the source', () => {
    const bytes = smallBytes();
    for (let n = 0; n < bytes.length; n++) {
      expectInputError(() => decodeRoiFrame(bytes.subarray(0, n), 'cut.roi'), 'cut.roi', /truncated|not a \.roi/);
    }
  });

  it('refuses any single flipped bit and trailing garbage', () => {
    const bytes = smallBytes();
    for (let i = 0; i < bytes.length; i++) {
      for (const bit of [0x01, 0x80]) {
        const bad = bytes.slice();
        bad[i] ^= bit;
        expectInputError(() => decodeRoiFrame(bad, 'flip.roi'), 'flip.roi', /corrupted|truncated|not a \.roi|version/);
      }
    }
    const longer = new Uint8Array(bytes.length + 3);
    longer.set(bytes);
    expectInputError(() => decodeRoiFrame(longer, 'long.roi'), 'long.roi', /header says/);
  });

  it('names foreign files and unknown versions', () => {
    expectInputError(() => decodeRoiFrame(new TextEncoder().encode('\x93NUMPY......'), 'a.npy'), 'a.npy', /not a \.roi file/);
    const v2 = smallBytes();
    v2[7] = '2'.charCodeAt(0);
    expectInputError(() => decodeRoiFrame(v2, 'v2.roi'), 'v2.roi', /unsupported \.roi version "02"/);
  });

  it('checks the structure too, not only the checksum (a buggy writer signs bad content)', () => {
    const resigned = (edit: (v: DataView, b: Uint8Array) => void) => {
      const b = smallBytes();
      const v = new DataView(b.buffer);
      edit(v, b);
      v.setUint32(b.length - 4, crc32(b, 0, b.length - 4), true);
      return b;
    };
    // Row 1's run (2, 1) → (2, 2): overruns the 3-pixel row.
    expectInputError(() => decodeRoiFrame(resigned((v) => v.setUint32(64, 2, true)), 'a.roi'), 'a.roi', /corrupted \.roi run 1 \(row 1, x 2, length 2\)/);
    // Row index [0, 1, 2] → [0, 1, 1]: the last run belongs to no row.
    expectInputError(() => decodeRoiFrame(resigned((v) => v.setUint32(48, 1, true)), 'b.roi'), 'b.roi', /does not end at the run count/);
    // Row index decreasing.
    expectInputError(() => decodeRoiFrame(resigned((v) => v.setUint32(44, 3, true)), 'c.roi'), 'c.roi', /row index at row/);
    // JSON section garbled.
    expectInputError(() => decodeRoiFrame(resigned((_, b) => (b[78] = 0x7b + 1)), 'd.roi'), 'd.roi', /JSON section/);
  });
});
