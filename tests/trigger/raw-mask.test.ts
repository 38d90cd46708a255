import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { preprocessSchema } from '../../src/config/pipeline.js';
import { extractRois } from '../../src/roi/extract.js';
import { analysisMaskToRaw, rawMaskMapping } from '../../src/trigger/raw-mask.js';
import { naiveRawMask } from '../helpers/naive-trigger.js';

// Non-square everything, so that a transposed or mirrored mapping cannot pass: a 30×22 frame, crop
// (3, 5, 16×12), analysis grid 8×4 → each analysis pixel covers a 2-wide, 3-tall block of the crop.
const cfg = preprocessSchema.parse({
  frameWidth: 30,
  frameHeight: 22,
  crop: { x: 3, y: 5, width: 16, height: 12 },
  analysisWidth: 8,
  analysisHeight: 4,
});

/** An L-shaped spot on the analysis grid: (1,1), (2,1), (3,1) and (1,2). */
function spot(): Uint8Array {
  const m = new Uint8Array(8 * 4);
  for (const [x, y] of [
    [1, 1],
    [2, 1],
    [3, 1],
    [1, 2],
  ]) {
    m[y * 8 + x] = 1;
  }
  return m;
}

describe('analysis → raw mask mapping', () => {
  it('puts an asymmetric spot where the crop pixels were resampled from, nothing outside the crop', () => {
    const raw = analysisMaskToRaw(spot(), cfg);
    // naive reference: raw (X, Y) in the crop is analysis pixel (⌊(X − 3)/2⌋, ⌊(Y − 5)/3⌋)
    const expected = new Uint8Array(30 * 22);
    for (let Y = 5; Y < 17; Y++) {
      for (let X = 3; X < 19; X++) expected[Y * 30 + X] = spot()[Math.floor((Y - 5) / 3) * 8 + Math.floor((X - 3) / 2)];
    }
    expect(Array.from(raw)).toEqual(Array.from(expected));
    // by hand: the bar (1..3, 1) covers raw x 5..10, y 8..10; the foot (1, 2) raw x 5..6, y 11..13
    expect(raw.reduce((s, v) => s + v, 0)).toBe(3 * 2 * 3 + 2 * 3);
    expect(raw[8 * 30 + 10]).toBe(1);
    expect(raw[11 * 30 + 7]).toBe(0);
    expect(raw[13 * 30 + 5]).toBe(1);
  });

  it('the trigger ROI of that spot has its box and area on the raw grid', () => {
    const score = Float32Array.from(spot(), (v) => 2 * v);
    const frame = Float32Array.from({ length: 30 * 22 }, (_, i) => i % 7); // intensities on the raw grid
    const out = extractRois(score, frame, 8, 4, { tau: 1, closingRadius: 0, labelGrid: rawMaskMapping(cfg) });
    expect(out.rois.length).toBe(1);
    let sum = 0;
    for (let i = 0; i < frame.length; i++) if (out.labelMask[i]) sum += frame[i];
    expect(out.rois[0]).toEqual({ id: 1, x0: 5, y0: 8, x1: 10, y1: 13, area: 24, sumIntensity: sum, maxIntensity: 6 });
    expect(out.keptFraction).toBe(4 / 32); // on the analysis grid
  });
});

describe('analysis → raw mask mapping against the naive scan (property)', () => {
  it('equals the naive mapping on random geometries (crop anywhere, grid coarser or finer than the crop) and masks', () => {
    const geometry = fc
      .record({ cw: fc.integer({ min: 1, max: 30 }), ch: fc.integer({ min: 1, max: 30 }), mx: fc.integer({ min: 0, max: 6 }), my: fc.integer({ min: 0, max: 6 }), aw: fc.integer({ min: 1, max: 20 }), ah: fc.integer({ min: 1, max: 20 }), extra: fc.integer({ min: 0, max: 5 }) })
      .map((g) => preprocessSchema.parse({ frameWidth: g.mx + g.cw + g.extra, frameHeight: g.my + g.ch + (5 - g.extra), crop: { x: g.mx, y: g.my, width: g.cw, height: g.ch }, analysisWidth: g.aw, analysisHeight: g.ah }));
    fc.assert(
      fc.property(geometry, fc.integer({ min: 0, max: 1 << 30 }), (g, seed) => {
        const mask = Uint8Array.from({ length: g.analysisWidth * g.analysisHeight }, (_, i) => ((i * 2654435761 + seed) >>> 7) & 1);
        expect(Array.from(analysisMaskToRaw(mask, g))).toEqual(Array.from(naiveRawMask(mask, g)));
      }),
      { seed: 1618, numRuns: 200 },
    );
  });
});
