import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { Rng } from '../../src/core/rng.js';
import { shuffled, splitIndices } from '../../src/training/split.js';

/** The implementations before issue 11, copied verbatim (training/train.ts; overlap/train.ts had the same shuffle): the draws must not move. */
function oldSplitIndices(n: number, fraction: number, seed: number): { train: number[]; val: number[] } {
  const order = oldShuffled(
    Array.from({ length: n }, (_, i) => i),
    Rng.derive(seed, 'split'),
  );
  const nVal = fraction > 0 && n >= 2 ? Math.min(n - 1, Math.max(1, Math.round(fraction * n))) : 0;
  return { val: order.slice(0, nVal).sort((a, b) => a - b), train: order.slice(nVal) };
}
function oldShuffled<T>(items: T[], rng: Rng): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

describe('split and shuffle (training/split.ts)', () => {
  it('draws what the trainers drew before: fixed seeds', () => {
    expect(splitIndices(48, 0.1, 1)).toEqual(oldSplitIndices(48, 0.1, 1));
    expect(shuffled([0, 1, 2, 3, 4, 5, 6, 7], Rng.derive(1, 'epoch:0'))).toEqual(oldShuffled([0, 1, 2, 3, 4, 5, 6, 7], Rng.derive(1, 'epoch:0')));
  });

  it('draws what the trainers drew before: any n, fraction, seed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 200 }), fc.double({ min: 0, max: 0.9, noNaN: true }), fc.integer({ min: 0, max: 2 ** 31 }), (n, f, seed) => {
        const got = splitIndices(n, f, seed);
        expect(got).toEqual(oldSplitIndices(n, f, seed));
        expect(shuffled(got.train, Rng.derive(seed, 'epoch:3'))).toEqual(oldShuffled(got.train, Rng.derive(seed, 'epoch:3')));
      }),
      { seed: 31, numRuns: 200 },
    );
  });

  it('is a partition with round(f·N) validation indices (1 ≤ · ≤ N − 1), sorted, and leaves its input alone', () => {
    const items = [5, 6, 7, 8];
    const out = shuffled(items, new Rng(3));
    expect(items).toEqual([5, 6, 7, 8]);
    expect([...out].sort()).toEqual(items);
    const s = splitIndices(25, 0.1, 9);
    expect(s.val).toHaveLength(3); // round(2.5) = 3
    expect(s.val).toEqual([...s.val].sort((a, b) => a - b));
    expect([...s.train, ...s.val].sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => i));
    expect(splitIndices(1, 0.5, 9)).toEqual({ val: [], train: [0] });
    expect(splitIndices(2, 0.9, 9).train).toHaveLength(1);
  });
});
