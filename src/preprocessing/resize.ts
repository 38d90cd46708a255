/**
 * Bilinear resize without an anti-alias filter, with TensorFlow 2's tf.image.resize conventions
 * (half-pixel centres: src = (dst + 0.5)·in/out − 0.5, clamped to the edge). The spec downsamples
 * 1525² → 1024² this way; a linear map, so it commutes with the per-pixel affine normalisation.
 */

interface Taps {
  i0: Int32Array;
  i1: Int32Array;
  w1: Float32Array; // weight of i1; i0 gets 1 − w1
}

function taps(inSize: number, outSize: number): Taps {
  const i0 = new Int32Array(outSize);
  const i1 = new Int32Array(outSize);
  const w1 = new Float32Array(outSize);
  const ratio = inSize / outSize;
  for (let o = 0; o < outSize; o++) {
    const s = Math.min(Math.max((o + 0.5) * ratio - 0.5, 0), inSize - 1);
    const lo = Math.floor(s);
    i0[o] = lo;
    i1[o] = Math.min(lo + 1, inSize - 1);
    w1[o] = s - lo;
  }
  return { i0, i1, w1 };
}

/** Resize a row-major float map; returns a new Float32Array of outW × outH. */
export function resizeBilinear(
  src: Float32Array,
  inW: number,
  inH: number,
  outW: number,
  outH: number,
): Float32Array {
  if (src.length !== inW * inH) throw new Error(`resizeBilinear: map has ${src.length} px, expected ${inW}×${inH}`);
  if (inW === outW && inH === outH) return Float32Array.from(src);
  const tx = taps(inW, outW);
  const ty = taps(inH, outH);
  // pass 1: resize rows (x) into an inH × outW buffer; pass 2: columns (y)
  const tmp = new Float32Array(inH * outW);
  for (let y = 0; y < inH; y++) {
    const row = y * inW;
    const out = y * outW;
    for (let x = 0; x < outW; x++) {
      const w = tx.w1[x];
      tmp[out + x] = src[row + tx.i0[x]] * (1 - w) + src[row + tx.i1[x]] * w;
    }
  }
  const dst = new Float32Array(outW * outH);
  for (let y = 0; y < outH; y++) {
    const r0 = ty.i0[y] * outW;
    const r1 = ty.i1[y] * outW;
    const w = ty.w1[y];
    const out = y * outW;
    for (let x = 0; x < outW; x++) dst[out + x] = tmp[r0 + x] * (1 - w) + tmp[r1 + x] * w;
  }
  return dst;
}

/** Analysis-grid pixel that a raw crop pixel falls into (nearest, by the same half-pixel convention). */
export function cropToAnalysisIndex(cx: number, inSize: number, outSize: number): number {
  const a = Math.floor(((cx + 0.5) * outSize) / inSize);
  return Math.min(Math.max(a, 0), outSize - 1);
}
