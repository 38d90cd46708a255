import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { squaredDistanceToBackground, squaredDistanceToForeground } from '../../src/roi/distance-transform.js';
import { Rng } from '../../src/core/rng.js';
import { maskArb, parseMask } from './arbitraries.js';

/** O(N²) reference: squared distance to the nearest pixel whose (mask ≠ 0) equals `set`. */
function bruteForce(mask: Uint8Array, width: number, height: number, set: boolean): number[] {
  const out: number[] = [];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let best = Infinity;
      for (let v = 0; v < height; v++) {
        for (let u = 0; u < width; u++) {
          if ((mask[v * width + u] !== 0) === set) best = Math.min(best, (x - u) ** 2 + (y - v) ** 2);
        }
      }
      out.push(best);
    }
  }
  return out;
}

describe('squared distance transform', () => {
  it('matches hand-worked values', () => {
    // One row, target at x = 1: d² = (x − 1)² = 1, 0, 1, 4, 9.
    expect(Array.from(squaredDistanceToForeground(Uint8Array.from([0, 1, 0, 0, 0]), 5, 1))).toEqual([1, 0, 1, 4, 9]);
    // One column, same thing transposed.
    expect(Array.from(squaredDistanceToForeground(Uint8Array.from([0, 1, 0, 0, 0]), 1, 5))).toEqual([1, 0, 1, 4, 9]);
    // Targets at (0,0) and (3,2) on a 4×3 grid; e.g. (2,0): min(2², 1²+2²) = 4; (1,2): min(1+4, 4) = 4.
    const { mask, width, height } = parseMask(['#...', '....', '...#']);
    expect(Array.from(squaredDistanceToForeground(mask, width, height))).toEqual([
      0, 1, 4, 4, //
      1, 2, 2, 1,
      4, 4, 1, 0,
    ]);
  });

  it('gives +Infinity everywhere when there is no target, 0 everywhere when all are targets', () => {
    const empty = new Uint8Array(12);
    const full = new Uint8Array(12).fill(1);
    expect(Array.from(squaredDistanceToForeground(empty, 4, 3))).toEqual(new Array(12).fill(Infinity));
    expect(Array.from(squaredDistanceToBackground(full, 4, 3))).toEqual(new Array(12).fill(Infinity));
    expect(Array.from(squaredDistanceToForeground(full, 4, 3))).toEqual(new Array(12).fill(0));
    expect(Array.from(squaredDistanceToBackground(empty, 4, 3))).toEqual(new Array(12).fill(0));
  });

  it('equals brute force on random masks (both polarities)', () => {
    fc.assert(
      fc.property(maskArb(14), ({ width, height, mask }) => {
        expect(Array.from(squaredDistanceToForeground(mask, width, height))).toEqual(bruteForce(mask, width, height, true));
        expect(Array.from(squaredDistanceToBackground(mask, width, height))).toEqual(bruteForce(mask, width, height, false));
      }),
      { numRuns: 300, seed: 106 },
    );
  });

  it('equals brute force on a larger sparse mask (long-range parabola competition)', () => {
    const rng = new Rng(7);
    const width = 61;
    const height = 47;
    const mask = new Uint8Array(width * height);
    for (let k = 0; k < 6; k++) mask[rng.int(0, width * height - 1)] = 1;
    expect(Array.from(squaredDistanceToForeground(mask, width, height))).toEqual(bruteForce(mask, width, height, true));
  });

  it('writes into a caller buffer and checks sizes', () => {
    const out = new Float64Array(5);
    expect(squaredDistanceToForeground(Uint8Array.from([1, 0, 0, 0, 0]), 5, 1, out)).toBe(out);
    expect(Array.from(out)).toEqual([0, 1, 4, 9, 16]);
    expect(() => squaredDistanceToForeground(new Uint8Array(5), 2, 2)).toThrow(RangeError);
    expect(() => squaredDistanceToForeground(new Uint8Array(4), 2, 2, new Float64Array(3))).toThrow(RangeError);
  });
});
