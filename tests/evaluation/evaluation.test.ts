import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { projectTruth, coverage, type FrameTruth } from '../../src/evaluation/truth.js';
import { coverageAtAreaCut, median } from '../../src/evaluation/accumulate.js';
import { preprocessSchema } from '../../src/config/pipeline.js';
import { naiveCoverageAt } from '../helpers/naive-trigger.js';

// 40×40 raw frame, crop (10, 10, 20, 20) → 10×10 grid: each analysis pixel = a 2×2 raw block
const cfg = preprocessSchema.parse({ frameWidth: 40, frameHeight: 40, crop: { x: 10, y: 10, width: 20, height: 20 }, analysisWidth: 10, analysisHeight: 10 });

function truth(events: { id: number; pixels: [number, number, number][] }[]): FrameTruth {
  return {
    frame: 'f.npy',
    width: 40,
    height: 40,
    events: events.map((e) => ({
      id: e.id,
      type: 'er',
      energyKeV: 3,
      pixels: { index: e.pixels.map(([x, y]) => y * 40 + x), counts: e.pixels.map((p) => p[2]) },
    })),
  };
}

describe('evaluation protocol', () => {
  it('projects truth onto the grid, summing raw pixels and dropping those outside the crop', () => {
    const [ev] = projectTruth(truth([{ id: 1, pixels: [[20, 20, 5], [21, 21, 7], [2, 2, 100]] }]), cfg, 2);
    // (20,20) and (21,21) → crop (10,10),(11,11) → analysis (5,5): one pixel holding 12 counts
    expect(Array.from(ev.pixels)).toEqual([55]);
    expect(ev.totalCounts).toBe(12);
    expect(ev.contained).toBe(true);
  });

  it('coverage is the intensity-weighted fraction inside the mask', () => {
    const [ev] = projectTruth(truth([{ id: 1, pixels: [[12, 12, 30], [28, 28, 10]] }]), cfg, 0);
    const mask = new Uint8Array(100);
    mask[ev.pixels[0]] = 1; // (12,12) → analysis (1,1)
    expect(coverage(ev, mask)).toBeCloseTo(0.75, 12); // 30 of 40 counts
  });

  it('containment: an event only within the border is not counted', () => {
    const [edge, inner] = projectTruth(truth([{ id: 1, pixels: [[10, 10, 5]] }, { id: 2, pixels: [[10, 10, 5], [20, 20, 1]] }]), cfg, 2);
    expect(edge.contained).toBe(false); // analysis (0,0) is within 2 px of the edge
    expect(inner.contained).toBe(true); // (5,5) is farther
  });

  it('containment at the border exactly: a pixel at distance = border from an edge counts, one nearer does not', () => {
    // analysis (x, y) ← raw (10 + 2x, 10 + 2y); grid 10×10, border 2: contained iff 2 ≤ x, y ≤ 7
    const at = (x: number, y: number) => [10 + 2 * x, 10 + 2 * y, 4] as [number, number, number];
    const evs = projectTruth(truth([[2, 5], [5, 2], [7, 7], [8, 5], [5, 8], [1, 5]].map(([x, y], i) => ({ id: i, pixels: [at(x, y)] }))), cfg, 2);
    expect(evs.map((e) => e.contained)).toEqual([true, true, true, false, false, false]);
  });

  it('coverage at an area cut: at the first point of the sweep exactly, and between two points of equal area cut (the larger coverage)', () => {
    expect(coverageAtAreaCut([{ meanAreaCut: 0.6, meanCoverage: 0.8 }, { meanAreaCut: 0.2, meanCoverage: 0.4 }], 0.2)).toBe(0.4);
    const tie = [
      { meanAreaCut: 0.5, meanCoverage: 0.3 },
      { meanAreaCut: 0.5, meanCoverage: 0.7 },
      { meanAreaCut: 0.8, meanCoverage: 0.9 },
    ];
    expect(coverageAtAreaCut(tie, 0.5)).toBe(0.7);
    expect(coverageAtAreaCut([tie[1], tie[0]], 0.5)).toBe(0.7);
  });

  it('interpolates coverage at an area cut along a sweep', () => {
    const sweep = [
      { meanAreaCut: 0.99, meanCoverage: 0.8 },
      { meanAreaCut: 0.95, meanCoverage: 1.0 },
      { meanAreaCut: 0.97, meanCoverage: 0.9 },
    ];
    expect(coverageAtAreaCut(sweep, 0.98)).toBeCloseTo(0.85, 12);
    expect(coverageAtAreaCut(sweep, 0.999)).toBeNull();
    expect(median([3, 1, 2, 10])).toBe(2.5);
  });

  it('coverage at an area cut equals the piecewise-linear reference on random sweeps (property)', () => {
    const point = fc.record({ meanAreaCut: fc.double({ min: 0, max: 1, noNaN: true }), meanCoverage: fc.double({ min: 0, max: 1, noNaN: true }) });
    fc.assert(
      fc.property(fc.array(point, { minLength: 1, maxLength: 8 }), fc.double({ min: -0.1, max: 1.1, noNaN: true }), (points, cut) => {
        // distinct area cuts: equal ones come from equal masks (closing is increasing), so equal coverages
        const distinct = points.filter((p, i) => points.findIndex((q) => q.meanAreaCut === p.meanAreaCut) === i);
        const got = coverageAtAreaCut(distinct, cut);
        const want = naiveCoverageAt(distinct.map((p) => ({ areaCut: p.meanAreaCut, coverage: p.meanCoverage })), cut);
        expect(got === null).toBe(want === null);
        if (want !== null) expect(Math.abs(got! - want)).toBeLessThan(1e-12);
      }),
      { seed: 716, numRuns: 300 },
    );
  });
});
