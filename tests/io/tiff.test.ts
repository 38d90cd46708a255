import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { fromArrayBuffer } from 'geotiff';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { makeFrame, type Frame } from '../../src/core/frame.js';
import {
  encodeTiff,
  parseTiff,
  readTiffFrames,
  readTiffInfo,
  TiffReader,
  writeTiffFrames,
} from '../../src/io/tiff.js';
import { f32Frame, removeScratch, samePixels, scratchDir, tmpLeftovers, u16Frame, inputError } from './helpers.js';
import { fixtureFrames, LIBTIFF_FIXTURES } from './tiff-fixtures.js';

const dir = scratchDir('tiff');
afterAll(() => removeScratch(dir));

/** Set an inline SHORT/LONG tag of the first IFD of a file written by encodeTiff (little-endian). */
function patchTag(bytes: Uint8Array, tag: number, value: number): Uint8Array {
  const out = bytes.slice();
  const v = new DataView(out.buffer);
  const ifd = v.getUint32(4, true);
  const n = v.getUint16(ifd, true);
  for (let e = 0; e < n; e++) {
    const o = ifd + 2 + 12 * e;
    if (v.getUint16(o, true) !== tag) continue;
    if (v.getUint16(o + 2, true) === 3) v.setUint16(o + 8, value, true);
    else v.setUint32(o + 8, value, true);
    return out;
  }
  throw new Error(`tag ${tag} not in the file`);
}


describe('TIFF round trip (own writer → own reader)', () => {
  it('single-page uint16 is exact', () => {
    const frame = u16Frame(31, 17, 1);
    const path = join(dir, 'one.tif');
    writeTiffFrames(path, [frame]);
    const [back] = readTiffFrames(path);
    expect([back.width, back.height]).toEqual([31, 17]);
    expect(samePixels(back.data, frame.data)).toBe(true);
    expect(back.meta).toMatchObject({ source: path, index: 0 });
  });

  it('multi-page uint16 and float32 stacks are exact, page order kept', () => {
    const pages = [u16Frame(20, 12, 2), u16Frame(20, 12, 3), u16Frame(20, 12, 4)];
    const path = join(dir, 'stack.tif');
    writeTiffFrames(path, pages);
    const back = readTiffFrames(path);
    expect(back).toHaveLength(3);
    back.forEach((b, k) => {
      expect(samePixels(b.data, pages[k].data)).toBe(true);
      expect(b.meta.index).toBe(k);
    });

    const floats = [f32Frame(9, 11, 5), f32Frame(9, 11, 6)];
    floats[1].data[3] = -0;
    floats[1].data[4] = 1.4e-45; // smallest subnormal
    floats[1].data[5] = 3.4028234663852886e38;
    writeTiffFrames(join(dir, 'floats.tif'), floats);
    const fb = readTiffFrames(join(dir, 'floats.tif'));
    fb.forEach((b, k) => expect(samePixels(b.data, floats[k].data)).toBe(true));
  });

  it('uint8, float64 and pages of different sizes in one file', () => {
    const pages: Frame[] = [
      makeFrame(3, 2, new Uint8Array([0, 1, 2, 253, 254, 255])), // 6 bytes: odd-size padding not needed
      makeFrame(3, 1, new Uint8Array([7, 8, 9])), // 3 bytes: the next IFD must be re-aligned to an even offset
      makeFrame(2, 2, new Float64Array([Math.PI, -1e300, 5e-324, 0])),
      u16Frame(5, 4, 7),
    ];
    const back = parseTiff(encodeTiff(pages), 'mixed.tif');
    expect(back.map((f) => [f.width, f.height])).toEqual([[3, 2], [3, 1], [2, 2], [5, 4]]);
    back.forEach((b, k) => expect(samePixels(b.data, pages[k].data)).toBe(true));
  });

  it('keeps a string meta.description as ImageDescription', () => {
    const frame = makeFrame(2, 2, new Uint16Array([1, 2, 3, 4]), { description: 'run 41525 pic 399' });
    const [back] = parseTiff(encodeTiff([frame]), 'desc.tif');
    expect(back.meta.description).toBe('run 41525 pic 399');
  });

  it('a camera-size multi-page file reads page by page', () => {
    // 3 pages of MIGDAL size (2048×1152 uint16), about 14 MB
    const pages = [0, 1, 2].map((k) => u16Frame(2048, 1152, 100 + k));
    const path = join(dir, 'migdal.tif');
    writeTiffFrames(path, pages);
    const info = readTiffInfo(path);
    expect(info).toHaveLength(3);
    expect(info[0]).toMatchObject({ width: 2048, height: 1152, dtype: 'uint16', compression: 'none' });
    const reader = TiffReader.open(path);
    try {
      expect(reader.pageCount).toBe(3);
      const second = reader.readPage(2);
      expect(samePixels(second.data, pages[2].data)).toBe(true);
    } finally {
      reader.close();
    }
  });

  it('property: any stack of uint16 or float32 pages round-trips bit for bit', () => {
    const page = fc.record({ w: fc.integer({ min: 1, max: 24 }), h: fc.integer({ min: 1, max: 24 }), float: fc.boolean() });
    fc.assert(
      fc.property(fc.array(page, { minLength: 1, maxLength: 4 }), fc.integer(), (shapes, seed) => {
        const frames = shapes.map((s, k) => (s.float ? f32Frame(s.w, s.h, seed + k) : u16Frame(s.w, s.h, seed + k)));
        const back = parseTiff(encodeTiff(frames), 'prop.tif');
        return back.length === frames.length && back.every((b, k) => b.width === frames[k].width && samePixels(b.data, frames[k].data));
      }),
      { seed: 20240611, numRuns: 150 },
    );
  });

  it('property: arbitrary float32 bit patterns survive (NaN payloads aside)', () => {
    fc.assert(
      fc.property(fc.array(fc.float(), { minLength: 1, maxLength: 64 }), (values) => {
        const data = Float32Array.from(values);
        const [back] = parseTiff(encodeTiff([makeFrame(data.length, 1, data)]), 'floats.tif');
        return samePixels(back.data, data);
      }),
      { seed: 7, numRuns: 200 },
    );
  });
});

describe('TIFF written here, read by an independent reader (geotiff)', () => {
  it('multi-page uint16 and float32 pages match', async () => {
    const pages: Frame[] = [u16Frame(13, 7, 11), f32Frame(13, 7, 12), u16Frame(6, 9, 13)];
    const bytes = encodeTiff(pages);
    const tiff = await fromArrayBuffer(bytes.slice().buffer);
    expect(await tiff.getImageCount()).toBe(3);
    for (let k = 0; k < pages.length; k++) {
      const image = await tiff.getImage(k);
      expect([image.getWidth(), image.getHeight()]).toEqual([pages[k].width, pages[k].height]);
      const [band] = (await image.readRasters()) as unknown as ArrayLike<number>[];
      expect(samePixels(band, pages[k].data)).toBe(true);
    }
  });
});

describe('TIFF files written by libtiff', () => {
  for (const [name, fixture] of Object.entries(LIBTIFF_FIXTURES)) {
    it(`${name}: ${fixture.made}`, () => {
      const want = fixtureFrames(fixture.values);
      const got = parseTiff(fixture.bytes, `${name}.tif`);
      expect(got).toHaveLength(want.length);
      got.forEach((g, k) => {
        expect([g.width, g.height]).toEqual([want[k].width, want[k].height]);
        expect(samePixels(g.data, want[k].data)).toBe(true);
      });
    });
  }
});

describe('TIFF errors name the file and the problem', () => {
  const good = encodeTiff([u16Frame(8, 6, 21), u16Frame(8, 6, 22)]);

  it('not a TIFF', () => {
    const path = join(dir, 'not-a.tif');
    writeFileSync(path, 'P5\n8 6\n65535\n');
    const err = inputError(() => readTiffFrames(path));
    expect(err.message).toContain(path);
    expect(err.message).toMatch(/not a TIFF/);
  });

  it('missing file', () => {
    const err = inputError(() => readTiffFrames(join(dir, 'nope.tif')));
    expect(err.message).toMatch(/nope\.tif: cannot read/);
  });

  it('truncated file: pixel data cut off', () => {
    // the writer puts the last page's pixels, then its IFD, at the end: cut inside the first page's data
    const path = join(dir, 'cut.tif');
    writeFileSync(path, good.subarray(0, 40));
    const err = inputError(() => readTiffFrames(path));
    expect(err.message).toContain(path);
    expect(err.message).toMatch(/truncated/);
  });

  it('truncated file: strip offsets beyond the end', () => {
    // keep the directory but point page 0's strip past the end of the file
    const path = join(dir, 'offset.tif');
    writeFileSync(path, patchTag(good, 273, good.length + 1000));
    const err = inputError(() => readTiffFrames(path));
    expect(err.message).toMatch(/offset\.tif: truncated file: page 0, strip 0 at bytes \d+\.\.\d+ lies beyond the end/);
  });

  it('truncated after the header', () => {
    const err = inputError(() => parseTiff(good.subarray(0, 8), 'head.tif'));
    expect(err.message).toMatch(/head\.tif: truncated file: page 0 directory/);
  });

  it('RGB image', () => {
    const rgb = patchTag(patchTag(good, 262, 2), 277, 3);
    expect(inputError(() => parseTiff(rgb, 'colour.tif')).message).toMatch(/colour\.tif: page 0: RGB\/colour image \(3 samples per pixel\)/);
  });

  it('palette image and gray + alpha', () => {
    expect(inputError(() => parseTiff(patchTag(good, 262, 3), 'pal.tif')).message).toMatch(/palette/);
    expect(inputError(() => parseTiff(patchTag(good, 277, 2), 'ga.tif')).message).toMatch(/2 samples per pixel/);
  });

  it('unsupported sample formats and bit depths', () => {
    expect(inputError(() => parseTiff(patchTag(good, 339, 2), 's.tif')).message).toMatch(
      /s\.tif: page 0: 16-bit signed integer samples are not supported \(supported: 8\/16-bit unsigned, 32\/64-bit float\)/,
    );
    expect(inputError(() => parseTiff(patchTag(good, 258, 12), 'b12.tif')).message).toMatch(/12-bit unsigned integer/);
    expect(inputError(() => parseTiff(patchTag(good, 339, 3), 'f16.tif')).message).toMatch(/16-bit float/);
  });

  it('unsupported compression', () => {
    expect(inputError(() => parseTiff(patchTag(good, 259, 7), 'jpeg.tif')).message).toMatch(
      /jpeg\.tif: page 0: compression 7 is not supported \(supported: none, LZW, Deflate, PackBits\)/,
    );
  });

  it('corrupt compressed data', () => {
    // claim Deflate for data that is not a zlib stream
    expect(inputError(() => parseTiff(patchTag(good, 259, 8), 'z.tif')).message).toMatch(/z\.tif: page 0, strip 0: Deflate data cannot be decoded/);
  });

  it('compressed data cut short', () => {
    // libtiff's one-strip LZW file with its strip byte count halved: the codes run out early
    const { bytes } = LIBTIFF_FIXTURES.lzwLongStrip;
    const v = new DataView(bytes.buffer, bytes.byteOffset);
    const ifd = v.getUint32(4, true);
    let count = 0;
    for (let e = 0; e < v.getUint16(ifd, true); e++) if (v.getUint16(ifd + 2 + 12 * e, true) === 279) count = v.getUint32(ifd + 10 + 12 * e, true);
    const cut = patchTag(bytes, 279, Math.floor(count / 2));
    expect(inputError(() => parseTiff(cut, 'lzw.tif')).message).toMatch(
      /lzw\.tif: page 0, strip 0 decodes to \d+ bytes, needs 6144 \(corrupt or cut-off data\)/,
    );
  });

  it('an IFD chain that loops', () => {
    const loop = good.slice();
    const v = new DataView(loop.buffer);
    const ifd = v.getUint32(4, true);
    const n = v.getUint16(ifd, true);
    v.setUint32(ifd + 2 + 12 * n, ifd, true); // next-IFD pointer back to itself
    expect(inputError(() => parseTiff(loop, 'loop.tif')).message).toMatch(/loop\.tif: IFD chain loops/);
  });
});

describe('atomic TIFF writes', () => {
  it('a failed write leaves neither the target nor a temporary file', () => {
    // the target is an existing directory: the temporary file is written, the rename fails
    const target = join(dir, 'atomic', 'frames.tif');
    mkdirSync(target, { recursive: true });
    expect(() => writeTiffFrames(target, [u16Frame(4, 4, 1)])).toThrow();
    expect(tmpLeftovers(join(dir, 'atomic'))).toEqual([]);

    // the parent "directory" is a file: nothing can be created
    const blocker = join(dir, 'blocker');
    writeFileSync(blocker, 'x');
    expect(() => writeTiffFrames(join(blocker, 'frames.tif'), [u16Frame(4, 4, 1)])).toThrow();
    expect(tmpLeftovers(dir)).toEqual([]);
  });

  it('a successful write replaces the old file whole', () => {
    const path = join(dir, 'replace.tif');
    writeTiffFrames(path, [u16Frame(4, 4, 1), u16Frame(4, 4, 2)]);
    writeTiffFrames(path, [u16Frame(3, 3, 3)]);
    expect(readTiffFrames(path)).toHaveLength(1);
    expect(readFileSync(path).length).toBe(encodeTiff([u16Frame(3, 3, 3)]).length);
  });
});
