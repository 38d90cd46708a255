import { describe, expect, it } from 'vitest';
import { closeMask } from '../../src/roi/closing.js';
import { extractRois } from '../../src/roi/extract.js';
import { thresholdMap } from '../../src/roi/threshold.js';
import * as roi from '../../src/roi/index.js';

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
    for (const t of Object.values(out.timings)) expect(t).toBeGreaterThanOrEqual(0);
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
