import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { closeMask, DEFAULT_CLOSING_RADIUS, dilateMask, erodeMask } from '../../src/roi/closing.js';
import { squaredDistanceToBackground, squaredDistanceToForeground } from '../../src/roi/distance-transform.js';
import { maskArb, parseMask, show } from './arbitraries.js';
import { naiveClose, naiveDilate, naiveErode } from './naive.js';

// Second reference for larger cases: the definitions as thresholds of the exact distance transform
// (itself checked against brute force in distance-transform.test.ts).
const edtDilate = (m: Uint8Array, w: number, h: number, r: number) =>
  Uint8Array.from(squaredDistanceToForeground(m, w, h), (d) => (d <= r * r ? 1 : 0));
const edtErode = (m: Uint8Array, w: number, h: number, r: number) =>
  Uint8Array.from(squaredDistanceToBackground(m, w, h), (d) => (d > r * r ? 1 : 0));

// Radii 0–6 in half-pixel steps: integer radii plus disks whose r² is not an integer.
const radiusArb = fc.integer({ min: 0, max: 12 }).map((k) => k / 2);

describe('closeMask / dilateMask / erodeMask', () => {
  it('equal the naive disk operators on random masks up to 40×40, radii 0–6', () => {
    fc.assert(
      fc.property(maskArb(40), radiusArb, ({ width, height, mask }, r) => {
        expect(show(dilateMask(mask, width, height, r), width)).toBe(show(naiveDilate(mask, width, height, r), width));
        expect(show(erodeMask(mask, width, height, r), width)).toBe(show(naiveErode(mask, width, height, r), width));
        expect(show(closeMask(mask, width, height, r), width)).toBe(show(naiveClose(mask, width, height, r), width));
      }),
      { numRuns: 150, seed: 102 },
    );
  });

  it('equal the distance-transform thresholds on larger masks and radii', () => {
    fc.assert(
      fc.property(maskArb(90), fc.integer({ min: 0, max: 45 }), ({ width, height, mask }, r) => {
        expect(show(dilateMask(mask, width, height, r), width)).toBe(show(edtDilate(mask, width, height, r), width));
        expect(show(erodeMask(mask, width, height, r), width)).toBe(show(edtErode(mask, width, height, r), width));
      }),
      { numRuns: 100, seed: 103 },
    );
  });

  it('handle radii beyond one byte of column distance (wider scratch) and beyond the image', () => {
    // r = 300 on a 7×400 image: column distances up to 301 need the 16-bit scratch.
    const width = 7;
    const height = 400;
    const mask = new Uint8Array(width * height);
    mask[3] = 1;
    mask[399 * width + 6] = 1;
    for (const r of [254, 255, 256, 300, 1000]) {
      expect(show(dilateMask(mask, width, height, r), width)).toBe(show(edtDilate(mask, width, height, r), width));
      expect(show(erodeMask(edtDilate(mask, width, height, 100), width, height, r), width)).toBe(
        show(edtErode(edtDilate(mask, width, height, 100), width, height, r), width),
      );
    }
  });

  it('closing contains the mask, is idempotent, and is the identity at radius 0', () => {
    fc.assert(
      fc.property(maskArb(40), radiusArb, ({ width, height, mask }, r) => {
        const closed = closeMask(mask, width, height, r);
        for (let i = 0; i < mask.length; i++) if (mask[i]) expect(closed[i]).toBe(1);
        expect(Array.from(closeMask(closed, width, height, r))).toEqual(Array.from(closed));
        expect(Array.from(closeMask(mask, width, height, 0))).toEqual(Array.from(mask));
      }),
      { numRuns: 150, seed: 104 },
    );
  });

  it('the disk is dx² + dy² ≤ r²: radius 1 is the plus sign, radius √2 the 3×3 square', () => {
    const dot = parseMask(['.....', '.....', '..#..', '.....', '.....']);
    expect(show(dilateMask(dot.mask, 5, 5, 1), 5)).toBe(['.....', '..#..', '.###.', '..#..', '.....'].join('\n'));
    expect(show(dilateMask(dot.mask, 5, 5, Math.SQRT2), 5)).toBe(['.....', '.###.', '.###.', '.###.', '.....'].join('\n'));
    // r = 2: adds (±2, 0) and (0, ±2) but not (±2, ±1), since 4 + 1 = 5 > 4.
    expect(show(dilateMask(dot.mask, 5, 5, 2), 5)).toBe(['..#..', '.###.', '#####', '.###.', '..#..'].join('\n'));
  });

  it('fills a one-pixel hole and bridges a narrow gap between two blobs', () => {
    // Hole filled; the rest unchanged (the outer corners stay open: the plus-shaped disk of radius 1
    // placed on a corner pixel's outer neighbour misses the ring).
    const ring = parseMask(['.......', '.......', '..###..', '..#.#..', '..###..', '.......', '.......']);
    expect(show(closeMask(ring.mask, 7, 7, 1), 7)).toBe(
      ['.......', '.......', '..###..', '..###..', '..###..', '.......', '.......'].join('\n'),
    );
    // Two 5×5 squares 2 columns apart; r = 3 bridges the middle rows of the gap (every disk of radius 3
    // around those pixels lies within 3 px of a square). The squares themselves are untouched.
    const { mask, width, height } = parseMask([
      '................',
      '................',
      '................',
      '..#####..#####..',
      '..#####..#####..',
      '..#####..#####..',
      '..#####..#####..',
      '..#####..#####..',
      '................',
      '................',
      '................',
    ]);
    const closed = closeMask(mask, width, height, 3);
    expect(closed[5 * width + 7]).toBe(1);
    expect(closed[5 * width + 8]).toBe(1);
    expect(closed[3 * width + 7]).toBe(0); // the gap's top row stays open: a disk above it misses both squares
  });

  it('border convention: a track along the image edge is not eaten by the closing', () => {
    // With "outside = background" in the erosion, every pixel within r of the edge would be removed.
    const { mask, width, height } = parseMask(['########', '........', '........', '........']);
    expect(show(closeMask(mask, width, height, 2), width)).toBe(show(mask, width));
    expect(show(erodeMask(new Uint8Array(9).fill(1), 3, 3, 5), 3)).toBe(['###', '###', '###'].join('\n'));
    // The price of the convention: the edge acts as a wall the erosion cannot start from, so a
    // structure running parallel to the edge, closer than r, grows towards it: rows 0 and 1 fill in
    // wherever the in-image part of the disk stays within r of the segment (a trapezoid, not a band:
    // near the segment's ends the disk reaches past them). (3,1) stays: its disk's far points such
    // as (1,1) and (2,0) are within 2 of (2,2); (2,1) goes: (0,1) is √5 > 2 from the segment.
    const near = parseMask(['..........', '..........', '..######..', '..........', '..........', '..........']);
    expect(show(closeMask(near.mask, 10, 6, 2), 10)).toBe(
      ['....##....', '...####...', '..######..', '..........', '..........', '..........'].join('\n'),
    );
    // Dilation never invents pixels from outside: an empty mask stays empty.
    expect(Array.from(dilateMask(new Uint8Array(9), 3, 3, 5))).toEqual(new Array(9).fill(0));
  });

  it('defaults to the spec radius and rejects bad arguments', () => {
    expect(DEFAULT_CLOSING_RADIUS).toBe(40);
    const m = new Uint8Array(100 * 100);
    m[0] = 1;
    m[99 * 100 + 99] = 1;
    expect(Array.from(closeMask(m, 100, 100))).toEqual(Array.from(closeMask(m, 100, 100, 40)));
    expect(() => closeMask(new Uint8Array(4), 2, 2, -1)).toThrow(RangeError);
    expect(() => closeMask(new Uint8Array(4), 2, 2, NaN)).toThrow(RangeError);
    expect(() => closeMask(new Uint8Array(5), 2, 2, 1)).toThrow(RangeError);
  });
});
