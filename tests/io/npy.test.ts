import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { makeFrame } from '../../src/core/frame.js';
import { encodeNpy, parseNpy, readNpy, readNpyFrames, writeNpyArray, writeNpyFrame } from '../../src/io/npy.js';
import { f32Frame, realDataDir, REAL_DATA_MISSING, removeScratch, samePixels, scratchDir, tmpLeftovers, u16Frame, inputError } from './helpers.js';

const dir = scratchDir('npy');
afterAll(() => removeScratch(dir));

/** A .npy file with an arbitrary header dict, for formats our writer never produces. */
function npyWithHeader(dict: string, payload: Uint8Array): Uint8Array {
  let header = dict;
  header += ' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + payload.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(payload, 10 + header.length);
  return out;
}


describe('npy round trip', () => {
  it('2-D uint16 and float32 frames are exact', () => {
    for (const frame of [u16Frame(23, 11, 1), f32Frame(23, 11, 2)]) {
      const path = join(dir, `frame-${frame.data.constructor.name}.npy`);
      writeNpyFrame(path, frame);
      const [back] = readNpyFrames(path);
      expect([back.width, back.height]).toEqual([23, 11]);
      expect(samePixels(back.data, frame.data)).toBe(true);
      expect(back.meta).toMatchObject({ source: path, index: 0 });
    }
  });

  it('3-D stacks (N, H, W) read back as N frames', () => {
    const frames = [u16Frame(6, 4, 3), u16Frame(6, 4, 4), u16Frame(6, 4, 5)];
    const stack = new Uint16Array(3 * 24);
    frames.forEach((f, k) => stack.set(f.data, k * 24));
    const path = join(dir, 'stack.npy');
    writeNpyArray(path, [3, 4, 6], stack);
    const back = readNpyFrames(path);
    expect(back).toHaveLength(3);
    back.forEach((b, k) => {
      expect(samePixels(b.data.slice(), frames[k].data)).toBe(true);
      expect(b.meta.index).toBe(k);
    });
    const floats = new Float32Array(2 * 5 * 3).map((_, i) => i * 0.5 - 7);
    writeNpyArray(join(dir, 'fstack.npy'), [2, 3, 5], floats);
    const fb = readNpyFrames(join(dir, 'fstack.npy'));
    expect(fb.map((f) => [f.width, f.height])).toEqual([[5, 3], [5, 3]]);
    expect(Array.from(fb[1].data)).toEqual(Array.from(floats.subarray(15)));
  });

  it('header is padded so the data start on a 64-byte boundary', () => {
    const bytes = encodeNpy([3, 5], new Uint16Array(15));
    const headerLen = new DataView(bytes.buffer).getUint16(8, true);
    expect((10 + headerLen) % 64).toBe(0);
    expect(bytes[10 + headerLen - 1]).toBe(0x0a);
  });

  it('property: random shapes and values round-trip (2-D and 3-D, uint16 and float32)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 17 }),
        fc.integer({ min: 1, max: 17 }),
        fc.boolean(),
        fc.boolean(),
        fc.integer(),
        (n, h, w, stacked, float, seed) => {
          const frames = Array.from({ length: n }, (_, k) => (float ? f32Frame(w, h, seed + k) : u16Frame(w, h, seed + k)));
          const shape = stacked ? [n, h, w] : [h, w];
          const size = w * h * (stacked ? n : 1);
          const data = float ? new Float32Array(size) : new Uint16Array(size);
          for (let k = 0; k < (stacked ? n : 1); k++) data.set(frames[k].data as never, k * w * h);
          const parsed = parseNpy(encodeNpy(shape, data), 'prop.npy');
          return parsed.shape.join() === shape.join() && samePixels(parsed.data, data);
        },
      ),
      { seed: 42, numRuns: 150 },
    );
  });
});

describe('npy errors name the file', () => {
  it('truncated data (bytes cut off the end)', () => {
    const path = join(dir, 'cut.npy');
    const whole = encodeNpy([4, 4], new Uint16Array(16));
    writeFileSync(path, whole.subarray(0, whole.length - 5));
    const err = inputError(() => readNpyFrames(path));
    expect(err.message).toBe(`${path}: truncated .npy data: shape (4, 4) of uint16 needs 32 bytes, file holds 27`);
  });

  it('truncated header', () => {
    const whole = encodeNpy([4, 4], new Uint16Array(16));
    expect(inputError(() => parseNpy(whole.subarray(0, 40), 'head.npy')).message).toBe('head.npy: truncated .npy header');
  });

  it('not a .npy file', () => {
    expect(inputError(() => parseNpy(new TextEncoder().encode('PK\x03\x04 a zip'), 'x.npz')).message).toMatch(/x\.npz: not a NumPy \.npy file/);
  });

  it('int32 dtype is refused with the list of supported dtypes', () => {
    const bytes = npyWithHeader("{'descr': '<i4', 'fortran_order': False, 'shape': (2, 2), }", new Uint8Array(16));
    expect(inputError(() => parseNpy(bytes, 'ints.npy')).message).toBe(
      "ints.npy: unsupported dtype '<i4' (supported: uint8, uint16, float32, float64, little-endian)",
    );
  });

  it('big-endian uint16 is refused', () => {
    const bytes = npyWithHeader("{'descr': '>u2', 'fortran_order': False, 'shape': (2, 2), }", new Uint8Array(8));
    expect(inputError(() => parseNpy(bytes, 'be.npy')).message).toMatch(/be\.npy: unsupported dtype '>u2'/);
  });

  it('Fortran order is refused', () => {
    const bytes = npyWithHeader("{'descr': '<u2', 'fortran_order': True, 'shape': (2, 2), }", new Uint8Array(8));
    expect(inputError(() => parseNpy(bytes, 'f.npy')).message).toMatch(/f\.npy: Fortran-ordered arrays are not supported/);
  });

  it('a 1-D or 4-D array is not a frame', () => {
    const path = join(dir, 'vector.npy');
    writeNpyArray(path, [5], new Float32Array(5));
    expect(inputError(() => readNpyFrames(path)).message).toMatch(/expected a 2-D frame \(H, W\) or a stack \(N, H, W\), got shape \(5\)/);
  });

  it('a failed write leaves no temporary file', () => {
    const blocker = join(dir, 'blocker');
    writeFileSync(blocker, 'x');
    expect(() => writeNpyFrame(join(blocker, 'a.npy'), u16Frame(2, 2, 1))).toThrow();
    expect(tmpLeftovers(dir)).toEqual([]);
  });
});

describe('real files (CYGNO superclusters, float64 (N, 3))', () => {
  const real = realDataDir();
  it.skipIf(!real)(real ? 'sclu_1.npy and sclu_2.npy read as (N, 3) float64 pixel lists' : REAL_DATA_MISSING, () => {
    for (const [name, rows] of [['sclu_1.npy', 2796], ['sclu_2.npy', 2451]] as const) {
      const arr = readNpy(join(real as string, name));
      expect(arr.dtype).toBe('float64');
      expect(arr.shape).toEqual([rows, 3]);
      // every row: integer pixel coordinates on a 2304-pixel camera, positive pedestal-subtracted counts
      for (let r = 0; r < rows; r++) {
        const [x, y, counts] = [arr.data[3 * r], arr.data[3 * r + 1], arr.data[3 * r + 2]];
        expect(Number.isInteger(x) && x >= 0 && x < 2304).toBe(true);
        expect(Number.isInteger(y) && y >= 0 && y < 2304).toBe(true);
        expect(counts > 0 && counts < 1000).toBe(true);
      }
    }
    // first row of sclu_1, decoded independently with Python's struct.unpack('<3d') at byte 128
    const first = readNpy(join(real as string, 'sclu_1.npy')).data;
    expect([first[0], first[1]]).toEqual([220, 755]);
    expect(first[2]).toBeCloseTo(14.473282613147301, 12);
    // the file in place is unchanged by reading (read-only source)
    expect(readFileSync(join(real as string, 'sclu_1.npy')).length).toBe(67232);
  });
});

describe('frame helper sanity', () => {
  it('makeFrame refuses data of the wrong length (used by every reader)', () => {
    expect(() => makeFrame(3, 3, new Uint16Array(8))).toThrow(/8 pixels, expected 3×3 = 9/);
  });
});
