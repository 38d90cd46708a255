/**
 * Step 1 of "From residual map to ROIs" (spec roi-trigger.md): keep the pixels whose anomaly score
 * exceeds τ. Strictly greater, so a map of all-τ keeps nothing; NaN scores never pass (NaN > τ is
 * false), so a corrupt pixel cannot open an ROI on its own.
 */

/** Binary mask (0/1, same row-major layout as `map`) of the pixels with score > tau. */
export function thresholdMap(map: Float32Array, tau: number): Uint8Array {
  if (Number.isNaN(tau)) throw new RangeError('thresholdMap: tau is NaN');
  const n = map.length;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = map[i] > tau ? 1 : 0;
  return out;
}
