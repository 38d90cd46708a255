import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import h5wasm from 'h5wasm/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { makeFrame, type Frame, type PixelArray } from '../../src/core/frame.js';
import { detectFormat, iterateFrames, listFrameFiles, openFrameSource, readFrames, writeFrame, writeFrames } from '../../src/io/frames.js';
import { iterateHdf5Frames, listHdf5Datasets, openHdf5Frames, readHdf5Frames, writeHdf5Frames } from '../../src/io/hdf5.js';
import { f32Frame, removeScratch, samePixels, scratchDir, tmpLeftovers, u16Frame } from './helpers.js';

const dir = scratchDir('hdf5');
afterAll(() => removeScratch(dir));
beforeAll(async () => {
  await h5wasm.ready;
});

function f64Frame(width: number, height: number, seed: number): Frame<Float64Array> {
  const d = new Float64Array(width * height);
  for (let i = 0; i < d.length; i++) d[i] = Math.sin(seed * 1000 + i) * 1e300 ** ((i % 3) - 1); // tiny, ordinary and huge values
  return makeFrame(width, height, d);
}

/** Pixels every float reader gets wrong once: NaN, ±0, ±Inf, the smallest subnormal. */
function specialF32(width: number, height: number, seed: number): Frame<Float32Array> {
  const f = f32Frame(width, height, seed);
  f.data.set([Number.NaN, -0, 0, Infinity, -Infinity, 1.4e-45]);
  return f;
}

/** Every pixel of `frames`, one after the other, as one typed array of their type (the naive model of a stack). */
function concat(frames: readonly Frame[]): PixelArray {
  const out = new (frames[0].data.constructor as new (n: number) => PixelArray)(frames.reduce((n, f) => n + f.data.length, 0));
  let at = 0;
  for (const f of frames) {
    (out as Float64Array).set(f.data as Float64Array, at);
    at += f.data.length;
  }
  return out;
}

async function rejection(p: Promise<unknown>): Promise<InputError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(InputError);
  return err as InputError;
}

describe('writeHdf5Frames → readHdf5Frames', () => {
  it('one uint16 frame is a 2-D dataset "frames" and reads back bit-exact', async () => {
    const path = join(dir, 'one.h5');
    const frame = u16Frame(7, 5, 1);
    await writeHdf5Frames(path, [frame]);
    expect(await listHdf5Datasets(path)).toEqual([{ path: '/frames', shape: [5, 7], dtype: 'uint16', frames: 1 }]);
    const [back, ...rest] = await readHdf5Frames(path);
    expect(rest).toEqual([]);
    expect([back.width, back.height]).toEqual([7, 5]);
    expect(samePixels(back.data, frame.data)).toBe(true);
    expect(back.meta).toEqual({ source: path, index: 0, dataset: '/frames' });
  });

  it('float32 and float64 stacks are 3-D (N, H, W), bit-exact with NaN, -0, ±Inf and subnormals', async () => {
    const f32 = [specialF32(6, 4, 1), specialF32(6, 4, 2), f32Frame(6, 4, 3)];
    const f64 = [f64Frame(3, 5, 1), f64Frame(3, 5, 2)];
    for (const [name, frames, dtype] of [['f32.h5', f32, 'float32'], ['f64.hdf5', f64, 'float64']] as const) {
      const path = join(dir, name);
      await writeHdf5Frames(path, frames);
      expect(await listHdf5Datasets(path)).toEqual([{ path: '/frames', shape: [frames.length, frames[0].height, frames[0].width], dtype, frames: frames.length }]);
      const back = await readHdf5Frames(path);
      expect(back.map((b) => [b.meta.index, b.meta.datasetIndex, b.meta.dataset])).toEqual(frames.map((_, k) => [k, k, '/frames']));
      back.forEach((b, k) => expect(samePixels(b.data, frames[k].data)).toBe(true));
    }
  });

  it('a dataset path makes its groups; uint8 is kept', async () => {
    const path = join(dir, 'nested.h5');
    const frames = [0, 1].map((s) => makeFrame(3, 2, Uint8Array.from([s, 1, 2, 3, 254, 255])));
    await writeHdf5Frames(path, frames, { dataset: 'run_01/cam0/frames' });
    expect(await listHdf5Datasets(path)).toEqual([{ path: '/run_01/cam0/frames', shape: [2, 2, 3], dtype: 'uint8', frames: 2 }]);
    const back = await readHdf5Frames(path);
    back.forEach((b, k) => expect(samePixels(b.data, frames[k].data)).toBe(true));
  });

  it('the CYGNO layout: one 2-D dataset per frame named pic_run{run}_ev{event}, read back in event order', async () => {
    const path = join(dir, 'cygno.h5');
    const events = [10, 2, 399];
    const frames = events.map((event, k) => makeFrame(4, 3, u16Frame(4, 3, k).data, { run: 41525, event }));
    await writeHdf5Frames(path, frames, { layout: 'cygno' });
    // ev2 before ev10: names are compared with their numbers as numbers
    expect((await listHdf5Datasets(path)).map((d) => d.path)).toEqual(['/pic_run41525_ev2', '/pic_run41525_ev10', '/pic_run41525_ev399']);
    const back = await readHdf5Frames(path);
    expect(back.map((b) => [b.meta.index, b.meta.run, b.meta.event])).toEqual([
      [0, 41525, 2],
      [1, 41525, 10],
      [2, 41525, 399],
    ]);
    for (const b of back) expect(samePixels(b.data, frames[events.indexOf(b.meta.event as number)].data)).toBe(true);
  });

  it('refuses what it cannot write: no frames, unequal stacks, CYGNO frames without run and event', async () => {
    const path = join(dir, 'refused.h5');
    expect((await rejection(writeHdf5Frames(path, []))).message).toBe(`${path}: no frames to write`);
    expect((await rejection(writeHdf5Frames(path, [u16Frame(2, 2, 1), f32Frame(2, 2, 1)]))).message).toMatch(/frame 1 is 2×2 float32, frame 0 is 2×2 uint16/);
    expect((await rejection(writeHdf5Frames(path, [makeFrame(1, 1, new Uint16Array(1), { run: 1 })], { layout: 'cygno' }))).message).toMatch(
      /frame 0 has no run and event numbers/,
    );
    const twice = [0, 1].map(() => makeFrame(1, 1, new Uint16Array(1), { run: 1, event: 5 }));
    expect((await rejection(writeHdf5Frames(path, twice, { layout: 'cygno' }))).message).toMatch(/frames 0 and 1 are both pic_run1_ev5/);
    expect(tmpLeftovers(dir)).toEqual([]);
  });

  it('is atomic: a target that cannot be replaced keeps no temporary file; an existing file is replaced whole', async () => {
    const target = join(dir, 'is-a-dir.h5');
    mkdirSync(target);
    await rejection(writeHdf5Frames(target, [u16Frame(2, 2, 1)]));
    expect(tmpLeftovers(dir)).toEqual([]);
    const path = join(dir, 'replaced.h5');
    await writeHdf5Frames(path, [u16Frame(5, 5, 1), u16Frame(5, 5, 2)]);
    await writeHdf5Frames(path, [f32Frame(2, 3, 3)]);
    expect(await listHdf5Datasets(path)).toEqual([{ path: '/frames', shape: [3, 2], dtype: 'float32', frames: 1 }]);
  });
});

describe('cross-check without our reader', () => {
  it("h5wasm's own API sees the datasets we wrote with their shapes, types and values", async () => {
    const stack = [u16Frame(5, 4, 1), u16Frame(5, 4, 2), u16Frame(5, 4, 3)];
    const f64 = [f64Frame(3, 2, 4)];
    await writeHdf5Frames(join(dir, 'x-stack.h5'), stack);
    await writeHdf5Frames(join(dir, 'x-one.h5'), f64, { dataset: 'g/one' });
    for (const [name, dataset, frames, dtype] of [
      ['x-stack.h5', 'frames', stack, '<H'],
      ['x-one.h5', 'g/one', f64, '<d'],
    ] as const) {
      const file = new h5wasm.File(join(dir, name), 'r');
      try {
        const d = file.get(dataset) as InstanceType<typeof h5wasm.Dataset>;
        expect(d.shape).toEqual(frames.length === 1 ? [frames[0].height, frames[0].width] : [frames.length, frames[0].height, frames[0].width]);
        expect(d.dtype).toBe(dtype);
        expect(samePixels(d.value as PixelArray, concat(frames))).toBe(true);
      } finally {
        file.close();
      }
    }
  });

  const python = ['python3', '/usr/bin/python3'].find((py) => spawnSync(py, ['-c', 'import h5py'], { stdio: 'ignore' }).status === 0);

  function py(script: string, ...args: string[]): string {
    const r = spawnSync(python as string, ['-c', script, ...args], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
    return r.stdout;
  }

  // h5py (the native HDF5 library) reads our files: every dataset's path, shape, type and raw bytes
  const H5PY_READ = `
import sys, json, base64, h5py
out = []
with h5py.File(sys.argv[1], 'r') as f:
    def visit(name, obj):
        if isinstance(obj, h5py.Dataset):
            out.append([name, list(obj.shape), obj.dtype.str, base64.b64encode(obj[()].tobytes()).decode()])
    f.visititems(visit)
print(json.dumps(out))
`;

  it.skipIf(!python)('h5py (the native HDF5 library) reads the stacks and CYGNO pictures we wrote', async () => {
    const stack = [specialF32(4, 3, 1), f32Frame(4, 3, 2)];
    const pics = [makeFrame(2, 2, Uint16Array.from([1, 2, 65535, 0]), { run: 7, event: 12 }), makeFrame(2, 2, Uint16Array.from([9, 8, 7, 6]), { run: 7, event: 3 })];
    await writeHdf5Frames(join(dir, 'py-stack.h5'), stack);
    await writeHdf5Frames(join(dir, 'py-cygno.h5'), pics, { layout: 'cygno' });
    const bytes = (data: PixelArray): string => Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64');
    expect(JSON.parse(py(H5PY_READ, join(dir, 'py-stack.h5')))).toEqual([['frames', [2, 3, 4], '<f4', bytes(concat(stack))]]);
    expect(JSON.parse(py(H5PY_READ, join(dir, 'py-cygno.h5')))).toEqual([
      ['pic_run7_ev12', [2, 2], '<u2', bytes(pics[0].data)],
      ['pic_run7_ev3', [2, 2], '<u2', bytes(pics[1].data)],
    ]);
  });

  // a file written by h5py: what h5wasm cannot write (big-endian, int types, a user block, float16)
  const H5PY_WRITE = `
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], 'w', userblock_size=512) as f:
    i = np.arange(20).reshape(4, 5)
    f.create_dataset('a/ev10', data=(i * 3000).astype('>u2'), chunks=(2, 5), compression='gzip', shuffle=True)
    f.create_dataset('a/ev2', data=(i / 8 - 1).astype('<f4'))
    f.create_dataset('a/pic_run7_ev3', data=i.astype('u1'))
    s = (np.arange(60).reshape(3, 4, 5) - 30).astype('>i4')
    s[1] *= 10000000
    f.create_dataset('b/stack', data=s)
    f.create_dataset('i16', data=(i - 10).astype('<i2'))
    f.create_dataset('u64', data=i.astype('<u8') + 2**40)
    f.create_dataset('meta/names', data=np.array([b'cam0', b'cam1']))
    f.create_dataset('meta/line', data=np.arange(7.0))
    f.create_dataset('vol', data=np.zeros((2, 2, 2, 2), 'f4'))
    f.create_dataset('f16', data=np.ones((2, 2), 'f2'))
    f.create_dataset('empty', shape=(0, 5), dtype='f4')
    f['alias'] = h5py.SoftLink('/a/ev2')
    f['ext'] = h5py.ExternalLink('other.h5', '/x')
`;

  it.skipIf(!python)('reads a file h5py wrote: big-endian, gzip+shuffle, int types converted, a user block, skipped datasets listed', async () => {
    const path = join(dir, 'from-h5py.h5');
    py(H5PY_WRITE, path);
    expect(detectFormat(path)).toBe('hdf5'); // by extension: the signature is at byte 512, after the user block
    expect((await listHdf5Datasets(path)).map((d) => [d.path, d.dtype, d.frames, d.skipped ?? ''])).toEqual([
      ['/a/ev2', 'float32', 1, ''],
      ['/a/ev10', 'uint16', 1, ''],
      ['/a/pic_run7_ev3', 'uint8', 1, ''],
      ['/alias', 'soft link', 0, 'soft link to /a/ev2 (not followed)'],
      ['/b/stack', 'int32', 3, ''],
      ['/empty', 'float32', 0, 'empty'],
      ['/ext', 'external link', 0, 'external link to other.h5:/x (not followed)'],
      ['/f16', 'float16', 0, expect.stringMatching(/^float16 is not a pixel type/)],
      ['/i16', 'int16', 1, ''],
      ['/meta/line', 'float64', 0, '1-D (frames are 2-D (H, W) or 3-D (N, H, W))'],
      ['/meta/names', 'string', 0, expect.stringMatching(/^string is not a pixel type/)],
      ['/u64', 'uint64', 1, ''],
      ['/vol', 'float32', 0, '4-D (frames are 2-D (H, W) or 3-D (N, H, W))'],
    ]);
    const frames = await readHdf5Frames(path);
    const i = Array.from({ length: 20 }, (_, k) => k);
    // the same formulas as the Python script, worked out per pixel
    const expected: [string, PixelArray, Record<string, unknown>][] = [
      ['/a/ev2', Float32Array.from(i, (v) => v / 8 - 1), {}],
      ['/a/ev10', Uint16Array.from(i, (v) => v * 3000), {}],
      ['/a/pic_run7_ev3', Uint8Array.from(i), { run: 7, event: 3 }],
      // int32 frames: float32 where exact (|v| ≤ 2^24), frame 1 (up to 9·10^7 in size) float64
      ['/b/stack', Float32Array.from(i, (v) => v - 30), { datasetIndex: 0, convertedFrom: 'int32' }],
      ['/b/stack', Float64Array.from(i, (v) => (v - 10) * 1e7), { datasetIndex: 1, convertedFrom: 'int32' }],
      ['/b/stack', Float32Array.from(i, (v) => v + 10), { datasetIndex: 2, convertedFrom: 'int32' }],
      ['/i16', Float32Array.from(i, (v) => v - 10), { convertedFrom: 'int16' }],
      ['/u64', Float64Array.from(i, (v) => v + 2 ** 40), { convertedFrom: 'uint64' }],
    ];
    expect(frames).toHaveLength(expected.length);
    frames.forEach((f, k) => {
      const [dataset, data, meta] = expected[k];
      expect(f.meta).toEqual({ source: path, index: k, dataset, ...meta });
      expect([f.width, f.height]).toEqual([5, 4]);
      expect(samePixels(f.data, data)).toBe(true);
    });
  });
});

describe('streaming', () => {
  it('iterateHdf5Frames and openHdf5Frames give the frames readHdf5Frames gives, across datasets', async () => {
    const path = join(dir, 'multi.h5');
    const stack = [u16Frame(6, 5, 1), u16Frame(6, 5, 2), u16Frame(6, 5, 3)];
    const file = new h5wasm.File(path, 'w');
    file.create_group('run');
    (file.get('run') as InstanceType<typeof h5wasm.Group>).create_dataset({ name: 'stack', data: concat(stack), shape: [3, 5, 6], dtype: '<H' });
    file.create_dataset({ name: 'after', data: f32Frame(2, 2, 9).data, shape: [2, 2], dtype: '<f' });
    // a group linked into itself and a second name for it: walked once, no endless descent
    (file.get('run') as InstanceType<typeof h5wasm.Group>).create_hard_link('/run', 'loop');
    file.create_hard_link('/run', 'run_again');
    file.create_soft_link('/run/stack', 'alias');
    file.close();
    const whole = await readHdf5Frames(path);
    expect(whole.map((f) => f.meta.dataset)).toEqual(['/after', '/run/stack', '/run/stack', '/run/stack']);
    expect((await listHdf5Datasets(path)).map((d) => d.path)).toEqual(['/after', '/alias', '/run/stack']);
    const streamed: Frame[] = [];
    for await (const f of iterateHdf5Frames(path)) streamed.push(f);
    expect(streamed).toEqual(whole);
    const source = await openHdf5Frames(path);
    expect(source.count).toBe(4);
    for (const k of [3, 0, 2, 1]) expect(source.read(k)).toEqual(whole[k]);
    source.close();
    for await (const f of iterateHdf5Frames(path)) {
      expect(f.meta.index).toBe(0);
      break; // closes the file
    }
  });
});

describe('damaged and foreign files', () => {
  it('a file that is not HDF5, named .h5, is an InputError naming it', async () => {
    const path = join(dir, 'text.h5');
    writeFileSync(path, 'this is not HDF5 at all');
    expect(detectFormat(path)).toBe('hdf5');
    expect((await rejection(readFrames(path))).message).toBe(`${path}: not an HDF5 file (no HDF5 signature at byte 0, 512, 1024, …)`);
    expect((await rejection(listHdf5Datasets(path))).source).toBe(path);
    expect((await rejection(readHdf5Frames(join(dir, 'missing.h5')))).message).toMatch(/missing\.h5: cannot read: ENOENT/);
  });

  it('a truncated file is an InputError naming it, at any cut', async () => {
    const whole = join(dir, 'whole.h5');
    await writeHdf5Frames(whole, [u16Frame(40, 30, 1), u16Frame(40, 30, 2)]);
    const bytes = readFileSync(whole);
    for (const keep of [4, 100, 1000, bytes.length >> 1, bytes.length - 1]) {
      const path = join(dir, `cut-${keep}.h5`);
      writeFileSync(path, bytes.subarray(0, keep));
      const err = await rejection(readHdf5Frames(path));
      expect(err.source).toBe(path);
      expect(err.problem).toMatch(/^(cannot open as HDF5: truncated: the file has \d+ bytes, its superblock says \d+|not an HDF5 file)/);
    }
  });

  it('a damaged chunk loses only its frame: an InputError naming the file, the dataset and the frame', async () => {
    const path = join(dir, 'damaged.h5');
    const stack = [u16Frame(30, 20, 1), u16Frame(30, 20, 2), u16Frame(30, 20, 3)];
    const file = new h5wasm.File(path, 'w');
    // one frame per chunk with a Fletcher-32 checksum (filter 3): the raw pixels lie in the file as they are
    file.create_dataset({ name: 'z', data: concat(stack), shape: [3, 20, 30], dtype: '<H', chunks: [1, 20, 30], compression: 3, compression_opts: [] });
    file.close();
    const bytes = readFileSync(path);
    const at = bytes.indexOf(Buffer.from(stack[2].data.buffer));
    expect(at).toBeGreaterThan(0);
    bytes[at + 101] ^= 0xff;
    writeFileSync(path, bytes);
    const source = await openHdf5Frames(path);
    expect(samePixels(source.read(1).data, stack[1].data)).toBe(true);
    let err: unknown;
    try {
      source.read(2);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).message).toMatch(new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: dataset '/z' frame 2: cannot read: `));
    expect(samePixels(source.read(0).data, stack[0].data)).toBe(true); // the file is still usable
    source.close();
    await rejection(readHdf5Frames(path));
  });

  it('a file without a frame dataset is an InputError listing what it holds', async () => {
    const path = join(dir, 'no-frames.h5');
    const file = new h5wasm.File(path, 'w');
    file.create_dataset({ name: 'line', data: new Float64Array([1, 2, 3]) });
    file.create_dataset({ name: 'names', data: ['cam0', 'cam1'] });
    file.close();
    expect(await listHdf5Datasets(path)).toEqual([
      { path: '/line', shape: [3], dtype: 'float64', frames: 0, skipped: '1-D (frames are 2-D (H, W) or 3-D (N, H, W))' },
      { path: '/names', shape: [2], dtype: 'string', frames: 0, skipped: expect.stringMatching(/^string is not a pixel type/) },
    ]);
    expect((await rejection(readHdf5Frames(path))).message).toMatch(
      /no-frames\.h5: no 2-D or 3-D numeric dataset to read as frames; the file holds \/line \(3\) float64: 1-D .*, \/names \(2\) string: string is not a pixel type/,
    );
  });
});

describe('through frames.ts', () => {
  it('.h5 and .hdf5 are written and read by dispatch; the signature wins over a wrong name', async () => {
    const frames = [f32Frame(5, 4, 1), f32Frame(5, 4, 2)];
    for (const name of ['d.h5', 'd.hdf5']) {
      const path = join(dir, name);
      await writeFrames(path, frames);
      const back = await readFrames(path);
      back.forEach((b, k) => expect(samePixels(b.data, frames[k].data)).toBe(true));
      const seen: Frame[] = [];
      for await (const f of iterateFrames(path)) seen.push(f);
      expect(seen).toEqual(back);
      const source = await openFrameSource(path);
      expect(source.count).toBe(2);
      expect(source.read(1)).toEqual(back[1]);
      source.close();
    }
    await writeFrame(join(dir, 'single.h5'), u16Frame(3, 3, 1));
    expect((await listHdf5Datasets(join(dir, 'single.h5')))[0].shape).toEqual([3, 3]);
    copyFileSync(join(dir, 'd.h5'), join(dir, 'really-hdf5.npy'));
    expect(detectFormat(join(dir, 'really-hdf5.npy'))).toBe('hdf5');
    expect(await readFrames(join(dir, 'really-hdf5.npy'))).toHaveLength(2);
  });

  it('a directory listing takes .h5/.hdf5/.hdf files', () => {
    const d = join(dir, 'listing');
    mkdirSync(d);
    for (const name of ['b.hdf5', 'a.h5', 'c.HDF', 'notes.txt']) writeFileSync(join(d, name), 'x');
    expect(listFrameFiles(d).map((p) => p.slice(d.length + 1))).toEqual(['a.h5', 'b.hdf5', 'c.HDF']);
  });
});
