import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { readFrames } from '../../src/io/frames.js';
import { cygnoPictureNumbers, listRootHistograms, listRootKeys, readRootFrames, readRootHistogram } from '../../src/io/root.js';
import { realDataDir, REAL_DATA_MISSING } from './helpers.js';

// ROOT files are only read here (jsroot has no writer we could use for fixtures): the real CYGNO files
const real = realDataDir();
const file = (name: string): string => join(real as string, name);
const title = (what: string): string => (real ? what : `${what} — ${REAL_DATA_MISSING}`);

describe('CYGNO picture names', () => {
  it('give run and event of pic_run{run}_ev{event}, in a directory too; other names give nothing', () => {
    expect(cygnoPictureNumbers('pic_run01234_ev17')).toEqual({ run: 1234, event: 17 });
    expect(cygnoPictureNumbers('Run_3/pic_run41525_ev399')).toEqual({ run: 41525, event: 399 });
    for (const other of ['pic_run12_ev', 'pic_run12_ev3_copy', 'xpic_run1_ev2', 'normmap_lime', 'pic_run1_ev2/other']) expect(cygnoPictureNumbers(other)).toEqual({});
  });
});

describe.skipIf(!real)('ROOT TH2 → Frame (real CYGNO files)', () => {
  it(title('lists the keys of the vignetting map file'), async () => {
    const keys = await listRootKeys(file('vignette_runs03930to03932.root'));
    expect(keys.map((k) => [k.path, k.className])).toEqual([
      ['normmap_lemon', 'TH2D'],
      ['normmap_lime', 'TH2F'],
      ['vign1d', 'TH1F'],
    ]);
  });

  it(title('reads normmap_lime: 287×287 float32, values in 0..1, about 1 at the centre'), async () => {
    const frame = await readRootHistogram(file('vignette_runs03930to03932.root'), 'normmap_lime');
    expect([frame.width, frame.height]).toEqual([287, 287]);
    expect(frame.data).toBeInstanceOf(Float32Array);
    let min = Infinity;
    let max = -Infinity;
    for (const v of frame.data) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThanOrEqual(1);
    // centre pixel (143, 143) is bin (144, 144); darker towards the corner
    const centre = frame.data[143 * 287 + 143];
    expect(centre).toBeGreaterThan(0.98);
    expect(frame.data[5 * 287 + 5]).toBeLessThan(0.5 * centre);
    expect(frame.meta).toMatchObject({ histogram: 'normmap_lime', className: 'TH2F', xRange: [0, 2304], yRange: [0, 2304] });
  });

  it(title('TH2D becomes float64; the file as a whole gives both maps'), async () => {
    const frames = await readRootFrames(file('vignette_runs03930to03932.root'));
    expect(frames.map((f) => [f.meta.histogram, f.data.constructor.name])).toEqual([
      ['normmap_lemon', 'Float64Array'],
      ['normmap_lime', 'Float32Array'],
    ]);
    expect(frames.map((f) => f.meta.index)).toEqual([0, 1]);
  });

  it(title('bin errors on request'), async () => {
    const errors = await readRootHistogram(file('vignette_runs03930to03932.root'), 'normmap_lime', { errors: true });
    expect(errors.meta.content).toBe('bin errors');
    expect(errors.data.every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
  });

  it(title('finds the 2304×2304 event images inside the canvases of a directory'), async () => {
    const path = file('debug_single_event.root');
    const hists = await listRootHistograms(path);
    const big = hists.filter((h) => h.width === 2304 && h.height === 2304);
    expect(big.map((h) => h.path)).toEqual([
      'Run_41525_ev_399/Track_ev_41525_run_399_cluster_0/Track_ev_41525_run_399_cluster_0',
      'Run_41525_ev_399/Track_ev_41525_run_399_cluster_1/Track_ev_41525_run_399_cluster_1',
    ]);
    expect(big.every((h) => h.inCanvas && h.className === 'TH2F')).toBe(true);
    // crops drawn in sub-pads are listed too, with the pad in their path
    expect(hists.some((h) => h.path === 'Run_41525_ev_399/X_Y_Analyser_ev_41525_run_399_cluster_0/full4_1/ATrack_run_41525_ev_399_cl_0')).toBe(true);
  });

  it(title('the event file read as frames: the two cluster images, with the spec’s pixel counts'), async () => {
    const frames = await readFrames(file('debug_single_event.root'));
    expect(frames).toHaveLength(2);
    const nonZero = frames.map((f) => Array.from(f.data).filter((v) => v !== 0).length);
    expect(nonZero).toEqual([11069, 6586]); // as stated in shared/data/real/README.md
    for (const f of frames) {
      let max = 0;
      let min = Infinity;
      for (const v of f.data) {
        if (v === 0) continue;
        max = Math.max(max, v);
        min = Math.min(min, v);
      }
      expect(min).toBeGreaterThan(1); // README: 1.3–580 counts
      expect(max).toBeLessThanOrEqual(581);
    }
  });

  it(title('a histogram inside a canvas can be read by its path'), async () => {
    const frame = await readRootHistogram(
      file('debug_single_event.root'),
      'Run_41525_ev_399/X_Y_Analyser_ev_41525_run_399_cluster_0/full4_3/Rebinned_run_41525_ev_399_cl_0',
    );
    expect([frame.width, frame.height]).toEqual([151, 195]);
  });

  it(title('errors: missing object, not a histogram, not a ROOT file'), async () => {
    const vignette = file('vignette_runs03930to03932.root');
    await expect(readRootHistogram(vignette, 'pic_run1_ev0')).rejects.toThrow(
      /vignette_runs03930to03932\.root: no object 'pic_run1_ev0' in the file \(2-D histograms: normmap_lemon, normmap_lime\)/,
    );
    await expect(readRootHistogram(vignette, 'vign1d')).rejects.toThrow(/'vign1d' is a TH1F, not a 2-D histogram/);
    await expect(readRootFrames(file('full_file.root'))).rejects.toThrow(/full_file\.root: ROOT file holds no 2-D histogram/);
    const notRoot = readRootFrames(file('sclu_1.npy'));
    await expect(notRoot).rejects.toBeInstanceOf(InputError);
    await expect(readRootFrames(file('sclu_1.npy'))).rejects.toThrow(/sclu_1\.npy: not a ROOT file/);
  });
});
