import { selectKth } from '../core/select.js';

/** Median of a slice by quickselect on a scratch copy (no sort: this runs on every row of every frame). */
export function medianOf(values: Float32Array, scratch: Float32Array = new Float32Array(values.length)): number {
  const n = values.length;
  if (n === 0) return NaN;
  const a = scratch.length === n ? scratch : scratch.subarray(0, n);
  a.set(values);
  const k = n >> 1;
  const hi = selectKth(a, k);
  if (n % 2 === 1) return hi;
  let lo = -Infinity;
  for (let i = 0; i < k; i++) if (a[i] > lo) lo = a[i];
  return (lo + hi) / 2;
}
