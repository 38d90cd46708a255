import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { closeMask } from '../../src/roi/closing.js';
import { extractRois } from '../../src/roi/extract.js';
import { thresholdMap } from '../../src/roi/threshold.js';
import * as roi from '../../src/roi/index.js';
import type { Roi } from '../../src/roi/components.js';
import { naiveClose, naiveLabels } from './naive.js';

/** 64×64 score map: a dashed horizontal track (3 px thick, 2-px gaps) and a far isolated hot pixel. */
function scene(): { score: Float32Array; intensity: Float32Array; width: number; height: number } {
  const width = 64;
  const height = 64;
  const score = new Float32Array(width * height);
  const intensity = new Float32Array(width * height).fill(1);
  for (let x = 10; x < 40; x++) {
    if (x % 6 >= 4) continue; // dashes of 4 px, gaps of 2 px
    for (let y = 20; y < 23; y++) score[y * width + x] = 1;
  }
  score[55 * width + 55] = 0.9;
  score[55 * width + 56] = NaN; // never active
  return { score, intensity, width, height };
}

describe('extractRois', () => {
  it('joins the fragments of one track and keeps a far pixel as its own ROI', () => {
    const { score, intensity, width, height } = scene();
    const out = extractRois(score, intensity, width, height, { tau: 0.5, closingRadius: 3 });
    expect(out.rois.length).toBe(2);
    const [track, dot] = out.rois;
    expect(track).toMatchObject({ id: 1, x0: 12, x1: 39, y0: 20, y1: 22 });
    expect(dot).toEqual({ id: 2, x0: 55, y0: 55, x1: 55, y1: 55, area: 1, sumIntensity: 1, maxIntensity: 1 });
    // intensity is 1 everywhere, so each ROI's sum is its area
    expect(track.sumIntensity).toBe(track.area);
    const area = out.mask.reduce((s, v) => s + v, 0);
    expect(out.keptFraction).toBe(area / (width * height));
    expect(area).toBe(track.area + dot.area);
    // the steps it times (their values are wall-clock: bench/ measures them, tests do not)
    expect(Object.keys(out.timings).sort()).toEqual(['closingMs', 'componentsMs', 'thresholdMs']);
  });

  it('without closing the dashes stay separate ROIs', () => {
    const { score, intensity, width, height } = scene();
    const out = extractRois(score, intensity, width, height, { tau: 0.5, closingRadius: 0 });
    expect(out.rois.length).toBe(5 + 1); // dashes at x 12–15, 18–21, 24–27, 30–33, 36–39 (x 10, 11 are gap: 10 % 6 = 4), plus the dot
  });

  it('defaults to the spec radius of 40 px', () => {
    const { score, intensity, width, height } = scene();
    const out = extractRois(score, intensity, width, height, { tau: 0.5 });
    expect(Array.from(out.mask)).toEqual(Array.from(closeMask(thresholdMap(score, 0.5), width, height, 40)));
  });

  it('rejects maps of the wrong size', () => {
    expect(() => extractRois(new Float32Array(4), new Float32Array(3), 2, 2, { tau: 0 })).toThrow(RangeError);
  });

  it('index re-exports the public API', () => {
    expect(Object.keys(roi).sort()).toEqual(
      [
        'DEFAULT_CLOSING_RADIUS',
        'ROI_MAGIC',
        'closeMask',
        'decodeRoiFrame',
        'dilateMask',
        'encodeRoiFrame',
        'erodeMask',
        'extractRois',
        'labelComponents',
        'readRoiFrame',
        'squaredDistanceToBackground',
        'squaredDistanceToForeground',
        'thresholdMap',
        'writeRoiFrame',
      ].sort(),
    );
  });
});

// Naive reference of the whole chain: the spec's three steps with the naive operators of naive.ts
// (brute-force disk closing, flood fill), statistics summed in raster order.
function naiveThreshold(score: Float32Array, tau: number): Uint8Array {
  return Uint8Array.from(score, (s) => (s > tau ? 1 : 0)); // NaN > τ is false
}

function naiveRois(mask: Uint8Array, width: number, height: number, intensity: Float32Array): { labels: number[]; rois: Roi[] } {
  const labels = naiveLabels(mask, width, height);
  const rois: Roi[] = [];
  labels.forEach((id, i) => {
    if (!id) return;
    const x = i % width;
    const y = (i - x) / width;
    const r = (rois[id - 1] ??= { id, x0: x, y0: y, x1: x, y1: y, area: 0, sumIntensity: 0, maxIntensity: -Infinity });
    [r.x0, r.y0, r.x1, r.y1] = [Math.min(r.x0, x), Math.min(r.y0, y), Math.max(r.x1, x), Math.max(r.y1, y)];
    r.area++;
    r.sumIntensity += intensity[i];
    r.maxIntensity = Math.max(r.maxIntensity, intensity[i]);
  });
  return { labels, rois };
}

/** A small score map (integer scores 0–9, some NaN), an intensity map on the same grid, τ and radius. */
const sceneArb = fc
  .record({
    width: fc.integer({ min: 1, max: 14 }),
    height: fc.integer({ min: 1, max: 14 }),
    tau: fc.integer({ min: -1, max: 9 }).map((t) => t + 0.5),
    radius: fc.integer({ min: 0, max: 4 }),
  })
  .chain((s) =>
    fc.record({
      scene: fc.constant(s),
      score: fc.array(fc.oneof(fc.integer({ min: 0, max: 9 }), fc.constant(Number.NaN)), { minLength: s.width * s.height, maxLength: s.width * s.height }),
      intensity: fc.array(fc.integer({ min: -50, max: 200 }), { minLength: s.width * s.height, maxLength: s.width * s.height }),
    }),
  );

describe('extractRois against the naive three steps', () => {
  it('mask, labels, ROI boxes, areas and intensity sums equal threshold → brute-force disk closing → flood fill', () => {
    fc.assert(
      fc.property(sceneArb, ({ scene, score, intensity }) => {
        const { width, height, tau, radius } = scene;
        const s = Float32Array.from(score);
        const inten = Float32Array.from(intensity);
        const out = extractRois(s, inten, width, height, { tau, closingRadius: radius });
        const mask = naiveClose(naiveThreshold(s, tau), width, height, radius);
        const ref = naiveRois(mask, width, height, inten);
        expect(Array.from(out.mask)).toEqual(Array.from(mask));
        expect(out.labelMask).toBe(out.mask); // no mapping: labelled on the score grid
        expect(Array.from(out.labels)).toEqual(ref.labels);
        expect(out.rois).toEqual(ref.rois);
        expect(out.keptFraction).toBe(mask.reduce((a, v) => a + v, 0) / (width * height));
      }),
      { numRuns: 200, seed: 1101 },
    );
  });

  it('without an intensity map it returns the same closed mask and kept fraction, and no labels', () => {
    fc.assert(
      fc.property(sceneArb, ({ scene, score, intensity }) => {
        const { width, height, tau, radius } = scene;
        const s = Float32Array.from(score);
        const full = extractRois(s, Float32Array.from(intensity), width, height, { tau, closingRadius: radius });
        const closed = extractRois(s, null, width, height, { tau, closingRadius: radius });
        expect(Array.from(closed.mask)).toEqual(Array.from(full.mask));
        expect(closed.keptFraction).toBe(full.keptFraction);
        expect(Object.keys(closed).sort()).toEqual(['keptFraction', 'mask', 'timings']);
        expect(Object.keys(closed.timings).sort()).toEqual(['closingMs', 'thresholdMs']);
      }),
      { numRuns: 100, seed: 1102 },
    );
  });

  it('with a label grid, labels the mapped mask with intensities on that grid', () => {
    // mapping: each score pixel becomes a 2×3 block (width ×2, height ×3) of the label grid
    fc.assert(
      fc.property(sceneArb, ({ scene, score }) => {
        const { width, height, tau, radius } = scene;
        const W = 2 * width;
        const H = 3 * height;
        const map = (m: Uint8Array) => {
          const out = new Uint8Array(W * H);
          for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) out[y * W + x] = m[Math.floor(y / 3) * width + Math.floor(x / 2)];
          return out;
        };
        const inten = Float32Array.from({ length: W * H }, (_, i) => (i * 7) % 13);
        const s = Float32Array.from(score);
        const out = extractRois(s, inten, width, height, { tau, closingRadius: radius, labelGrid: { width: W, height: H, map } });
        const mapped = map(naiveClose(naiveThreshold(s, tau), width, height, radius));
        const ref = naiveRois(mapped, W, H, inten);
        expect(Array.from(out.labelMask)).toEqual(Array.from(mapped));
        expect(Array.from(out.labels)).toEqual(ref.labels);
        expect(out.rois).toEqual(ref.rois);
        // intensities computed from the label mask (only inside it, as the trigger does) give the same ROIs
        let seen: Uint8Array | null = null;
        const lazy = extractRois(s, (m: Uint8Array) => ((seen = m), inten.map((v, i) => (m[i] ? v : 0))), width, height, {
          tau,
          closingRadius: radius,
          labelGrid: { width: W, height: H, map },
        });
        expect(Array.from(seen!)).toEqual(Array.from(mapped));
        expect(lazy.rois).toEqual(ref.rois);
      }),
      { numRuns: 100, seed: 1103 },
    );
  });

  it('rejects an intensity map or a mapped mask that does not fit the label grid', () => {
    const score = new Float32Array(4).fill(1);
    const grid = { width: 4, height: 2, map: (m: Uint8Array) => m }; // returns 4 pixels, not 8
    expect(() => extractRois(score, new Float32Array(4), 2, 2, { tau: 0, labelGrid: grid })).toThrow(RangeError);
    expect(() => extractRois(score, new Float32Array(8), 2, 2, { tau: 0, labelGrid: grid })).toThrow(/mapped mask has 4 pixels/);
  });
});
