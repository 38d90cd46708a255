/**
 * Window training and inference (src/overlap/window.ts, event-box.ts, batch.ts, evaluate.ts): the
 * compact form against the dense sample, placements against an enumeration of every origin, batches
 * against scaled dense crops, windowed evaluation against the naive whole-frame path.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { Rng } from '../../src/core/rng.js';
import { scaledChannels, type OverlapSample, type PixelBox } from '../../src/core/overlap-sample.js';
import { centredOrigin, centredWindow, compactSample, effectiveWindow, originRange, randomOrigin, renderRegion, windowBox } from '../../src/overlap/window.js';
import { brightestGroupBox, grownBox, inferenceBox } from '../../src/overlap/event-box.js';
import { makeBatch } from '../../src/overlap/batch.js';
import { regionWeightMap } from '../../src/overlap/loss.js';
import { evaluateOasisModel, inferenceWindows } from '../../src/overlap/evaluate.js';
import { readMigdalFeather, readMigdalFeatherAs, writeMigdalFeather } from '../../src/io/feather.js';
import { handSamples, naiveEvent, naiveRawPrediction, naiveScaledInput, expectMatchesNaive } from './reference.js';

/** `img` [W·H] over `r`, 0 outside the frame: the obviously-correct crop. */
function naiveCrop(img: ArrayLike<number>, w: number, h: number, r: PixelBox): number[] {
  const out: number[] = [];
  for (let y = r.y0; y < r.y1; y++) for (let x = r.x0; x < r.x1; x++) out.push(x >= 0 && x < w && y >= 0 && y < h ? img[y * w + x] : 0);
  return out;
}

const inBox = (b: PixelBox, x: number, y: number) => x >= b.x0 && x < b.x1 && y >= b.y0 && y < b.y1;

/** Samples with noise everywhere, hot pixels outside the box and exact zeros, on a 40×24 frame. */
function noisySamples(): OverlapSample[] {
  const samples = handSamples(40, 24);
  samples.forEach((s, i) => {
    const rng = Rng.derive(7, i);
    for (let k = 0; k < s.input.length; k++) if (rng.uniform() < 0.1) s.input[k] = 0; // exact zeros are dropped, must come back as 0
    s.input[(i % 24) * 40 + 39] = 900; // a hot pixel on the right edge
  });
  return samples;
}

describe('compact samples', () => {
  const samples = noisySamples();
  it('render any region exactly as the dense sample cropped (input everywhere, truth inside the valid box)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: samples.length - 1 }), fc.integer({ min: -8, max: 45 }), fc.integer({ min: -8, max: 30 }), fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 20 }), (i, x0, y0, w, h) => {
        const s = samples[i];
        const c = compactSample(s);
        const r = { x0, y0, x1: x0 + w, y1: y0 + h };
        expect(Array.from(renderRegion(c, r, 'input'))).toEqual(naiveCrop(s.input, s.width, s.height, r));
        const truth = (img: Float32Array) => Float32Array.from(img, (v, k) => (inBox(s.valid, k % s.width, Math.floor(k / s.width)) ? v : 0));
        expect(Array.from(renderRegion(c, r, 'er'))).toEqual(naiveCrop(truth(s.er), s.width, s.height, r));
        expect(Array.from(renderRegion(c, r, 'nr'))).toEqual(naiveCrop(truth(s.nr), s.width, s.height, r));
      }),
      { numRuns: 200, seed: 1201 },
    );
  });

  it('keep the facts, the box and the factors, and only the nonzero input pixels outside the box', () => {
    const s = samples[3];
    const c = compactSample(s);
    expect(c).toMatchObject({ id: s.id, kind: s.kind, erEnergyKeV: s.erEnergyKeV, width: 40, height: 24, valid: s.valid, factors: s.factors });
    let outside = 0;
    s.input.forEach((v, k) => {
      if (v !== 0 && !inBox(s.valid, k % 40, Math.floor(k / 40))) outside++;
    });
    expect(c.outsideIndex.length).toBe(outside);
    expect([...c.outsideIndex].every((v, k, a) => k === 0 || a[k - 1] < v)).toBe(true);
  });
});

describe('compact samples from Feather', () => {
  it('read row by row equal the dense samples read whole, then compacted', () => {
    const dir = mkdtempSync(join(tmpdir(), 'compact-feather-'));
    try {
      const path = join(dir, 'm.feather');
      writeMigdalFeather(path, noisySamples(), { provenance: { seed: 1 } });
      const streamed = readMigdalFeatherAs(path, compactSample);
      const whole = readMigdalFeather(path);
      expect(streamed.provenance).toEqual({ seed: 1 });
      expect(streamed.samples).toEqual(whole.samples.map(compactSample));
      // zero suppression outside the box: the noise there is gone, the hot pixels stay
      expect(streamed.samples.every((c) => c.outsideIndex.length < 5)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('window placement', () => {
  /** Every origin along one axis whose window contains [b0, b1), or (box too long) lies inside it. */
  function naiveRange(b0: number, b1: number, f: number, w: number): number[] {
    const all = Array.from({ length: f - w + 1 }, (_, o) => o);
    const containing = all.filter((o) => o <= b0 && o + w >= b1);
    return containing.length ? containing : all.filter((o) => o >= b0 && o + w <= b1);
  }

  it('originRange is exactly the set of origins that keep the box inside (or inside the box)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 0, max: 59 }), fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 60 }), (f, a, len, w) => {
        fc.pre(w <= f);
        const b0 = Math.min(a, f - 1);
        const b1 = Math.min(f, b0 + len);
        const [lo, hi] = originRange(b0, b1, f, w);
        const want = naiveRange(b0, b1, f, w);
        expect([lo, hi]).toEqual([want[0], want[want.length - 1]]);
      }),
      { numRuns: 500, seed: 1202 },
    );
  });

  it('randomOrigin draws every allowed origin and nothing else; centred windows sit on the box centre', () => {
    const c = { id: 'x', width: 50, height: 30 };
    const box = { x0: 20, y0: 4, x1: 31, y1: 9 };
    const rng = new Rng(5);
    const xs = new Set<number>();
    const ys = new Set<number>();
    for (let k = 0; k < 2000; k++) {
      const o = randomOrigin(c, box, { width: 16, height: 12 }, rng);
      xs.add(o.x);
      ys.add(o.y);
    }
    expect([...xs].sort((a, b) => a - b)).toEqual(naiveRange(20, 31, 50, 16));
    expect([...ys].sort((a, b) => a - b)).toEqual(naiveRange(4, 9, 30, 12));
    // centre: the window's middle as close to the box's as the frame allows
    expect(centredWindow(c, box, { width: 16, height: 12 })).toEqual({ x: 18, y: 1 }); // (20 + 31 − 16)/2 = 17.5 → 18; (4 + 9 − 12)/2 = 0.5 → 1
  });

  it('centredOrigin: nearest window centre to the box centre, clamped to the frame', () => {
    fc.assert(
      fc.property(fc.integer({ min: 8, max: 80 }), fc.integer({ min: 0, max: 79 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 80 }), (f, a, len, w) => {
        fc.pre(w <= f);
        const b0 = Math.min(a, f - 1);
        const b1 = Math.min(f, b0 + len);
        const o = centredOrigin(b0, b1, f, w);
        expect(o).toBeGreaterThanOrEqual(0);
        expect(o + w).toBeLessThanOrEqual(f);
        // no other origin brings the window's centre strictly closer to the box's
        const d = (p: number) => Math.abs(p + w / 2 - (b0 + b1) / 2);
        for (let p = 0; p <= f - w; p++) expect(d(p)).toBeGreaterThanOrEqual(d(o));
      }),
      { numRuns: 300, seed: 1203 },
    );
  });

  it('a window never exceeds the frame; a frame smaller than the window refuses with the sample named', () => {
    expect(effectiveWindow({ height: 128, width: 128 }, { height: 32, width: 64 })).toEqual({ height: 32, width: 64 });
    expect(effectiveWindow(null, { height: 288, width: 512 })).toEqual({ height: 288, width: 512 });
    expect(effectiveWindow({ height: 96, width: 128 }, { height: 288, width: 512 })).toEqual({ height: 96, width: 128 });
    expect(() => centredWindow({ id: 'ev7', width: 64, height: 32 }, { x0: 0, y0: 0, x1: 4, y1: 4 }, { width: 128, height: 32 })).toThrow(/ev7.*64×32.*128×32/);
  });
});

/**
 * The naive 8-neighbour flood fill from (x, y) over the pixels `on` says are in, each visited once
 * (`seen`, shared between fills of one image): the summed `img` and the bounding box.
 */
function floodFill(img: Float32Array, w: number, h: number, x: number, y: number, on: (x: number, y: number) => boolean, seen: Set<number>): { sum: number; box: PixelBox } {
  seen.add(y * w + x);
  const stack = [[x, y]];
  let sum = 0;
  const box = { x0: x, y0: y, x1: x + 1, y1: y + 1 };
  while (stack.length) {
    const [px, py] = stack.pop()!;
    sum += img[py * w + px];
    box.x0 = Math.min(box.x0, px);
    box.y0 = Math.min(box.y0, py);
    box.x1 = Math.max(box.x1, px + 1);
    box.y1 = Math.max(box.y1, py + 1);
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const qx = px + dx;
        const qy = py + dy;
        if (qx < 0 || qx >= w || qy < 0 || qy >= h || seen.has(qy * w + qx) || !on(qx, qy)) continue;
        seen.add(qy * w + qx);
        stack.push([qx, qy]);
      }
    }
  }
  return { sum, box };
}

/** Flood fill (8 neighbours) of the pixels above `thr`; the box of the group with the largest sum. */
function naiveBrightestGroup(img: Float32Array, w: number, h: number, thr: number): PixelBox {
  const seen = new Set<number>();
  const above = (x: number, y: number) => img[y * w + x] > thr;
  let best: { sum: number; box: PixelBox } | null = null;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (seen.has(y * w + x) || !above(x, y)) continue;
      const fill = floodFill(img, w, h, x, y, above, seen);
      if (!best || fill.sum > best.sum) best = fill;
    }
  }
  return best ? best.box : { x0: 0, y0: 0, x1: w, y1: h };
}

/**
 * The naive grown box: the 3×3 mean over the whole frame (0 outside it), the pixels above `grow`
 * inside the region core ± one window, flood fills from each core pixel above `thr`, the heaviest
 * fill's box joined with core; core if that exceeds the window.
 */
function naiveGrown(img: Float32Array, w: number, h: number, core: PixelBox, thr: number, grow: number, win: { height: number; width: number }): PixelBox {
  const at = (x: number, y: number) => (x >= 0 && x < w && y >= 0 && y < h ? img[y * w + x] : 0);
  const mean = (x: number, y: number) => {
    let s = 0;
    for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) s += at(x + dx, y + dy);
    return s / 9;
  };
  const rx0 = Math.max(0, core.x0 - win.width), rx1 = Math.min(w, core.x1 + win.width);
  const ry0 = Math.max(0, core.y0 - win.height), ry1 = Math.min(h, core.y1 + win.height);
  const on = (x: number, y: number) => x >= rx0 && x < rx1 && y >= ry0 && y < ry1 && mean(x, y) > grow;
  let best: { sum: number; box: PixelBox } | null = null;
  for (let y = core.y0; y < core.y1; y++) {
    for (let x = core.x0; x < core.x1; x++) {
      if (!(at(x, y) > thr) || !on(x, y)) continue;
      const fill = floodFill(img, w, h, x, y, on, new Set<number>()); // each core pixel fills afresh, as the grown box compares groups
      if (!best || fill.sum > best.sum) best = fill;
    }
  }
  if (!best) return core;
  const g = { x0: Math.min(core.x0, best.box.x0), y0: Math.min(core.y0, best.box.y0), x1: Math.max(core.x1, best.box.x1), y1: Math.max(core.y1, best.box.y1) };
  return g.x1 - g.x0 <= win.width && g.y1 - g.y0 <= win.height ? g : core;
}

describe('the inference box', () => {
  it('is the brightest 8-connected group above the threshold, not a brighter single hot pixel', () => {
    const s = noisySamples()[2];
    const c = compactSample(s);
    const b = brightestGroupBox(c, 30);
    expect(b).toEqual(naiveBrightestGroup(s.input, 40, 24, 30));
    // it holds the NR blob of handSamples (3 rows × 4 columns around the vertex, 800–1200 ADU), not the 900-ADU hot pixel
    expect(b.x0 <= s.vertexX - 1 && b.x1 >= s.vertexX + 3 && b.y0 <= s.vertexY - 1 && b.y1 >= s.vertexY + 2).toBe(true);
    expect(b.x1).toBeLessThan(40);
    expect(inferenceBox(c, { box: 'valid', boxThresholdAdu: 30, boxGrowAdu: 2 }, { height: 8, width: 8 })).toEqual(s.valid);
  });

  it('matches the flood fill on every sample and threshold', () => {
    for (const s of noisySamples()) for (const thr of [5, 30, 700]) expect(brightestGroupBox(compactSample(s), thr)).toEqual(naiveBrightestGroup(s.input, 40, 24, thr));
  });

  it('grows over the 3×3-mean group above the low threshold that holds the bright group, as a naive flood fill does', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: noisySamples().length - 1 }), fc.constantFrom(0.5, 2, 6, 20), fc.integer({ min: 2, max: 6 }), fc.integer({ min: 2, max: 6 }), (i, grow, wh, ww) => {
        const s = noisySamples()[i];
        const win = { height: 4 * wh, width: 4 * ww };
        const c = compactSample(s);
        const core = naiveBrightestGroup(s.input, 40, 24, 30);
        expect(grownBox(c, core, 30, grow, win)).toEqual(naiveGrown(s.input, 40, 24, core, 30, grow, win));
        expect(inferenceBox(c, { box: 'input', boxThresholdAdu: 30, boxGrowAdu: grow }, win)).toEqual(naiveGrown(s.input, 40, 24, core, 30, grow, win));
        expect(inferenceBox(c, { box: 'input', boxThresholdAdu: 30, boxGrowAdu: null }, win)).toEqual(core);
      }),
      { numRuns: 60, seed: 1203 },
    );
  });

  it('growth takes in a faint track that leaves the bright blob, and not one across a gap; never beyond the window', () => {
    const s = noisySamples()[0];
    s.input.fill(0);
    for (let y = 10; y < 13; y++) for (let x = 10; x < 13; x++) s.input[y * 40 + x] = 500; // the NR
    for (let x = 13; x < 30; x++) s.input[11 * 40 + x] = 20; // a faint ER leaving it: 3×3 mean 6.7
    for (let x = 33; x < 38; x++) s.input[11 * 40 + x] = 20; // a faint stray track beyond a 3-px gap
    const c = compactSample(s);
    const core = brightestGroupBox(c, 30);
    expect(core).toEqual({ x0: 10, y0: 10, x1: 13, y1: 13 });
    // the mean spreads the track by one pixel on each side; the gap keeps the stray track apart
    expect(inferenceBox(c, { box: 'input', boxThresholdAdu: 30, boxGrowAdu: 2 }, { height: 16, width: 24 })).toEqual({ x0: 9, y0: 9, x1: 31, y1: 14 });
    // a window narrower than the grown box: the bright group's box
    expect(inferenceBox(c, { box: 'input', boxThresholdAdu: 30, boxGrowAdu: 2 }, { height: 16, width: 16 })).toEqual(core);
    // a threshold above the track's mean: no growth beyond the blob's own mean spread
    expect(inferenceBox(c, { box: 'input', boxThresholdAdu: 30, boxGrowAdu: 10 }, { height: 16, width: 24 }).x1).toBeLessThan(16);
  });

  it('is the whole frame when nothing passes the threshold', () => {
    const c = compactSample(noisySamples()[0]);
    expect(brightestGroupBox(c, 1e6)).toEqual({ x0: 0, y0: 0, x1: 40, y1: 24 });
  });
});

describe('windowed batches', () => {
  it('are the dense scaled sample cropped at each origin, with the valid mask and weights of the crop', () => {
    const samples = noisySamples();
    const compact = samples.map(compactSample);
    const win = { height: 16, width: 24 };
    const idx = [1, 4, 7, 9];
    const rng = new Rng(3);
    const origins = idx.map((i) => randomOrigin(compact[i], compact[i].valid, win, rng));
    const weights = { erOnly: 3, nrOnly: 1, overlap: 6, background: 1 };
    const b = makeBatch(compact, idx, origins, win, weights);
    const px = win.height * win.width;
    const er: number[] = [];
    const nr: number[] = [];
    const valid: number[] = [];
    idx.forEach((i, k) => {
      const s = samples[i];
      const r = windowBox(origins[k], win);
      const d = scaledChannels(s);
      expect(Array.from(b.input.subarray(k * px, (k + 1) * px))).toEqual(naiveCrop(d.input, 40, 24, r).map(Math.fround));
      const e = naiveCrop(d.er, 40, 24, r);
      const n = naiveCrop(d.nr, 40, 24, r);
      const v: number[] = [];
      for (let y = r.y0; y < r.y1; y++) for (let x = r.x0; x < r.x1; x++) v.push(inBox(s.valid, x, y) ? 1 : 0);
      // targets: the scaled truth inside the valid box, 0 outside it
      expect(Array.from({ length: px }, (_, p) => b.target[2 * (k * px + p)])).toEqual(e.map((x, p) => (v[p] ? x : 0)));
      expect(Array.from({ length: px }, (_, p) => b.target[2 * (k * px + p) + 1])).toEqual(n.map((x, p) => (v[p] ? x : 0)));
      er.push(...e.map((x, p) => (v[p] ? x : 0)));
      nr.push(...n.map((x, p) => (v[p] ? x : 0)));
      valid.push(...v);
      // the box is inside the window (the training placement's promise)
      expect(v.reduce((a, x) => a + x, 0)).toBe((s.valid.x1 - s.valid.x0) * (s.valid.y1 - s.valid.y0));
    });
    expect(Array.from(b.valid)).toEqual(valid);
    const w = regionWeightMap(Float32Array.from(er), Float32Array.from(nr), Float32Array.from(valid), weights);
    for (let p = 0; p < w.length; p++) expect(b.weight[p]).toBeCloseTo(w[p], 6);
  });
});

describe('windowed evaluation', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  /** A pixel-wise (1×1) model: a window's prediction is the frame's prediction cropped. */
  function linearModel(h: number, w: number): tfl.LayersModel {
    const m = tfl.sequential({ layers: [tfl.layers.conv2d({ inputShape: [h, w, 1], filters: 2, kernelSize: 1, useBias: true })] });
    m.setWeights([tf.tensor4d([1.15, 1.3], [1, 1, 1, 2]), tf.tensor1d([-0.05, 0.05])]);
    return m;
  }
  const meta = { preset: 'nominal' as const, base: 8, seed: 1, trainEvents: 5, validationEvents: 1, bestEpoch: 0, history: [] };

  it('equals the whole-frame naive path inside each window and counts 0 ADU outside it', () => {
    const samples = noisySamples();
    for (const win of [
      { height: 16, width: 24 },
      { height: 8, width: 8 }, // cuts most boxes
    ]) {
      const model = linearModel(win.height, win.width);
      for (const box of ['valid', 'input'] as const) {
        const r = evaluateOasisModel({ model, meta: { ...meta, window: win, config: { window: { height: win.height, width: win.width, box, boxThresholdAdu: 30, boxGrowAdu: 2 } } }, samples, examples: 0 });
        let cut = 0;
        const naive = samples.map((s) => {
          const c = compactSample(s);
          const o = centredWindow(c, inferenceBox(c, { box, boxThresholdAdu: 30, boxGrowAdu: 2 }, win), win);
          const region = windowBox(o, win);
          const full = naiveRawPrediction(naiveScaledInput(s).map((v) => 1.15 * v - 0.05), s);
          const pred = Float32Array.from(full, (v, k) => (inBox(region, k % 40, Math.floor(k / 40)) ? v : 0));
          let inside = 0;
          for (let y = s.valid.y0; y < s.valid.y1; y++) for (let x = s.valid.x0; x < s.valid.x1; x++) if (inBox(region, x, y)) inside++;
          if (inside < (s.valid.x1 - s.valid.x0) * (s.valid.y1 - s.valid.y0)) cut++;
          return naiveEvent(s, pred);
        });
        expectMatchesNaive(r.events, r.entry, naive, 1e-4, 1e-3);
        expect(r.entry.eventsCutByWindow).toBe(cut);
        expect(r.entry).toMatchObject({ window: win, windowBox: box });
        if (win.width === 8) expect(cut).toBeGreaterThan(5);
        if (win.width === 24 && box === 'valid') expect(cut).toBe(0);
      }
      model.dispose();
    }
  });

  it('given boxes centre the windows on them: the valid boxes given reproduce box \'valid\'; a shifted box moves the window; a missing one is refused', () => {
    const samples = noisySamples();
    const win = { height: 8, width: 8 };
    const model = linearModel(win.height, win.width);
    const m = { ...meta, window: win, config: { window: { height: 8, width: 8, box: 'valid' as const, boxThresholdAdu: 30, boxGrowAdu: 2 } } };
    const valid = evaluateOasisModel({ model, meta: m, samples, examples: 0 });
    const given = new Map(samples.map((s) => [s.id, s.valid]));
    const r = evaluateOasisModel({ model, meta: m, samples, examples: 0, boxes: given });
    expect(r.entry.windowBox).toBe('given');
    expect(r.events).toEqual(valid.events);
    // a box moved to the frame's far corner moves the window there: the events' box is cut, ΔI changes
    const far = new Map(samples.map((s) => [s.id, { x0: 32, y0: 12, x1: 40, y1: 20 }]));
    const moved = evaluateOasisModel({ model, meta: m, samples, examples: 0, boxes: far });
    expect(moved.events).not.toEqual(valid.events);
    const { origins } = inferenceWindows(samples.map(compactSample), m, undefined, far);
    for (const o of origins) expect(o).toEqual({ x: 32, y: 12 });
    given.delete(samples[2].id);
    expect(() => evaluateOasisModel({ model, meta: m, samples, examples: 0, boxes: given })).toThrow(new RegExp(`no box for 1 of ${samples.length} samples \\(first: '${samples[2].id}'\\)`));
    model.dispose();
  });

  it('a whole-frame model (no window in its meta) sees whole frames', () => {
    const samples = handSamples();
    const model = linearModel(13, 24);
    const r = evaluateOasisModel({ model, meta, samples, examples: 0 });
    expect(r.entry).toMatchObject({ window: null, windowBox: null, eventsCutByWindow: 0 });
    model.dispose();
  });
});
