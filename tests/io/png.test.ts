import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { colorAt, colormapLut } from '../../src/io/colormaps.js';
import {
  displayRange,
  percentiles,
  pngDataUri,
  renderOverlayPng,
  renderPng,
  writePng,
  type MapLike,
} from '../../src/io/png.js';
import { removeScratch, scratchDir, tmpLeftovers } from './helpers.js';

const dir = scratchDir('png');
afterAll(() => removeScratch(dir));

/** Decode PNG bytes with pngjs; pixel(x, y) → [r, g, b]. */
function decode(bytes: Uint8Array): { width: number; height: number; pixel: (x: number, y: number) => number[] } {
  const png = PNG.sync.read(Buffer.from(bytes));
  return {
    width: png.width,
    height: png.height,
    pixel: (x, y) => Array.from(png.data.subarray(4 * (y * png.width + x), 4 * (y * png.width + x) + 3)),
  };
}

const map = (width: number, height: number, values: ArrayLike<number>): MapLike => ({ width, height, data: Float32Array.from(values as number[]) });
const ramp = (n: number): MapLike => map(n, 1, Array.from({ length: n }, (_, i) => i));

describe('renderPng', () => {
  it('gray: value v of a 0..255 ramp with range [0, 255] is gray level v', () => {
    const img = decode(renderPng(ramp(256), { min: 0, max: 255 }));
    expect([img.width, img.height]).toEqual([256, 1]);
    for (const x of [0, 1, 100, 254, 255]) expect(img.pixel(x, 0)).toEqual([x, x, x]);
  });

  it('viridis and magma end points and middle are the published colours', () => {
    // ramp 0..10 with range [0, 10]: value 0 → #440154, 5 → #21918c (the 0.5 anchor), 10 → #fde725
    const v = decode(renderPng(ramp(11), { min: 0, max: 10, colormap: 'viridis' }));
    expect(v.pixel(0, 0)).toEqual([0x44, 0x01, 0x54]);
    expect(v.pixel(10, 0)).toEqual([0xfd, 0xe7, 0x25]);
    // 0.5 sits between LUT entries 127 and 128: rounding takes 128, within 1 level of the anchor
    v.pixel(5, 0).forEach((c, k) => expect(Math.abs(c - [0x21, 0x91, 0x8c][k])).toBeLessThanOrEqual(1));
    const m = decode(renderPng(ramp(11), { min: 0, max: 10, colormap: 'magma' }));
    expect(m.pixel(0, 0)).toEqual([0x00, 0x00, 0x04]);
    expect(m.pixel(10, 0)).toEqual([0xfc, 0xfd, 0xbf]);
  });

  it('coolwarm: default range is symmetric about zero, so zero is the neutral grey', () => {
    // values -2..4: percentiles [0, 100] give [-2, 4], made symmetric to [-4, 4]
    const c = decode(renderPng(map(7, 1, [-2, -1, 0, 1, 2, 3, 4]), { colormap: 'coolwarm', percentiles: [0, 100] }));
    expect(c.pixel(2, 0)).toEqual([...colorAt('coolwarm', 0.5)]);
    colorAt('coolwarm', 0.5).forEach((v) => expect(Math.abs(v - 221)).toBeLessThanOrEqual(2));
    expect(c.pixel(6, 0)).toEqual([0xb4, 0x04, 0x26]); // +4 → the red end
    expect(displayRange([-2, 4], { colormap: 'coolwarm', percentiles: [0, 100] })).toEqual({ min: -4, max: 4 });
  });

  it('default range ignores a single hot pixel (robust percentiles)', () => {
    const values = Array.from({ length: 1000 }, (_, i) => i);
    values[999] = 1e6;
    const { min, max } = displayRange(values);
    // numpy.percentile(values, [0.5, 99.5]) = [4.995, 994.005] (rank r = p/100 · 999, linear)
    expect(min).toBeCloseTo(4.995, 9);
    expect(max).toBeCloseTo(994.005, 9);
    const img = decode(renderPng(map(1000, 1, values)));
    expect(img.pixel(500, 0)[0]).toBeGreaterThan(120); // mid-gray, not black as a 0..1e6 range would give
  });

  it('a sparse map whose percentiles coincide falls back to its full range', () => {
    // 1000 zeros and one 8: the 0.5 / 99.5 percentiles are both 0
    const values = new Float32Array(1001);
    values[1000] = 8;
    expect(displayRange(values)).toEqual({ min: 0, max: 8 });
  });

  it('NaN / Inf pixels take the lowest colour and do not move the range', () => {
    const img = decode(renderPng(map(4, 1, [Number.NaN, 0, 10, Infinity]), { colormap: 'viridis', percentiles: [0, 100] }));
    expect(img.pixel(0, 0)).toEqual([0x44, 0x01, 0x54]);
    expect(img.pixel(2, 0)).toEqual([0xfd, 0xe7, 0x25]);
    expect(img.pixel(3, 0)).toEqual([0x44, 0x01, 0x54]);
  });

  it('log: position log(1 + 1000 u) / log(1001)', () => {
    // u = 0.001 → log(2)/log(1001) = 0.10034 → level round(25.59) = 26; linear would give 0
    const img = decode(renderPng(map(3, 1, [0, 0.001, 1]), { min: 0, max: 1, log: true }));
    expect(img.pixel(1, 0)).toEqual([26, 26, 26]);
    expect(img.pixel(2, 0)).toEqual([255, 255, 255]);
  });

  it('scale: integer nearest upsampling', () => {
    const img = decode(renderPng(map(3, 2, [0, 1, 2, 3, 4, 5]), { min: 0, max: 5, scale: 4 }));
    expect([img.width, img.height]).toEqual([12, 8]);
    expect(img.pixel(11, 7)).toEqual([255, 255, 255]);
    expect(img.pixel(4, 3)).toEqual([51, 51, 51]); // input (1, 0) = 1 → 255/5
    expect(() => renderPng(ramp(3), { scale: 1.5 })).toThrow(/positive integer/);
  });

  it('maxWidth: box mean, max or nearest over 2×2 blocks', () => {
    // 4×2 map, maxWidth 2 → factor 2 → 2×1: blocks {0, 1, 4, 5} and {2, 3, 6, 40}
    const m = map(4, 2, [0, 1, 2, 3, 4, 5, 6, 40]);
    const box = decode(renderPng(m, { min: 0, max: 51, maxWidth: 2 }));
    expect([box.width, box.height]).toEqual([2, 1]);
    expect(box.pixel(0, 0)).toEqual([13, 13, 13]); // mean 2.5 → 2.5 · 5 = 12.5 → 13
    expect(box.pixel(1, 0)).toEqual([64, 64, 64]); // mean 12.75 → 63.75 → 64
    const max = decode(renderPng(m, { min: 0, max: 51, maxWidth: 2, downsample: 'max' }));
    expect(max.pixel(1, 0)).toEqual([200, 200, 200]); // 40 · 5
    const nearest = decode(renderPng(m, { min: 0, max: 51, maxWidth: 2, downsample: 'nearest' }));
    expect(nearest.pixel(1, 0)).toEqual([10, 10, 10]); // top-left of the block: 2
    // a 2304-pixel frame shrunk to at most 600 wide: factor 4 → 576
    expect(decode(renderPng(map(2304, 2, new Float32Array(4608)), { maxWidth: 600 })).width).toBe(576);
  });

  it('property: output size is ceil(size / factor) × scale', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 3 }),
        fc.option(fc.integer({ min: 1, max: 40 }), { nil: undefined }),
        (w, h, scale, maxWidth) => {
          const img = decode(renderPng(map(w, h, new Float32Array(w * h).map((_, i) => i % 7)), { scale, maxWidth }));
          const f = maxWidth === undefined || w <= maxWidth ? 1 : Math.ceil(w / maxWidth);
          return img.width === Math.ceil(w / f) * scale && img.height === Math.ceil(h / f) * scale && Math.ceil(w / f) <= (maxWidth ?? w);
        },
      ),
      { seed: 99, numRuns: 60 },
    );
  });

  it('refuses a map whose data do not match its size, and unknown colormaps', () => {
    expect(() => renderPng({ width: 3, height: 3, data: new Float32Array(8) })).toThrow(/8 values as 3×3/);
    expect(() => colormapLut('jet' as never)).toThrow(/unknown colormap 'jet' \(choices: gray, viridis, magma, coolwarm\)/);
  });
});

describe('renderOverlayPng', () => {
  // 6×4 base, all zero (black: a flat map renders as the lowest colour)
  const base = map(6, 4, new Float32Array(24));
  const mask = new Uint8Array(24);
  mask[1 * 6 + 1] = 1; // (1, 1)
  const truth = new Uint8Array(24);
  truth[1 * 6 + 1] = 1; // (1, 1) in both
  truth[2 * 6 + 4] = 1; // (4, 2) truth only

  it('blends masks in order and draws boxes one output pixel wide', () => {
    const img = decode(
      renderOverlayPng(base, {
        masks: [{ mask, color: [255, 0, 0], alpha: 0.5 }, { mask: truth, color: [0, 0, 255], alpha: 0.5 }],
        boxes: [{ x: 0, y: 0, width: 3, height: 3, color: [0, 255, 0] }],
        scale: 2,
      }),
    );
    expect([img.width, img.height]).toEqual([12, 8]);
    // (1, 1) → output (2..3, 2..3): black · 0.5 + red · 0.5 = (128, 0, 0), then · 0.5 + blue · 0.5
    expect(img.pixel(2, 2)).toEqual([64, 0, 128]);
    expect(img.pixel(8, 4)).toEqual([0, 0, 128]); // (4, 2) truth only
    expect(img.pixel(0, 0)).toEqual([0, 255, 0]); // box corner
    expect(img.pixel(5, 3)).toEqual([0, 255, 0]); // box right edge: x = 3·2 − 1
    expect(img.pixel(6, 3)).toEqual([0, 0, 0]); // just outside
    expect(img.pixel(3, 3)).toEqual([64, 0, 128]); // inside the box, not outlined
  });

  it('default colours: first mask red-orange, second cyan, boxes yellow; boxes clipped at the edges', () => {
    const img = decode(renderOverlayPng(base, { masks: [{ mask, alpha: 1 }, { mask: truth, alpha: 1 }], boxes: [{ x: 4, y: 2, width: 10, height: 10 }] }));
    expect(img.pixel(1, 1)).toEqual([0, 200, 255]); // cyan drawn over red-orange
    // box (4..13, 2..11) in a 6×4 image: its top and left edges show, the rest lies outside
    expect(img.pixel(5, 2)).toEqual([255, 220, 0]);
    expect(img.pixel(4, 3)).toEqual([255, 220, 0]);
    expect(img.pixel(5, 3)).toEqual([0, 0, 0]);
  });

  it('a one-pixel mask survives downsampling', () => {
    const big = map(40, 8, new Float32Array(320));
    const dot = new Uint8Array(320);
    dot[5 * 40 + 37] = 1;
    const img = decode(renderOverlayPng(big, { masks: [{ mask: dot, color: [255, 0, 0], alpha: 1 }], maxWidth: 10 }));
    expect([img.width, img.height]).toEqual([10, 2]);
    expect(img.pixel(9, 1)).toEqual([255, 0, 0]);
  });

  it('refuses a mask of the wrong size', () => {
    expect(() => renderOverlayPng(base, { masks: [{ mask: new Uint8Array(5) }] })).toThrow(/mask 0 has 5 pixels, the base map 6×4/);
  });
});

describe('writing PNGs', () => {
  it('writePng is atomic and pngDataUri embeds the same bytes', () => {
    const bytes = renderPng(ramp(8));
    const path = join(dir, 'out', 'ramp.png');
    writePng(path, bytes);
    expect(new Uint8Array(readFileSync(path))).toEqual(bytes);
    expect(pngDataUri(bytes)).toBe(`data:image/png;base64,${Buffer.from(bytes).toString('base64')}`);
    const blocker = join(dir, 'blocker');
    writeFileSync(blocker, 'x');
    expect(() => writePng(join(blocker, 'x.png'), bytes)).toThrow();
    expect(tmpLeftovers(dir)).toEqual([]);
  });

  it('percentiles match numpy on a small sample', () => {
    // numpy.percentile([1, 2, 3, 4], [0, 25, 50, 100]) = [1, 1.75, 2.5, 4]
    expect(percentiles([4, 1, 3, 2], 0, 25, 50, 100)).toEqual([1, 1.75, 2.5, 4]);
  });
});
