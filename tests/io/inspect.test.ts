/**
 * `inspect` against what the readers really read: the frame count and every frame's dimensions and
 * pixel type of the summary equal those of readFrames on the same file (the naive way: read it all),
 * for .npy frames and stacks, multi-page TIFFs written by tpcvision's writers, and the real CYGNO
 * ROOT files (histograms under keys, on canvases, a file with only a tree). Also: the table names
 * every histogram with its size; the CLI prints JSON, reports an unreadable file and still inspects
 * the others, exit code 2.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dtypeOf } from '../../src/core/frame.js';
import { readFrames, writeFrames } from '../../src/io/frames.js';
import { formatSummary, inspectFile, type FileSummary } from '../../src/io/inspect.js';
import { borEvent, dataEvent, eorEvent, messageEvent, writeMidasFile } from '../../src/io/midas-write.js';
import { writeHdf5Frames } from '../../src/io/hdf5.js';
import { f32Frame, realDataDir, REAL_DATA_MISSING, removeScratch, scratchDir, u16Frame } from './helpers.js';

const BIN = join(process.cwd(), 'bin', 'tpcvision.js');
const dir = scratchDir('inspect');
afterAll(() => removeScratch(dir));

/** The summary's frames (rows with a count each) expanded to one "W×H dtype" per frame. */
function frameRows(s: FileSummary): string[] {
  return s.items
    .filter((i) => /^(frame|page|TH2|.*a frame\))/.test(i.kind) && !/sub-pad|empty/.test(i.kind))
    .flatMap((i) => Array.from({ length: i.count }, () => `${i.dimensions} ${i.dtype}`));
}

async function expectAsReaders(path: string): Promise<FileSummary> {
  const s = await inspectFile(path);
  const frames = await readFrames(path);
  expect(s.frames).toBe(frames.length);
  expect(frameRows(s)).toEqual(frames.map((f) => `${f.width}×${f.height} ${dtypeOf(f.data)}`));
  return s;
}

describe('inspect', () => {
  it('tells a .npy frame, a .npy stack and a multi-page TIFF as the readers read them, pages grouped', async () => {
    const one = join(dir, 'one.npy');
    writeFrames(one, [u16Frame(7, 5, 1)]);
    const stack = join(dir, 'stack.npy');
    writeFrames(stack, [f32Frame(6, 4, 2), f32Frame(6, 4, 3), f32Frame(6, 4, 4)]);
    const tif = join(dir, 'pages.tif');
    writeFrames(tif, [u16Frame(8, 3, 5), u16Frame(8, 3, 6), f32Frame(2, 9, 7)]);
    expect((await expectAsReaders(one)).format).toBe('NumPy .npy');
    expect((await expectAsReaders(stack)).items).toHaveLength(1);
    const t = await expectAsReaders(tif);
    expect(t.items.map((i) => [i.name, i.count])).toEqual([['pages 0–1', 2], ['page 2', 1]]);
  });

  it('a MIDAS run: events, run, serials, time span, banks with the camera frame size; damage summarised up to it', async () => {
    const path = join(dir, 'run00077.mid.lz4');
    const cam = (k: number) => Uint16Array.from({ length: 144 }, (_, i) => (i * 7 + k) % 65536);
    await writeMidasFile(path, [
      borEvent(77, 1_700_000_000, JSON.stringify({ Runinfo: { 'Run number': 77 } })),
      ...[1, 2, 3].map((serial) => dataEvent({ eventId: 1, serial, time: 1_700_000_010 + serial }, [{ name: 'CAM0', type: 4, data: cam(serial) }, { name: 'DGH0', type: 6, data: Uint32Array.of(serial, serial) }])),
      messageEvent(1_700_000_020, 'run stopped'),
      eorEvent(77, 1_700_000_030, '{}'),
    ]);
    const s = await inspectFile(path);
    expect(s).toMatchObject({ format: 'MIDAS (lz4)', frames: (await readFrames(path)).length, runs: [77], events: { first: 1, last: 3, count: 3 }, time: { first: 1_700_000_011, last: 1_700_000_013 } });
    expect(s.frames).toBe(3);
    expect(s.items.map((i) => [i.name, i.kind, i.dimensions, i.count])).toEqual([
      ['CAM0', 'bank WORD', '12×12', 3],
      ['DGH0', 'bank DWORD', '8 B', 3],
      ['begin of run', 'ODB dump', null, 1],
      ['end of run', 'ODB dump', null, 1],
      ['messages', 'message', null, 1],
    ]);
    // cut inside the third data event: two events summarised, the damage a note
    const plain = join(dir, 'run00078.mid');
    await writeMidasFile(plain, [borEvent(78, 1, '{}'), ...[1, 2, 3].map((serial) => dataEvent({ eventId: 1, serial, time: serial }, [{ name: 'CAM0', type: 4, data: cam(serial) }]))]);
    const bytes = readFileSync(plain);
    writeFileSync(plain, bytes.subarray(0, bytes.length - 10));
    const d = await inspectFile(plain);
    expect(d).toMatchObject({ format: 'MIDAS', frames: 2, runs: [78], events: { first: 1, last: 2, count: 2 } });
    expect(d.notes.join(' ')).toMatch(/reading stopped at damage: .*run00078\.mid: event serial 3 at byte offset \d+/);
  });

  it('an HDF5 file: stacks and CYGNO pictures with sizes and run/event, as the reader reads them; other datasets listed, not counted', async () => {
    const stackPath = join(dir, 'stack.h5');
    await writeFrames(stackPath, [u16Frame(6, 4, 11), u16Frame(6, 4, 12), u16Frame(6, 4, 13)]);
    const s = await inspectFile(stackPath);
    expect(s).toMatchObject({ format: 'HDF5', frames: (await readFrames(stackPath)).length });
    expect(s.items.map((i) => [i.kind, i.dimensions, i.dtype, i.count])).toEqual([['dataset (stack)', '6×4', 'uint16', 3]]);
    const pics = join(dir, 'pics.h5');
    const frames = [5, 6].map((event, k) => ({ ...f32Frame(3, 2, 20 + k), meta: { run: 321, event } }));
    await writeHdf5Frames(pics, frames, { layout: 'cygno' });
    const p = await inspectFile(pics);
    expect(p).toMatchObject({ frames: 2, runs: [321], events: { first: 5, last: 6, count: 2 } });
    expect(p.items.map((i) => i.dimensions)).toEqual(['3×2', '3×2']);
  });

  it('refuses an unknown file naming it', async () => {
    const junk = join(dir, 'notes.txt');
    writeFileSync(junk, 'hello');
    await expect(inspectFile(junk)).rejects.toThrow(/notes\.txt: unknown file format/);
    await expect(inspectFile(join(dir, 'missing.npy'))).rejects.toThrow(/missing\.npy: no such file/);
  });

  it('CLI: --json for each file; an unreadable one is reported, the others still inspected, exit 2', () => {
    const good = join(dir, 'cli.npy');
    writeFrames(good, [u16Frame(3, 2, 8)]);
    const r = spawnSync('node', [BIN, 'inspect', '--json', join(dir, 'nope.npy'), good], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    const out = JSON.parse(r.stdout);
    expect(out[0]).toMatchObject({ error: expect.stringMatching(/nope\.npy: no such file/) });
    expect(out[1]).toMatchObject({ format: 'NumPy .npy', frames: 1, items: [{ dimensions: '3×2', dtype: 'uint16' }] });
  });
});

const real = realDataDir();
describe.skipIf(!real)(`inspect on the real CYGNO files${real ? '' : ` — ${REAL_DATA_MISSING}`}`, () => {
  const file = (n: string) => join(real as string, n);
  it('the vignetting maps: both TH2s with their sizes, the TH1 listed, as the reader reads them', async () => {
    const s = await expectAsReaders(file('vignette_runs03930to03932.root'));
    expect(s.items.map((i) => [i.name, i.kind, i.dimensions])).toEqual([
      ['normmap_lemon', 'TH2D', '256×256'],
      ['normmap_lime', 'TH2F', '287×287'],
      ['vign1d', 'TH1F', null],
    ]);
    expect(formatSummary(s)).toMatch(/normmap_lime\s+TH2F\s+287×287\s+float32/);
  });

  it('a saved event display: the two 2304² tracks on canvases are its frames; sub-pad and dummy histograms listed, not counted', async () => {
    const s = await expectAsReaders(file('debug_single_event.root'));
    expect(s.frames).toBe(2);
    expect(s.items.filter((i) => /sub-pad/.test(i.kind)).length).toBe(8);
    expect(s.items.filter((i) => /empty/.test(i.kind)).map((i) => i.dimensions)).toEqual(['1×1', '1×1']);
  });

  it('a file with only a tree: no frames, said so', async () => {
    const s = await inspectFile(file('full_file.root'));
    expect(s.frames).toBeNull();
    expect(s.items).toEqual([{ name: 'AlphaEvents', kind: 'TTree', dimensions: null, dtype: null, count: 1 }]);
    expect(s.notes.join(' ')).toMatch(/not a frame file/);
  });
});
