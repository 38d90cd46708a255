/**
 * Overlap-separation datasets as Feather files: our own round trip, MIGDAL_simulator-like camera
 * columns, the assumed already-binned schema, and LZ4-compressed files.
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
import { afterAll, describe, expect, it } from 'vitest';
import { MIGDAL_GRID } from '../../src/config/migdal-grid.js';
import { PREPARATION_DEFAULTS } from '../../src/config/overlap-sample.js';
import { InputError } from '../../src/core/errors.js';
import { prepareSample, type OverlapSample } from '../../src/core/overlap-sample.js';
import { readMigdalFeather, writeMigdalFeather } from '../../src/io/feather.js';
import { lz4FrameDecode } from '../../src/io/lz4.js';
import { sampleFacts as facts } from '../helpers/sample-facts.js';

const scratch = mkdtempSync(join(tmpdir(), 'tpcvision-overlap-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

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
      return prepareSample(facts(id, kind), w, h, { input, er, nr }, { ...PREPARATION_DEFAULTS, padPx: 1 });
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

  it('bins camera columns onto the default MIGDAL grid: 2048×1152 camera px → 512×288, 4 per side', () => {
    const table = new Table({
      xcam: list(new Int64(), [[0, 3, 4, 2047]]),
      ycam: list(new Int64(), [[0, 3, 0, 1151]]),
      qcam: list(new Uint16(), [[10, 20, 30, 40]]),
    });
    const path = join(scratch, 'grid.feather');
    writeFileSync(path, tableToIPC(table, 'file'));
    const [s] = readMigdalFeather(path).samples;
    expect([s.width, s.height]).toEqual([MIGDAL_GRID.width, MIGDAL_GRID.height]);
    expect([MIGDAL_GRID.width, MIGDAL_GRID.height, MIGDAL_GRID.cameraBinning]).toEqual([512, 288, 4]);
    // (0,0) and (3,3) share analysis pixel (0,0); (4,0) → (1,0); the last camera pixel → (511, 287)
    expect([s.nr[0], s.nr[1], s.nr[287 * 512 + 511]]).toEqual([30, 30, 40]);
    expect(s.nr.reduce((a, v) => a + v, 0)).toBe(100);
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
