import { describe, expect, it } from 'vitest';
import { preprocessSchema } from '../../src/config/pipeline.js';
import { extractRois } from '../../src/roi/extract.js';
import { analysisMaskToRaw, rawMaskMapping } from '../../src/trigger/raw-mask.js';

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
