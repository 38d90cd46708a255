/**
 * The trigger on MIDAS runs (issue 13): a .mid.gz run written with tpcvision's MIDAS writer gives the
 * same .roi pixels and masks as the same frames written as .npy files, named by run and event
 * (run00042_ev000003.roi); a run cut short keeps every frame before the damage and lists the damage
 * with the file, serial and offset; a resume keeps every frame. Also the orientation convention
 * (io/midas-frames.ts), checked against a naive emulation of the MIDAS→ROOT converter's
 * fliplr(transpose(img)) and io/root.ts's bin (x+1, y+1) → pixel (x, y).
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { preprocessSchema } from '../../src/config/pipeline.js';
import { makeFrame, type Frame } from '../../src/core/frame.js';
import { readFrames, writeFrames } from '../../src/io/frames.js';
import { flipRows } from '../../src/io/midas-frames.js';
import { readMidasEvents } from '../../src/io/midas.js';
import { borEvent, dataEvent, eorEvent, writeMidasFile, type MidasEventInput } from '../../src/io/midas-write.js';
import { computePedestalStats } from '../../src/preprocessing/pedestal-stats.js';
import { readRoiFrame } from '../../src/roi/compress.js';
import type { AnomalyScore } from '../../src/scores/score.js';
import { runTrigger } from '../../src/trigger/run-trigger.js';
import { noiseFrames, sequenceOf } from '../helpers/synthetic.js';

const SIDE = 12; // a square bank of 144 pixels: the CYGNO shape rule gives 12×12
const pre = preprocessSchema.parse({ frameWidth: SIDE, frameHeight: SIDE, crop: { x: 1, y: 1, width: 10, height: 10 }, analysisWidth: 10, analysisHeight: 10 });

const aboveMean: AnomalyScore = {
  name: 'above-mean',
  description: '',
  batchSize: 1,
  async scoreBatch(maps: Float32Array[]) {
    return maps.map((m) => {
      const mean = m.reduce((a, v) => a + v, 0) / m.length;
      return Float32Array.from(m, (v) => (v > mean ? 10 : 0));
    });
  },
};

/** Noise frames, each with a bright blob at its own place (not symmetric: a flip would show). */
function eventFrames(n: number): Frame<Uint16Array>[] {
  return noiseFrames(n, SIDE, 5).map((f, k) => {
    const d = f.data.slice();
    for (let y = 2; y < 5; y++) for (let x = 3 + k; x < 5 + k; x++) d[y * SIDE + x] += 400 + 50 * y;
    return makeFrame(SIDE, SIDE, d);
  });
}

const ODB = (run: number) => `<?xml version="1.0" encoding="ISO-8859-1"?>\n<odb root="/"><dir name="Runinfo"><key name="Run number" type="INT">${run}</key></dir></odb>`;

/** The MIDAS run of `frames`: CAM0 holds each frame's rows in camera order (the reader flips them back), a DGH0 bank beside it. */
function runEvents(frames: Frame<Uint16Array>[], run: number): MidasEventInput[] {
  return [
    borEvent(run, 1_700_000_000, ODB(run)),
    ...frames.map((f, k) =>
      dataEvent({ eventId: 1, serial: k + 1, time: 1_700_000_001 + k }, [
        { name: 'DGH0', type: 6, data: Uint32Array.of(k, 7, 9) },
        { name: 'CAM0', type: 4, data: flipRows(f.data, SIDE, SIDE) },
      ]),
    ),
    eorEvent(run, 1_700_000_100, JSON.stringify({ Runinfo: { 'Run number': run } })),
  ];
}

async function setUp() {
  const stats = await computePedestalStats(sequenceOf(noiseFrames(4, SIDE, 3)), pre);
  const dir = mkdtempSync(join(tmpdir(), 'tpcv-midas-trigger-'));
  const frames = eventFrames(5);
  const npy = frames.map((f, k) => {
    const p = join(dir, 'npy', `ev${k + 1}.npy`);
    writeFrames(p, [f]);
    return p;
  });
  const mid = join(dir, 'mid', 'run00042.mid.gz'); // the file name says 42 too; the ODB is read first
  await writeMidasFile(mid, runEvents(frames, 42));
  return { stats, dir, frames, npy, mid };
}

describe('trigger on a MIDAS run', () => {
  it('writes the same ROIs as the same frames from .npy files, named by run and event, with run/event in the frames', async () => {
    const { stats, dir, frames, npy, mid } = await setUp();
    const read = await readFrames(mid);
    expect(read.map((f) => [f.meta.run, f.meta.event, f.meta.bank])).toEqual(frames.map((_, k) => [42, k + 1, 'CAM0']));
    read.forEach((f, k) => expect(Array.from(f.data)).toEqual(Array.from(frames[k].data)));
    expect((read[0].meta.banks as { name: string }[]).map((b) => b.name)).toEqual(['DGH0', 'CAM0']);

    const a = await runTrigger({ inputs: [mid], outDir: join(dir, 'out-mid'), stats, score: aboveMean, tau: 5, closingRadius: 0 });
    const b = await runTrigger({ inputs: npy, outDir: join(dir, 'out-npy'), stats, score: aboveMean, tau: 5, closingRadius: 0 });
    expect(a.failed).toEqual([]);
    expect(a.framesIn).toBe(5);
    expect(a.outputs.map((o) => basename(o))).toEqual([1, 2, 3, 4, 5].map((e) => `run00042_ev00000${e}.roi`));
    a.outputs.forEach((o, k) => {
      const x = readRoiFrame(o);
      const y = readRoiFrame(b.outputs[k]);
      expect(x.mask.some((v) => v === 1)).toBe(true);
      expect(Array.from(x.mask)).toEqual(Array.from(y.mask));
      expect(Array.from(x.values)).toEqual(Array.from(y.values));
    });

    // a frame that does not fit the statistics is named by its event
    const other = join(dir, 'mid', 'run00044.mid');
    await writeMidasFile(other, [dataEvent({ eventId: 1, serial: 9, time: 1 }, [{ name: 'CAM0', type: 4, data: new Uint16Array(16) }])]);
    const w = await runTrigger({ inputs: [other], outDir: join(dir, 'out-other'), stats, score: aboveMean, tau: 5, closingRadius: 0 });
    expect(w.failed).toEqual([{ source: other, frameIndex: 0, reason: expect.stringMatching(/run00044\.mid \[event 9\]: wrong frame size: expected 12×12, got 4×4/) }]);

    // a run without camera banks is accounted for as skipped, not silently passed over
    const noCam = join(dir, 'mid', 'run00045.mid');
    await writeMidasFile(noCam, [dataEvent({ eventId: 1, serial: 1, time: 1 }, [{ name: 'DGH0', type: 6, data: Uint32Array.of(1) }])]);
    const nc = await runTrigger({ inputs: [noCam], outDir: join(dir, 'out-nocam'), stats, score: aboveMean, tau: 5, closingRadius: 0 });
    expect([nc.framesIn, nc.framesWritten, nc.failed]).toEqual([0, 0, []]);
    expect(nc.skipped).toEqual([{ path: noCam, reason: 'holds no frames (no camera bank in any event)' }]);

    // a resume reads the stream again and keeps every intact frame
    const r = await runTrigger({ inputs: [mid], outDir: join(dir, 'out-mid'), stats, score: aboveMean, tau: 5, closingRadius: 0, resume: true });
    expect([r.framesIn, r.framesWritten, r.framesResumed]).toEqual([5, 5, 5]);
  });

  it('a run cut short: every frame before the damage is written, the damage listed with file, serial and offset', async () => {
    const { stats, dir, mid } = await setUp();
    const plain = join(dir, 'mid', 'run00043.mid');
    await writeMidasFile(plain, runEvents(eventFrames(5), 43));
    // cut 20 bytes into the 4th data event (its 16-byte header whole, its banks not)
    let offset = -1;
    for await (const ev of readMidasEvents(plain)) if (ev.kind === 'data' && ev.serial === 4) offset = ev.offset;
    expect(offset).toBeGreaterThan(0);
    mkdirSync(join(dir, 'cut'));
    const cut = join(dir, 'cut', 'run00043.mid');
    writeFileSync(cut, readFileSync(plain).subarray(0, offset + 20));
    const s = await runTrigger({ inputs: [cut, mid], outDir: join(dir, 'out-cut'), stats, score: aboveMean, tau: 5, closingRadius: 0 });
    expect(s.framesWritten).toBe(3 + 5);
    expect(s.framesIn).toBe(3 + 1 + 5);
    expect(s.failed).toHaveLength(1);
    expect(s.failed[0]).toMatchObject({ source: cut, frameIndex: 3 });
    expect(s.failed[0].reason).toMatch(new RegExp(`run00043\\.mid: event serial 4 at byte offset ${offset}\\b`));
  });
});

describe('MIDAS frame orientation', () => {
  it('equals the ROOT histogram the converter writes: TH2 of fliplr(transpose(img)), bin (x+1, y+1) read as pixel (x, y)', () => {
    const W = 5;
    const H = 3;
    const img = Uint16Array.from({ length: W * H }, (_, i) => 10 + i); // the bank: H rows of W, camera order
    // naive converter: A = fliplr(transpose(img)), A[i][j] fills bin (i+1, j+1); A is W × H
    const A = (i: number, j: number) => img[(H - 1 - j) * W + i]; // transpose: T[i][j] = img[j][i]; fliplr: T[i][H−1−j]
    const root = Uint16Array.from({ length: W * H }, (_, k) => A(k % W, Math.floor(k / W))); // pixel (x, y) = bin (x+1, y+1)
    expect(Array.from(flipRows(img, W, H))).toEqual(Array.from(root));
  });
});
