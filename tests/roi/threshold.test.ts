import { describe, expect, it } from 'vitest';
import { thresholdMap } from '../../src/roi/threshold.js';

describe('thresholdMap', () => {
  it('keeps scores strictly above tau; NaN never passes', () => {
    const map = Float32Array.from([0, 0.04, 0.0401, 1, NaN, -1, Infinity, -Infinity]);
    // 0.04 as float32 is 0.039999999105930328 < 0.04 (float64): stays out; 0.0401 passes.
    expect(Array.from(thresholdMap(map, 0.04))).toEqual([0, 0, 1, 1, 0, 0, 1, 0]);
  });

  it('works with negative thresholds and rejects a NaN threshold', () => {
    expect(Array.from(thresholdMap(Float32Array.from([-2, -1, 0]), -1.5))).toEqual([0, 1, 1]);
    expect(() => thresholdMap(new Float32Array(1), NaN)).toThrow(RangeError);
  });
});
