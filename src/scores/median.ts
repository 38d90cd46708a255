/** Median of a slice by quickselect on a scratch copy (no sort: this runs on every row of every frame). */
export function medianOf(values: Float32Array, scratch: Float32Array = new Float32Array(values.length)): number {
  const n = values.length;
  if (n === 0) return NaN;
  const a = scratch.length === n ? scratch : scratch.subarray(0, n);
  a.set(values);
  const k = n >> 1;
  const hi = select(a, k);
  if (n % 2 === 1) return hi;
  let lo = -Infinity;
  for (let i = 0; i < k; i++) if (a[i] > lo) lo = a[i];
  return (lo + hi) / 2;
}

/** Hoare quickselect: puts the k-th smallest at a[k], smaller ones before it; returns a[k]. */
function select(a: Float32Array, k: number): number {
  let left = 0;
  let right = a.length - 1;
  while (right > left) {
    const pivot = a[(left + right) >> 1];
    let i = left;
    let j = right;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else break;
  }
  return a[k];
}
