import { expect } from 'vitest';

/** The one closeness helper of the suite: |a − b| ≤ atol + rtol·|b|, element-wise. */
export function expectClose(actual: ArrayLike<number> | number, expected: ArrayLike<number> | number, atol = 1e-6, rtol = 1e-6): void {
  const a = typeof actual === 'number' ? [actual] : Array.from(actual);
  const b = typeof expected === 'number' ? [expected] : Array.from(expected);
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) {
    const tol = atol + rtol * Math.abs(b[i]);
    if (!(Math.abs(a[i] - b[i]) <= tol)) {
      throw new Error(`element ${i}: ${a[i]} differs from ${b[i]} by ${Math.abs(a[i] - b[i])} > ${tol}`);
    }
  }
}
