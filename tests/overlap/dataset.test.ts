/**
 * Overlap-separation dataset: percentile, truth cut, guarded scale, valid box, the scaling and its
 * inverse, and the Feather files (our own round trip, and MIGDAL_simulator-like camera columns).
 * Images are tiny (a few px) except where the 1%-coverage rule needs the real 288×512 frame.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CompressionType,
  compressionRegistry,
  Field,
  Float64,
  Int64,
  List,
  RecordBatchFileWriter,
  Table,
  Uint16,
  tableToIPC,
  vectorFromArray,
  type DataType,
} from 'apache-arrow';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import {
  boundingBox,
  cutTruth,
  DEFAULT_PREPARE,
  invertScaling,
  percentile,
  prepareSample,
  scaledChannels,
  scaleFactors,
  type OverlapSample,
  type SampleFacts,
} from '../../src/overlap/dataset.js';
import { readMigdalFeather, writeMigdalFeather } from '../../src/io/feather.js';
import { lz4FrameDecode } from '../../src/io/lz4.js';
import { expectClose } from '../helpers/close.js';

const scratch = mkdtempSync(join(tmpdir(), 'tpcvision-overlap-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const facts = (id: string, kind: 'hybrid' | 'nr-only' = 'hybrid'): SampleFacts => ({
  id,
  kind,
  erEnergyKeV: kind === 'hybrid' ? 5 : 0,
  nrEnergyKeV: 120,
  nrVisibleKeV: 70,
  nrSpecies: 'f',
  vertexX: 3.5,
  vertexY: 2.25,
  erDirX: 0.6,
  erDirY: -0.8,
});

describe('percentile and truth cut', () => {
  it('matches numpy-style linear interpolation', () => {
    expect(percentile([1, 2, 3, 4], 50)).toBe(2.5); // position 1.5 → between 2 and 3
    expect(percentile([10, 0, 5], 99)).toBeCloseTo(9.9, 12); // sorted 0,5,10; position 1.98 → 5 + 0.98·5
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -50, max: 50 }), { minLength: 1, maxLength: 60 }), fc.integer({ min: 0, max: 100 }), (xs, p) => {
        const s = [...xs].sort((a, b) => a - b);
        const pos = (p / 100) * (s.length - 1);
        const lo = Math.floor(pos);
        const ref = s[lo] + (pos - lo) * (s[Math.min(lo + 1, s.length - 1)] - s[lo]);
        expect(percentile(xs, p)).toBeCloseTo(ref, 9);
      }),
      { numRuns: 200 },
    );
  });

  it('sets truth pixels at or below 1 ADU to zero', () => {
    expect(Array.from(cutTruth(Float32Array.from([0.5, 1, 1.5, -3, 40]), 1))).toEqual([0, 0, 1.5, 0, 40]);
  });
});

describe('scaling', () => {
  it('works out by hand: s = floor 10 ADU, 90 ADU → log10(10) = 1, 990 ADU → log10(100) = 2', () => {
    // 200 pixels, two lit: p99 sits at position 0.99·199 = 197.01 of the sorted input, between the
    // last 0 and the 90 → 0.9 ADU, below the 10-ADU floor, so s = 10
    const n = 200;
    const er = new Float32Array(n);
    const nr = new Float32Array(n);
    er[5] = 90;
    nr[6] = 990;
    const input = Float32Array.from(er, (v, i) => v + nr[i]);
    input[7] = -5; // negative noise is clamped to 0 before the log
    const s = prepareSample(facts('hand'), 20, 10, { input, er, nr });
    expect(s.factors).toEqual({ s: 10, inputMax: 2, targetMax: 2 });
    const scaled = scaledChannels(s);
    expect([scaled.er[5], scaled.nr[6], scaled.input[6], scaled.input[7]]).toEqual([0.5, 1, 1, 0]);
  });

  it('guards s for tiny events: floor (default) or the event pixels, never ~0', () => {
    const w = 512;
    const h = 288;
    const tiny = new Float32Array(w * h);
    for (let i = 0; i < 10; i++) tiny[1000 + i] = 500; // 10 px ≪ 1% of the frame: p99 of the frame is 0
    const zero = new Float32Array(w * h);
    expect(scaleFactors(tiny, tiny, zero).s).toBe(DEFAULT_PREPARE.sFloorAdu);
    expect(scaleFactors(tiny, tiny, zero, { ...DEFAULT_PREPARE, guard: 'event' }).s).toBe(500);
    expect(scaleFactors(zero, zero, zero).s).toBe(DEFAULT_PREPARE.sFloorAdu); // nothing at all: still > 0
    const wide = new Float32Array(w * h);
    for (let i = 0; i < 3000; i++) wide[i] = 500; // 2% coverage: the frame's p99 is an event pixel
    expect(scaleFactors(wide, wide, zero).s).toBe(500);
    expect(scaleFactors(wide, wide, zero, { ...DEFAULT_PREPARE, guard: 'event' }).s).toBe(500);
  });

  it('round trip: scaled targets and input invert to the raw ADU', () => {
    const w = 7;
    const h = 5;
    const er = new Float32Array(w * h);
    const nr = new Float32Array(w * h);
    const input = new Float32Array(w * h);
    for (let i = 0; i < w * h; i++) {
      er[i] = i % 3 === 0 ? 2 + i * 3.7 : 0;
      nr[i] = i % 4 === 0 ? 1000 * i : 0.5; // 0.5 is cut to 0
      input[i] = er[i] + nr[i] + (i % 5) - 2;
    }
    const s = prepareSample(facts('rt'), w, h, { input, er, nr });
    const scaled = scaledChannels(s);
    expect(Math.max(...scaled.er, ...scaled.nr)).toBeCloseTo(1, 12); // targets share one maximum
    expect(Math.max(...scaled.input)).toBeCloseTo(1, 12);
    expectClose(invertScaling(scaled.er, s.factors), s.er, 1e-3, 1e-5);
    expectClose(invertScaling(scaled.nr, s.factors), s.nr, 1e-3, 1e-5);
    expectClose(invertScaling(scaled.input, s.factors, 'input'), input.map((v) => Math.max(v, 0)), 1e-3, 1e-5);
    expect(s.nr.filter((v) => v === 0.5).length).toBe(0);
  });

  it('valid box = padded bounding box of the event pixels, clipped; the whole image when empty', () => {
    const m = new Uint8Array(10 * 6);
    m[2 * 10 + 3] = 1;
    m[4 * 10 + 8] = 1;
    expect(boundingBox(m, 10, 6, 0)).toEqual({ x0: 3, y0: 2, x1: 9, y1: 5 });
    expect(boundingBox(m, 10, 6, 2)).toEqual({ x0: 1, y0: 0, x1: 10, y1: 6 });
    expect(boundingBox(new Uint8Array(60), 10, 6, 2)).toEqual({ x0: 0, y0: 0, x1: 10, y1: 6 });
  });
});

describe('Feather', () => {
  it('write → read gives the samples back (input zero-suppressed outside the valid box)', () => {
    const w = 16;
    const h = 12;
    const mk = (id: string, kind: 'hybrid' | 'nr-only'): OverlapSample => {
      const er = new Float32Array(w * h);
      const nr = new Float32Array(w * h);
      const input = new Float32Array(w * h);
      for (let i = 0; i < w * h; i++) input[i] = ((i * 7) % 11) - 5; // noise −5…5 ADU
      input[0] = 300; // hot pixel outside the box: kept
      for (const [x, y, v] of [[6, 5, 40.25], [7, 5, 900], [7, 6, 1234.5]] as const) {
        nr[y * w + x] = v;
        if (kind === 'hybrid' && x === 6) er[y * w + x] = 17.5;
      }
      for (let i = 0; i < w * h; i++) input[i] += er[i] + nr[i];
      return prepareSample(facts(id, kind), w, h, { input, er, nr }, { padPx: 1 });
    };
    const samples = [mk('a', 'hybrid'), mk('b', 'nr-only')];
    const path = join(scratch, 'own.feather');
    writeMigdalFeather(path, samples, { provenance: { seed: 3 } });
    const back = readMigdalFeather(path);
    expect(back.source).toBe('tpcvision');
    expect(back.provenance).toEqual({ seed: 3 });
    expect(back.samples.length).toBe(2);
    for (let k = 0; k < 2; k++) {
      const a = samples[k];
      const b = back.samples[k];
      const { input: ai, er: ae, nr: an, ...aRest } = a;
      const { input: bi, er: be, nr: bn, ...bRest } = b;
      expect(bRest).toEqual(aRest);
      expect(Array.from(be)).toEqual(Array.from(ae));
      expect(Array.from(bn)).toEqual(Array.from(an));
      for (let i = 0; i < w * h; i++) {
        const x = i % w;
        const y = Math.floor(i / w);
        const inside = x >= a.valid.x0 && x < a.valid.x1 && y >= a.valid.y0 && y < a.valid.y1;
        expect(bi[i]).toBe(inside || ai[i] > 10 ? ai[i] : 0);
      }
      expect(bi[0]).toBe(300);
    }
  });

  const list = (t: DataType, rows: number[][]) =>
    vectorFromArray(
      rows.map((r) => (t instanceof Int64 ? BigInt64Array.from(r.map(BigInt)) : t instanceof Uint16 ? Uint16Array.from(r) : Float64Array.from(r))),
      new List(new Field('item', t, true)),
    );

  it('reads MIGDAL_simulator camera columns: 4×4 binning, ER = q·f, NR = q·(1 − f)', () => {
    // camera grid 32×16 → analysis grid 8×4; row 0 hybrid, row 1 without ER share
    const table = new Table({
      xcam: list(new Int64(), [[0, 1, 5, 30], [12]]),
      ycam: list(new Int64(), [[0, 3, 2, 15], [6]]),
      qcam: list(new Uint16(), [[100, 60, 40, 1], [80]]),
      ER_frac_cam: list(new Float64(), [[0.25, 1, 0, 0.5], [0]]),
      ER_truthE: vectorFromArray([5.5, 0], new Float64()),
      NR_truthE: vectorFromArray([150, 90], new Float64()),
      NR_ionizationE: vectorFromArray([80, 50], new Float64()),
    });
    const path = join(scratch, 'sim.feather');
    writeFileSync(path, tableToIPC(table, 'file'));
    const { source, samples } = readMigdalFeather(path, { width: 8, height: 4 });
    expect(source).toBe('migdal-simulator');
    const [a, b] = samples;
    // (0,0) and (1,3) fall in binned pixel (0,0): ER = 100·0.25 + 60·1 = 85, NR = 75
    // (5,2) → (1,0): ER 0, NR 40; (30,15) → (7,3): ER 0.5 and NR 0.5, both cut (≤ 1 ADU)
    expect([a.er[0], a.nr[0], a.er[1], a.nr[1], a.er[3 * 8 + 7], a.nr[3 * 8 + 7]]).toEqual([85, 75, 0, 40, 0, 0]);
    expect(Array.from(a.input)).toEqual(Array.from(a.er).map((v, i) => v + a.nr[i]));
    expect([a.kind, a.erEnergyKeV, a.nrEnergyKeV, a.nrVisibleKeV]).toEqual(['hybrid', 5.5, 150, 80]);
    expect(a.valid).toEqual({ x0: 0, y0: 0, x1: 5, y1: 4 }); // pixels (0,0),(1,0): [0, 2)×[0, 1) padded by 3, clipped to 8×4
    expect(b.kind).toBe('nr-only'); // f = 0 everywhere
    expect(b.nr[1 * 8 + 3]).toBe(80);
  });

  it('reads the assumed already-binned schema (x, y, q, er_fraction) and names missing columns', () => {
    const table = new Table({
      x: list(new Int64(), [[2]]),
      y: list(new Int64(), [[1]]),
      q: list(new Float64(), [[50]]),
      er_fraction: list(new Float64(), [[0.1]]),
    });
    const path = join(scratch, 'assumed.feather');
    writeFileSync(path, tableToIPC(table, 'file'));
    const [s] = readMigdalFeather(path, { width: 4, height: 4 }).samples;
    expect([s.er[4 + 2], s.nr[4 + 2]]).toEqual([Math.fround(5), 45]);
    expect(s.kind).toBe('hybrid');
    const broken = join(scratch, 'broken.feather');
    writeFileSync(broken, tableToIPC(new Table({ xcam: list(new Int64(), [[1]]), ycam: list(new Int64(), [[1]]) }), 'file'));
    expect(() => readMigdalFeather(broken)).toThrow(InputError);
    expect(() => readMigdalFeather(broken)).toThrow(/broken\.feather: missing column 'qcam'/);
    writeFileSync(join(scratch, 'junk.feather'), 'not arrow');
    expect(() => readMigdalFeather(join(scratch, 'junk.feather'))).toThrow(/junk\.feather: not a Feather/);
  });

  it('decodes LZ4 frames: a hand-made block with an overlapping match, and a stored block', () => {
    // token 0x35: 3 literals 'abc', match offset 3 length 5 + 4 = 9 (overlapping copy) → 'abcabcabcabc';
    // token 0x10: 1 literal 'x'. Frame: magic, FLG 0x60 (v1, independent blocks), BD 0x40, HC.
    const block = [0x35, 97, 98, 99, 3, 0, 0x10, 120];
    const frame = Uint8Array.from([4, 34, 77, 24, 0x60, 0x40, 0x82, block.length, 0, 0, 0, ...block, 0, 0, 0, 0]);
    expect(new TextDecoder().decode(lz4FrameDecode(frame))).toBe('abcabcabcabcx');
    const stored = Uint8Array.from([4, 34, 77, 24, 0x60, 0x40, 0x82, 2, 0, 0, 0x80, 7, 9, 0, 0, 0, 0]);
    expect(Array.from(lz4FrameDecode(stored))).toEqual([7, 9]);
    expect(() => lz4FrameDecode(Uint8Array.from([1, 2, 3, 4, 5]))).toThrow(/magic/);
  });

  it('reads an LZ4-compressed Feather (pandas default) like the uncompressed one', () => {
    compressionRegistry.set(CompressionType.LZ4_FRAME, { encode: lz4FrameEncode, decode: lz4FrameDecode });
    const table = new Table({
      xcam: list(new Int64(), [Array.from({ length: 300 }, (_, i) => i % 32), [3]]),
      ycam: list(new Int64(), [Array.from({ length: 300 }, (_, i) => i % 16), [4]]),
      qcam: list(new Uint16(), [Array.from({ length: 300 }, (_, i) => 10 + (i % 7)), [50]]),
      ER_frac_cam: list(new Float64(), [Array.from({ length: 300 }, (_, i) => (i % 3) / 4), [0]]),
    });
    const writer = new RecordBatchFileWriter({ compressionType: CompressionType.LZ4_FRAME });
    writer.write(table);
    writer.finish();
    const packed = join(scratch, 'lz4.feather');
    const plain = join(scratch, 'plain.feather');
    writeFileSync(packed, writer.toUint8Array(true));
    writeFileSync(plain, tableToIPC(table, 'file'));
    const a = readMigdalFeather(packed, { width: 8, height: 4 }).samples;
    const b = readMigdalFeather(plain, { width: 8, height: 4 }).samples;
    expect(a.map((s) => Array.from(s.er))).toEqual(b.map((s) => Array.from(s.er)));
    expect(a.map((s) => Array.from(s.nr))).toEqual(b.map((s) => Array.from(s.nr)));
    expect(a[0].er.some((v) => v > 0)).toBe(true);
    expect(statSync(packed).size).toBeLessThan(statSync(plain).size); // really compressed, with matches
  });
});

/** A small greedy LZ4 frame encoder for the test (real matches, so the decoder's copy paths run). */
function lz4FrameEncode(src: Uint8Array): Uint8Array {
  const out: number[] = [4, 34, 77, 24, 0x60, 0x70, 0];
  const blk: number[] = [];
  const lengthBytes = (n: number) => {
    for (; n >= 255; n -= 255) blk.push(255);
    blk.push(n);
  };
  const emit = (from: number, to: number, offset: number, len: number) => {
    const lit = to - from;
    blk.push((Math.min(lit, 15) << 4) | (offset ? Math.min(len - 4, 15) : 0));
    if (lit >= 15) lengthBytes(lit - 15);
    for (let k = from; k < to; k++) blk.push(src[k]);
    if (!offset) return;
    blk.push(offset & 255, offset >> 8);
    if (len - 4 >= 15) lengthBytes(len - 4 - 15);
  };
  const seen = new Map<number, number>();
  let anchor = 0;
  let i = 0;
  while (i + 12 <= src.length) {
    const key = src[i] | (src[i + 1] << 8) | (src[i + 2] << 16) | (src[i + 3] << 24);
    const cand = seen.get(key);
    seen.set(key, i);
    if (cand !== undefined && i - cand < 65536) {
      let len = 4;
      while (i + len < src.length - 5 && src[cand + len] === src[i + len]) len++;
      emit(anchor, i, i - cand, len);
      i += len;
      anchor = i;
    } else i++;
  }
  emit(anchor, src.length, 0, 0);
  const n = blk.length;
  out.push(n & 255, (n >> 8) & 255, (n >> 16) & 255, (n >>> 24) & 255, ...blk, 0, 0, 0, 0);
  return Uint8Array.from(out);
}
