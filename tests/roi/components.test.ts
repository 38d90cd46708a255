import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { labelComponents } from '../../src/roi/components.js';
import { maskArb, parseMask } from './arbitraries.js';
import { naiveLabels } from './naive.js';

describe('labelComponents (8-connected)', () => {
  it('labels a hand example: diagonal contact joins, ids follow the first pixel in raster order', () => {
    const { mask, width, height } = parseMask([
      '##..#', // (0,0)-(1,0): ROI 1; (4,0) touches (3,1) diagonally: ROI 2
      '...#.',
      '#....', // (0,2): ROI 3
    ]);
    const intensity = Float32Array.from([1, 2, 0, 0, 5, 0, 0, 0, -3, 0, 7, 0, 0, 0, 0]);
    const { labels, rois } = labelComponents(mask, width, height, intensity);
    expect(Array.from(labels)).toEqual([1, 1, 0, 0, 2, 0, 0, 0, 2, 0, 3, 0, 0, 0, 0]);
    expect(rois).toEqual([
      { id: 1, x0: 0, y0: 0, x1: 1, y1: 0, area: 2, sumIntensity: 3, maxIntensity: 2 },
      { id: 2, x0: 3, y0: 0, x1: 4, y1: 1, area: 2, sumIntensity: 2, maxIntensity: 5 }, // 5 + (−3)
      { id: 3, x0: 0, y0: 2, x1: 0, y1: 2, area: 1, sumIntensity: 7, maxIntensity: 7 },
    ]);
  });

  it('merges branches that meet later (U shape, and NE meeting W on the same pixel)', () => {
    const u = parseMask(['#.#', '#.#', '###']);
    expect(labelComponents(u.mask, 3, 3, new Float32Array(9)).rois.length).toBe(1);
    const ne = parseMask(['..#', '##.']); // pixel (1,1) has W = (0,1) and NE = (2,0), different provisional labels
    const { labels, rois } = labelComponents(ne.mask, 3, 2, new Float32Array(6));
    expect(Array.from(labels)).toEqual([0, 0, 1, 1, 1, 0]);
    expect(rois[0]).toMatchObject({ id: 1, x0: 0, y0: 0, x1: 2, y1: 1, area: 3 });
  });

  it('treats the empty and the full mask', () => {
    expect(labelComponents(new Uint8Array(6), 3, 2, new Float32Array(6)).rois).toEqual([]);
    const full = labelComponents(new Uint8Array(6).fill(1), 3, 2, Uint16Array.from([1, 2, 3, 4, 5, 6]));
    expect(full.rois).toEqual([{ id: 1, x0: 0, y0: 0, x1: 2, y1: 1, area: 6, sumIntensity: 21, maxIntensity: 6 }]);
  });

  it('equals a flood-fill reference on random masks, statistics included', () => {
    fc.assert(
      fc.property(maskArb(30), ({ width, height, mask }) => {
        const intensity = Float32Array.from({ length: mask.length }, (_, i) => ((i * 37) % 11) - 3);
        const { labels, rois } = labelComponents(mask, width, height, intensity);
        const ref = naiveLabels(mask, width, height);
        expect(Array.from(labels)).toEqual(ref);
        const count = Math.max(0, ...ref);
        expect(rois.length).toBe(count);
        for (const roi of rois) {
          let area = 0;
          let sum = 0;
          let max = -Infinity;
          let [x0, y0, x1, y1] = [width, height, -1, -1];
          ref.forEach((l, i) => {
            if (l !== roi.id) return;
            const x = i % width;
            const y = (i - x) / width;
            area++;
            sum += intensity[i];
            max = Math.max(max, intensity[i]);
            [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
          });
          expect(roi).toEqual({ id: roi.id, x0, y0, x1, y1, area, sumIntensity: sum, maxIntensity: max });
        }
      }),
      { numRuns: 300, seed: 105 },
    );
  });

  it('a NaN intensity makes its ROI\'s sum and max NaN, whatever comes after it; other ROIs keep theirs', () => {
    // row 0: ROI 1 = (0,0) (1,0) with 4, NaN; row 1: (1,1) joins ROI 1 with 9 (after the NaN); ROI 2 = (3,0) with −2
    const { mask, width, height } = parseMask(['##.#', '.#..']);
    const { rois } = labelComponents(mask, width, height, Float32Array.of(4, NaN, 0, -2, 0, 9, 0, 0));
    expect(rois[0].sumIntensity).toBeNaN();
    expect(rois[0].maxIntensity).toBeNaN();
    expect(rois[1]).toMatchObject({ sumIntensity: -2, maxIntensity: -2 }); // max of negatives, not 0
  });

  it('rejects mismatched sizes', () => {
    expect(() => labelComponents(new Uint8Array(6), 3, 2, new Float32Array(5))).toThrow(RangeError);
  });
});
