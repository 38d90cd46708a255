/**
 * The .roi decoder's refusals, one by one, with the exact problem it reports (compress.test.ts checks
 * that every truncation and flipped bit is refused; here each check is reached on its own, with a
 * re-signed CRC where the content is wrong, and at the boundary where it must still accept).
 * Base frame, 3×2 uint16: mask row 0 = 1 1 0, row 1 = 0 0 1 → row index [0, 1, 2] at byte 40, runs
 * (0,2) (2,1) at 52, values 10 11 15 at 72, JSON at 78 (see compress.test.ts for the layout).
 */
import * as zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { decodeRoiFrame, encodeRoiFrame, swapBytes } from '../../src/roi/compress.js';
import { crc32 } from '../../src/roi/crc32.js';

const pixels = Uint16Array.from([10, 11, 12, 13, 14, 15]);
const mask = Uint8Array.from([1, 1, 0, 0, 0, 1]);
const base = () => encodeRoiFrame(pixels, 3, 2, mask, { meta: { a: 1 } });

/** The InputError's problem (the message without the source), after checking the source is named. */
function problem(bytes: Uint8Array, source = 'x.roi'): string {
  try {
    decodeRoiFrame(bytes, source);
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).source).toBe(source);
    expect((err as Error).message).toBe(`${source}: ${(err as InputError).problem}`);
    return (err as InputError).problem;
  }
  throw new Error('expected an InputError');
}

/** Edit the header/body through a DataView, then sign the result again (CRC over all but the last 4 bytes). */
function resigned(bytes: Uint8Array, edit: (v: DataView, b: Uint8Array) => void): Uint8Array {
  const b = bytes.slice();
  const v = new DataView(b.buffer);
  edit(v, b);
  v.setUint32(b.length - 4, crc32(b, 0, b.length - 4), true);
  return b;
}

/** A .roi of the base frame whose JSON section is `text` (lengths and CRC consistent), header ROI count `rois`. */
function withJson(text: string | Uint8Array, rois = 0): Uint8Array {
  const b = base();
  const v = new DataView(b.buffer);
  const jsonAt = 78;
  const json = typeof text === 'string' ? new TextEncoder().encode(text) : text;
  const out = new Uint8Array(jsonAt + json.length + 4);
  out.set(b.subarray(0, jsonAt));
  out.set(json, jsonAt);
  const ov = new DataView(out.buffer);
  ov.setUint32(20, rois, true);
  ov.setUint32(32, json.length, true);
  ov.setUint32(out.length - 4, crc32(out, 0, out.length - 4), true);
  expect(v.getUint32(32, true)).toBeGreaterThan(0);
  return out;
}

const header = (w: number, h: number, code: number, total = 44) => {
  const b = new Uint8Array(total);
  b.set(new TextEncoder().encode('TPCROI01'));
  const v = new DataView(b.buffer);
  v.setUint32(8, w, true);
  v.setUint32(12, h, true);
  v.setUint32(16, code, true);
  return b;
};

describe('.roi decoder: each refusal names its problem exactly', () => {
  it('magic, version and the header size, at their boundaries', () => {
    expect(problem(new Uint8Array(7))).toBe('truncated or not a .roi file: 7 bytes, shorter than the 8-byte magic');
    expect(problem(new TextEncoder().encode('PK\x03\x04abcd'))).toBe('not a .roi file (magic "PK\\u0003\\u0004abcd", expected "TPCROI01")');
    expect(problem(new TextEncoder().encode('TPCROI7x'))).toBe('unsupported .roi version "7x" (this reader knows "01")');
    // exactly the magic: long enough for it, too short for the header (40 + 4-byte trailer)
    expect(problem(new TextEncoder().encode('TPCROI01'))).toBe('truncated .roi file: 8 bytes, header alone needs 40');
    expect(problem(header(3, 2, 2, 43))).toBe('truncated .roi file: 43 bytes, header alone needs 40');
    // 44 bytes is enough to read the header: the next check (dtype) speaks
    expect(problem(header(3, 2, 0))).toBe('corrupted .roi header: unknown dtype code 0 (1 uint8, 2 uint16, 3 float32, 4 float64)');
    expect(problem(header(3, 2, 5))).toBe('corrupted .roi header: unknown dtype code 5 (1 uint8, 2 uint16, 3 float32, 4 float64)');
  });

  it('size: zero or above 2^28 pixels is implausible; 2^28 itself is read on to the length check', () => {
    expect(problem(header(0, 2, 1))).toBe('corrupted .roi header: implausible size 0×2');
    expect(problem(header(3, 0, 1))).toBe('corrupted .roi header: implausible size 3×0');
    expect(problem(header(2 ** 15, 2 ** 14, 1))).toBe('corrupted .roi header: implausible size 32768×16384');
    // 2^14 × 2^14 = 2^28: plausible; layout 40 + 4·(2^14 + 1) = 65580 → values at 65584, + 4 trailer
    expect(problem(header(2 ** 14, 2 ** 14, 1))).toBe('truncated .roi file: 44 bytes, header says 65588');
  });

  it('file length against the header: shorter is truncated, longer is corrupted', () => {
    const b = base();
    expect(problem(b.subarray(0, b.length - 1))).toBe(`truncated .roi file: ${b.length - 1} bytes, header says ${b.length}`);
    const longer = new Uint8Array(b.length + 1);
    longer.set(b);
    expect(problem(longer)).toBe(`corrupted .roi file: ${b.length + 1} bytes, header says ${b.length}`);
  });

  it('CRC mismatch reports both checksums as 8 hex digits', () => {
    const b = base();
    b[72] ^= 0x04; // value 10 → 14
    const stored = new DataView(b.buffer).getUint32(b.length - 4, true);
    const actual = zlib.crc32(b.subarray(0, b.length - 4));
    const hex = (n: number) => '0x' + n.toString(16).padStart(8, '0');
    expect(problem(b)).toBe(`corrupted .roi file: CRC-32 mismatch (stored ${hex(stored)}, computed ${hex(actual)})`);
    // a stored CRC with leading zero digits is padded: force it to 0x0000abcd
    const c = base();
    new DataView(c.buffer).setUint32(c.length - 4, 0xabcd, true);
    expect(problem(c)).toMatch(/^corrupted \.roi file: CRC-32 mismatch \(stored 0x0000abcd, computed 0x[0-9a-f]{8}\)$/);
  });

  it('row index: must start at 0, never decrease, never pass the run count, end at the run count', () => {
    expect(problem(resigned(base(), (v) => v.setUint32(40, 1, true)))).toBe('corrupted .roi row index: does not start at 0');
    // [0, 2, 1]: row 1 runs from 2 back to 1
    expect(problem(resigned(base(), (v) => (v.setUint32(44, 2, true), v.setUint32(48, 1, true))))).toBe('corrupted .roi row index at row 1');
    // [0, 1, 3]: row 1 ends past the 2 runs
    expect(problem(resigned(base(), (v) => v.setUint32(48, 3, true)))).toBe('corrupted .roi row index at row 1');
    // [0, 0, 2] is consistent: both runs belong to row 1 → mask row 1 = 1 1 1 (runs (0,2) and (2,1) touch)
    const moved = decodeRoiFrame(resigned(base(), (v) => v.setUint32(44, 0, true)), 'm.roi');
    expect(Array.from(moved.mask)).toEqual([0, 0, 0, 1, 1, 1]);
    expect(Array.from(moved.values)).toEqual([0, 0, 0, 10, 11, 15]);
  });

  it('runs: non-empty, sorted and disjoint (touching is fine), inside the row, within the value count', () => {
    expect(problem(resigned(base(), (v) => v.setUint32(64, 0, true)))).toBe('corrupted .roi run 1 (row 1, x 2, length 0)');
    // 5×1, mask 1 1 0 1 0 → runs (0,2) (3,1) at 48, 56
    const row = () => encodeRoiFrame(Uint8Array.of(1, 2, 3, 4, 5), 5, 1, Uint8Array.of(1, 1, 0, 1, 0));
    expect(problem(resigned(row(), (v) => v.setUint32(56, 1, true)))).toBe('corrupted .roi run 1 (row 0, x 1, length 1)');
    // run 1 moved to x 2: touches run 0, still disjoint → mask 1 1 1 0 0, values in run order
    const touching = decodeRoiFrame(resigned(row(), (v) => v.setUint32(56, 2, true)), 't.roi');
    expect(Array.from(touching.mask)).toEqual([1, 1, 1, 0, 0]);
    expect(Array.from(touching.values)).toEqual([1, 2, 4, 0, 0]);
    // run 1 at x 4 still fits the 5-pixel row; at x 5 it does not
    expect(Array.from(decodeRoiFrame(resigned(row(), (v) => v.setUint32(56, 4, true)), 'e.roi').mask)).toEqual([1, 1, 0, 0, 1]);
    expect(problem(resigned(row(), (v) => v.setUint32(56, 5, true)))).toBe('corrupted .roi run 1 (row 0, x 5, length 1)');
    // value count 3 → 2 with the JSON section 2 bytes longer (same total): run 1 would read a 3rd value
    const fewer = resigned(base(), (v) => (v.setUint32(28, 2, true), v.setUint32(32, v.getUint32(32, true) + 2, true)));
    expect(problem(fewer)).toBe('corrupted .roi run 1 (row 1, x 2, length 1)');
    // value count 3 → 4, JSON 2 bytes shorter: the runs cover 3
    const more = resigned(base(), (v) => (v.setUint32(28, 4, true), v.setUint32(32, v.getUint32(32, true) - 2, true)));
    expect(problem(more)).toBe('corrupted .roi file: runs cover 3 pixels, header says 4');
  });

  it('JSON section: valid UTF-8 JSON with a "rois" array of the header\'s length and a "meta" object', () => {
    expect(decodeRoiFrame(withJson('{"rois":[],"meta":{}}'), 'ok.roi').meta).toEqual({});
    expect(problem(withJson(Uint8Array.of(0x7b, 0xff, 0x7d)))).toMatch(/^corrupted \.roi JSON section \(.+\)$/);
    expect(problem(withJson('{"rois":'))).toMatch(/^corrupted \.roi JSON section \(.*JSON.*\)$/);
    for (const text of ['null', '3', '{"meta":{}}', '{"rois":{},"meta":{}}']) {
      expect(problem(withJson(text))).toBe('corrupted .roi JSON section: no "rois" array');
    }
    expect(problem(withJson('{"rois":[{}],"meta":{}}', 2))).toBe('corrupted .roi file: 1 ROIs in the JSON section, header says 2');
    expect(problem(withJson('{"rois":[],"meta":{}}', 1))).toBe('corrupted .roi file: 0 ROIs in the JSON section, header says 1');
    for (const text of ['{"rois":[]}', '{"rois":[],"meta":null}', '{"rois":[],"meta":[]}', '{"rois":[],"meta":"x"}']) {
      expect(problem(withJson(text))).toBe('corrupted .roi JSON section: "meta" is not an object');
    }
  });
});

describe('swapBytes (the big-endian path, never taken on this host)', () => {
  it('reverses each element of 2, 4 and 8 bytes in place, from the offset on, and leaves 1-byte data alone', () => {
    const b = Uint8Array.from({ length: 20 }, (_, i) => i);
    swapBytes(b, 2, 3, 2);
    expect(Array.from(b.subarray(0, 10))).toEqual([0, 1, 3, 2, 5, 4, 7, 6, 8, 9]);
    const c = Uint8Array.from({ length: 20 }, (_, i) => i);
    swapBytes(c, 1, 2, 4);
    expect(Array.from(c.subarray(0, 11))).toEqual([0, 4, 3, 2, 1, 8, 7, 6, 5, 9, 10]);
    const d = Uint8Array.from({ length: 20 }, (_, i) => i);
    swapBytes(d, 4, 2, 8);
    expect(Array.from(d)).toEqual([0, 1, 2, 3, 11, 10, 9, 8, 7, 6, 5, 4, 19, 18, 17, 16, 15, 14, 13, 12]);
    const e = Uint8Array.of(1, 2, 3);
    swapBytes(e, 0, 3, 1);
    expect(Array.from(e)).toEqual([1, 2, 3]);
    // a float64 written big-endian reads back after the swap
    const be = new Uint8Array(8);
    new DataView(be.buffer).setFloat64(0, Math.PI, false);
    swapBytes(be, 0, 1, 8);
    expect(new Float64Array(be.buffer)[0]).toBe(Math.PI);
  });
});
