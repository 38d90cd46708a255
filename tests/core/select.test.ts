import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { selectKth } from '../../src/core/select.js';

describe('selectKth', () => {
  it('returns the k-th order statistic and partitions around it (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ noNaN: true, min: -1e6, max: 1e6 }), { minLength: 1, maxLength: 200 }), fc.nat(), (values, kRaw) => {
        const k = kRaw % values.length;
        const a = Float64Array.from(values);
        const sorted = [...values].sort((x, y) => x - y);
        expect(selectKth(a, k)).toBe(sorted[k]);
        for (let i = 0; i < k; i++) expect(a[i]).toBeLessThanOrEqual(a[k]);
        for (let i = k + 1; i < a.length; i++) expect(a[i]).toBeGreaterThanOrEqual(a[k]);
      }),
      { seed: 7, numRuns: 300 },
    );
  });
});
