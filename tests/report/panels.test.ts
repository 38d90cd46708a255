import { describe, expect, test } from 'vitest';
import { PNG } from 'pngjs';
import { panel } from './fixture.js';
import { panelCaptionHtml, panelHtml, panelImages } from '../../src/report/panels.js';

function decode(uri: string): PNG {
  const prefix = 'data:image/png;base64,';
  expect(uri.startsWith(prefix)).toBe(true);
  return PNG.sync.read(Buffer.from(uri.slice(prefix.length), 'base64'));
}

const rgbAt = (png: PNG, x: number, y: number) => {
  const i = 4 * (y * png.width + x);
  return [png.data[i], png.data[i + 1], png.data[i + 2]];
};

describe('example panels', () => {
  test('the three images are PNGs of the panel size', () => {
    const img = panelImages(panel('gaussian', 'example'));
    for (const uri of [img.frame, img.anomaly, img.roi]) {
      const png = decode(uri);
      expect([png.width, png.height]).toEqual([16, 16]);
    }
    expect([img.width, img.height, img.factor]).toEqual([16, 16, 1]);
  });

  test('frame is gray, ROI and truth overlays have their own colours', () => {
    const img = panelImages(panel('gaussian', 'example'));
    const frame = decode(img.frame);
    const [r, g, b] = rgbAt(frame, 5, 9);
    expect(r === g && g === b).toBe(true);
    // the track (value 8, above the 99.5th percentile) is white in the frame
    expect(rgbAt(frame, 4, 4)).toEqual([255, 255, 255]);

    const roi = decode(img.roi);
    // (6, 5): in the ROI band |x − y| = 1, not truth → blue dominates (cyan overlay)
    const inRoi = rgbAt(roi, 6, 5);
    expect(inRoi[2]).toBeGreaterThan(inRoi[0] + 50);
    // (3, 3): truth on the track → orange dominates (red > blue)
    const onTruth = rgbAt(roi, 3, 3);
    expect(onTruth[0]).toBeGreaterThan(onTruth[2] + 50);
    // (13, 13): track beyond the truth (x ≥ 12), ROI only
    const roiOnly = rgbAt(roi, 13, 13);
    expect(roiOnly[2]).toBeGreaterThan(roiOnly[0]);
    // (0, 10): outside both, stays gray
    const [r2, g2, b2] = rgbAt(roi, 0, 10);
    expect(r2 === g2 && g2 === b2).toBe(true);
  });

  test('large panels are block-reduced and a one-pixel truth track survives', () => {
    const p = panel('gaussian', 'example');
    // 16×16 limited to 5 px wide: factor ⌈16/5⌉ = 4 → 4×4 images
    const img = panelImages(p, { maxWidth: 5 });
    expect([img.width, img.height, img.factor]).toEqual([4, 4, 4]);
    const roi = decode(img.roi);
    expect([roi.width, roi.height]).toEqual([4, 4]);
    // block (1, 1) holds truth pixels (5, 5)…(7, 7): orange, by block max
    const [r, , b] = rgbAt(roi, 1, 1);
    expect(r).toBeGreaterThan(b + 50);
    expect(panelCaptionHtml(p, img)).toContain('1/4 resolution');
  });

  test('caption names method, frame, τ and each event, escaped', () => {
    const p = panel('ae-refined', 'low-coverage');
    p.frame = 'run<1>/frame-003';
    p.events.push({ id: 9, type: 'nuclear <recoil>', energyKeV: 0.83, coverage: 0 });
    const html = panelHtml(p);
    expect(html).toContain('<strong>ae-refined</strong>');
    expect(html).toContain('run&lt;1&gt;/frame-003');
    expect(html).toContain('τ = 0.04');
    expect(html).toContain('near-zero coverage');
    expect(html).toContain('event 7: electron, 12.5 keV, coverage 87.5%');
    expect(html).toContain('event 9: nuclear &lt;recoil&gt;, 0.83 keV, coverage 0.0%');
    expect(html).not.toContain('<recoil>');
    expect(html.match(/<img /g)).toHaveLength(3);
  });

  test('a panel whose arrays do not match its size names the panel', () => {
    const p = panel('gaussian', 'example');
    p.mask = new Uint8Array(10);
    expect(() => panelImages(p)).toThrow(/gaussian \/ run1\/frame-003: mask holds 10 values, expected 16×16 = 256/);
  });
});
