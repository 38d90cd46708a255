import { copyFileSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { makeFrame } from '../../src/core/frame.js';
import {
  detectFormat,
  iterateFrames,
  listFrameFiles,
  scanFrameDirectory,
  readFrames,
  validateFrame,
  writeFrame,
  writeFrames,
} from '../../src/io/frames.js';
import { writeTiffFrames } from '../../src/io/tiff.js';
import { f32Frame, removeScratch, samePixels, scratchDir, tmpLeftovers, u16Frame, inputError } from './helpers.js';

const dir = scratchDir('frames');
afterAll(() => removeScratch(dir));


describe('readFrames dispatch', () => {
  it('reads .npy and .tif by extension and magic', async () => {
    const frame = u16Frame(10, 8, 1);
    writeFrame(join(dir, 'a.npy'), frame);
    writeFrame(join(dir, 'b.tif'), frame);
    writeFrame(join(dir, 'c.tiff'), frame);
    for (const name of ['a.npy', 'b.tif', 'c.tiff']) {
      const [back] = await readFrames(join(dir, name));
      expect(samePixels(back.data, frame.data)).toBe(true);
    }
  });

  it('magic bytes win over a misleading extension', async () => {
    writeFrame(join(dir, 'really-tiff.tif'), u16Frame(4, 3, 2));
    copyFileSync(join(dir, 'really-tiff.tif'), join(dir, 'really-tiff.npy'));
    expect(detectFormat(join(dir, 'really-tiff.npy'))).toBe('tiff');
    const [back] = await readFrames(join(dir, 'really-tiff.npy'));
    expect([back.width, back.height]).toEqual([4, 3]);
  });

  it('an unknown format lists the supported ones', async () => {
    const path = join(dir, 'frame.fits');
    writeFileSync(path, 'SIMPLE  =                    T');
    await expect(readFrames(path)).rejects.toThrow(
      `${path}: unknown frame file format (supported: NumPy .npy, TIFF .tif/.tiff/.MTIFF, ROOT .root (2-D histograms), MIDAS .mid/.mid.gz/.mid.lz4, HDF5 .h5/.hdf5/.hdf (2-D/3-D datasets))`,
    );
  });

  it('a .tif that is not a TIFF gets the TIFF reader’s error', async () => {
    const path = join(dir, 'text.tif');
    writeFileSync(path, 'hello');
    await expect(readFrames(path)).rejects.toThrow(/text\.tif: not a TIFF file/);
  });

  it('a missing file is an InputError naming it', async () => {
    await expect(readFrames(join(dir, 'missing.npy'))).rejects.toBeInstanceOf(InputError);
  });

  it('multi-frame files give every frame in order', async () => {
    const frames = [u16Frame(5, 5, 1), u16Frame(5, 5, 2), u16Frame(5, 5, 3)];
    writeFrames(join(dir, 'stack.npy'), frames);
    writeFrames(join(dir, 'stack.tif'), frames);
    for (const name of ['stack.npy', 'stack.tif']) {
      const back = await readFrames(join(dir, name));
      expect(back).toHaveLength(3);
      back.forEach((b, k) => expect(samePixels(b.data.slice(), frames[k].data)).toBe(true));
    }
  });
});

describe('iterateFrames', () => {
  it('yields the same frames as readFrames, page by page, and can stop early', async () => {
    const frames = [u16Frame(7, 3, 1), u16Frame(7, 3, 2), u16Frame(7, 3, 3)];
    for (const name of ['iter.tif', 'iter.npy']) {
      const path = join(dir, name);
      writeFrames(path, frames);
      const seen: number[] = [];
      for await (const f of iterateFrames(path)) {
        expect(samePixels(f.data.slice(), frames[f.meta.index as number].data)).toBe(true);
        seen.push(f.meta.index as number);
      }
      expect(seen).toEqual([0, 1, 2]);
      for await (const f of iterateFrames(path)) {
        expect(f.meta.index).toBe(0);
        break; // the TIFF reader's file is closed by the generator's finally
      }
    }
  });
});

describe('writeFrame / writeFrames', () => {
  it('refuses unknown extensions with the list of writable ones', () => {
    expect(inputError(() => writeFrame(join(dir, 'x.png'), u16Frame(2, 2, 1))).message).toMatch(
      /x\.png: cannot write frames as '\.png' \(supported: \.npy, \.tif, \.tiff, \.h5, \.hdf5\)/,
    );
  });

  it('a .npy stack needs equal frames', () => {
    expect(inputError(() => writeFrames(join(dir, 'bad.npy'), [u16Frame(2, 2, 1), f32Frame(2, 2, 1)])).message).toMatch(
      /frame 1 is 2×2 float32, frame 0 is 2×2 uint16/,
    );
  });

  it('leaves no temporary file when the target cannot be written', () => {
    const target = join(dir, 'is-a-dir.npy');
    mkdirSync(target);
    expect(() => writeFrame(target, u16Frame(2, 2, 1))).toThrow();
    expect(tmpLeftovers(dir)).toEqual([]);
  });
});

describe('listFrameFiles', () => {
  it('a directory gives its frame files sorted by name, skipping truth and other files', async () => {
    const d = join(dir, 'run');
    mkdirSync(d);
    for (const name of ['frame_10.npy', 'frame_2.npy', 'frame_1.tif', 'frame_1.truth.json', 'notes.txt', '.hidden.npy', 'frame_3.npy.tmp-12-34']) {
      writeFileSync(join(d, name), 'x');
    }
    mkdirSync(join(d, 'sub.npy')); // a directory with a frame-like name is not a file
    symlinkSync(join(d, 'missing.npy'), join(d, 'dangling.npy'));
    symlinkSync(join(d, 'self.npy'), join(d, 'self.npy'));
    expect(listFrameFiles(d).map((p) => p.slice(d.length + 1))).toEqual(['frame_1.tif', 'frame_2.npy', 'frame_10.npy']);
    // MIGDAL's raw stacks: .MTIFF (any case) is a TIFF
    const m = join(dir, 'migdal');
    mkdirSync(m);
    writeTiffFrames(join(m, 'run_002.MTIFF'), [u16Frame(4, 3, 1), u16Frame(4, 3, 2)]);
    writeTiffFrames(join(m, 'run_001.mtiff'), [u16Frame(4, 3, 3)]);
    expect((await readFrames(join(m, 'run_002.MTIFF'))).length).toBe(2);
    expect(listFrameFiles(m).map((p) => p.slice(m.length + 1))).toEqual(['run_001.mtiff', 'run_002.MTIFF']);
    // every other entry accounted for, with its reason; the broken links do not abort the listing
    const { skipped } = scanFrameDirectory(d);
    expect(skipped.map((k) => [k.path.slice(d.length + 1), k.reason])).toEqual([
      ['.hidden.npy', 'hidden'],
      ['dangling.npy', 'dangling symlink'],
      ['frame_1.truth.json', 'truth file (read by evaluate)'],
      ['frame_3.npy.tmp-12-34', 'an unfinished write (temporary file)'],
      ['notes.txt', expect.stringMatching(/^not a frame file \(supported: /)],
      ['self.npy', 'symlink loop'],
      ['sub.npy', 'a subdirectory (not descended into)'],
    ]);
  });

  it('a file gives itself; a missing path or an empty directory is an InputError', () => {
    const file = join(dir, 'single.npy');
    writeFrame(file, u16Frame(2, 2, 1));
    expect(listFrameFiles(file)).toEqual([file]);
    expect(inputError(() => listFrameFiles(join(dir, 'nowhere'))).message).toMatch(/nowhere: no such file or directory/);
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    writeFileSync(join(empty, 'a.truth.json'), '{}');
    expect(inputError(() => listFrameFiles(empty)).message).toMatch(/empty: directory holds no frame files/);
  });
});

describe('validateFrame', () => {
  it('accepts a good frame', () => {
    expect(() => validateFrame(u16Frame(4, 3, 1), 'ok.npy', { width: 4, height: 3 })).not.toThrow();
  });

  it('a TIFF of the wrong size is reported with both sizes', async () => {
    const path = join(dir, 'small.tif');
    writeTiffFrames(path, [makeFrame(2304, 2000, new Uint16Array(2304 * 2000))]);
    const [frame] = await readFrames(path);
    expect(inputError(() => validateFrame(frame, `${path} frame 0`, { width: 2304, height: 2304 })).message).toBe(
      `${path} frame 0: wrong frame size: expected 2304×2304, got 2304×2000`,
    );
  });

  it('NaN and infinite pixels are reported with their (x, y)', () => {
    const data = new Float32Array(12);
    data[2 * 4 + 3] = Number.NaN; // (x 3, y 2) in a 4-wide frame
    expect(inputError(() => validateFrame(makeFrame(4, 3, data), 'nan.npy')).message).toBe('nan.npy: pixel (3, 2) is NaN');
    data[2 * 4 + 3] = 0;
    data[1] = -Infinity;
    expect(inputError(() => validateFrame(makeFrame(4, 3, data), 'inf.npy')).message).toBe('inf.npy: pixel (1, 0) is -Inf');
  });
});
