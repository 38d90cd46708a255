/**
 * `export` (issue 13): a .roi file becomes its full-size frame — the kept pixels in their pixel type,
 * 0 elsewhere — checked against the naive rebuild (pixel where the mask is set, else 0) for uint16
 * and float32, written as .npy, TIFF and HDF5 and read back; a MIDAS run converts to one .npy stack equal to
 * its frames; a damaged input is listed with its reason and the others are written; the CLI exits 3
 * then. Names: the input's stem (.mid.gz counted whole); two inputs of one name are refused, not
 * written over.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { readFrames } from '../../src/io/frames.js';
import { dataEvent, writeMidasFile } from '../../src/io/midas-write.js';
import { writeRoiFrame } from '../../src/roi/compress.js';
import { exportFrames, exportName } from '../../src/roi/export.js';
import { removeScratch, scratchDir } from '../io/helpers.js';

const dir = scratchDir('export');
afterAll(() => removeScratch(dir));
const BIN = join(process.cwd(), 'bin', 'tpcvision.js');

function roiFile(name: string, pixels: Uint16Array | Float32Array, w: number, h: number, seed: number): { path: string; mask: Uint8Array } {
  const rng = new Rng(seed);
  const mask = Uint8Array.from({ length: w * h }, () => (rng.uniform() < 0.3 ? 1 : 0));
  const path = join(dir, 'roi', name);
  mkdirSync(join(dir, 'roi'), { recursive: true });
  writeRoiFrame(path, pixels, w, h, mask, { meta: { source: 'frame.npy' } });
  return { path, mask };
}

describe('export', () => {
  it('rebuilds .roi frames as the naive rebuild: kept pixels in their type, 0 elsewhere, as .npy, TIFF and HDF5', async () => {
    const rng = new Rng(3);
    const u16 = Uint16Array.from({ length: 7 * 5 }, () => rng.int(1, 65535));
    const f32 = Float32Array.from({ length: 6 * 4 }, () => rng.normal(10, 3));
    const a = roiFile('a.roi', u16, 7, 5, 1);
    const b = roiFile('b.roi', f32, 6, 4, 2);
    for (const ext of ['.npy', '.tif', '.h5']) {
      const out = join(dir, `out${ext}`);
      const r = await exportFrames([a.path, b.path], out, ext);
      expect(r.failed).toEqual([]);
      expect(r.written.map((w) => w.output)).toEqual([join(out, `a${ext}`), join(out, `b${ext}`)]);
      const [fa] = await readFrames(join(out, `a${ext}`));
      const [fb] = await readFrames(join(out, `b${ext}`));
      expect(fa.data).toBeInstanceOf(Uint16Array);
      expect(Array.from(fa.data)).toEqual(Array.from(u16, (v, i) => (a.mask[i] ? v : 0)));
      expect(fb.data).toBeInstanceOf(Float32Array);
      expect(Array.from(fb.data)).toEqual(Array.from(f32, (v, i) => (b.mask[i] ? v : 0)));
    }
  });

  it('converts a MIDAS run to one .npy stack of its frames; a damaged input is listed, the others written; CLI exit 3', async () => {
    const mid = join(dir, 'in', 'run00005.mid.gz');
    mkdirSync(join(dir, 'in'), { recursive: true });
    const cams = [1, 2, 3].map((k) => Uint16Array.from({ length: 16 }, (_, i) => i * k));
    await writeMidasFile(mid, cams.map((c, k) => dataEvent({ eventId: 1, serial: k + 1, time: k }, [{ name: 'CAM0', type: 4, data: c }])));
    const bad = join(dir, 'in', 'broken.roi');
    writeFileSync(bad, 'TPCROI01 but nothing else');
    const out = join(dir, 'conv');
    const r = await exportFrames([mid, bad], out, '.npy');
    expect(r.written).toEqual([{ input: mid, output: join(out, 'run00005.npy'), frames: 3 }]);
    expect(r.failed).toEqual([{ input: bad, reason: expect.stringMatching(/broken\.roi/) }]);
    const stack = await readFrames(join(out, 'run00005.npy'));
    const want = await readFrames(mid);
    expect(stack.map((f) => Array.from(f.data))).toEqual(want.map((f) => Array.from(f.data)));

    const c = spawnSync('node', [BIN, 'export', join(dir, 'in'), '--out', join(dir, 'cli'), '--json'], { encoding: 'utf8' });
    expect(c.status).toBe(3);
    expect(c.stderr).toMatch(/1 of 2 inputs failed/);
    expect(JSON.parse(c.stdout).written.map((w: { output: string }) => w.output)).toEqual([join(dir, 'cli', 'run00005.npy')]);
  });

  it('names outputs after the input stem and refuses a second input of the same name', async () => {
    expect(exportName('o', '/x/run01234.mid.lz4', '.npy')).toBe(join('o', 'run01234.npy'));
    expect(exportName('o', '/x/a/st.roi', '.tif')).toBe(join('o', 'st.tif'));
    const rng = new Rng(9);
    const p = Uint16Array.from({ length: 4 }, () => rng.int(0, 9));
    mkdirSync(join(dir, 'twin', 'a'), { recursive: true });
    mkdirSync(join(dir, 'twin', 'b'), { recursive: true });
    writeRoiFrame(join(dir, 'twin', 'a', 'st.roi'), p, 2, 2, Uint8Array.of(1, 1, 1, 1));
    writeRoiFrame(join(dir, 'twin', 'b', 'st.roi'), p, 2, 2, Uint8Array.of(1, 0, 0, 1));
    const r = await exportFrames([join(dir, 'twin', 'a', 'st.roi'), join(dir, 'twin', 'b', 'st.roi')], join(dir, 'twin-out'), '.npy');
    expect(r.written).toHaveLength(1);
    expect(r.failed[0].reason).toMatch(/already the output of .*a\/st\.roi/);
    expect(Array.from((await readFrames(join(dir, 'twin-out', 'st.npy')))[0].data)).toEqual(Array.from(p));
  });
});
