// Stride-1 convolutions with one channel on the narrow side, as OpenMP loops instead of oneDNN:
//   forward with Cout = 1           (the autoencoder's reconstruction conv, 22 -> 1)
//   backward-weights with Cout = 1  (its filter gradient)
//   backward-data with Cin = 1      (the gradient into a 1-channel input, e.g. the stem's)
// oneDNN 2.6's jit kernels block channels by 16 and reach 5-10 GFLOP/s on these shapes, slower
// than reading the wide tensor once (at 256² batch 8: ~27 ms each for 0.2 GFLOP, where the loops
// below take a few ms). They rely on one fact of NHWC with an hwio filter: for a fixed kernel row
// kh, the KW·C input values under the filter at output column ow are contiguous in memory
// (x[ih][ow - padL .. ow - padL + KW)[0..C)), and so is the filter row w[kh][0..KW)[0..C) when the
// other channel count is 1. Each output pixel is then KH dot products of length KW·C (clipped at
// the left/right border), and the filter gradient KH axpys of that length.
#include <omp.h>

#include <algorithm>
#include <vector>

#include "conv_single.h"

namespace tpc {
namespace {

// Columns [k0, k1) of a KW-wide window starting at input column `start` that fall inside [0, width).
inline void clip(int64_t start, int64_t kw, int64_t width, int64_t& k0, int64_t& k1) {
  k0 = std::max<int64_t>(0, -start);
  k1 = std::min<int64_t>(kw, width - start);
}

inline float dot(const float* a, const float* b, int64_t n) {
  float s = 0.0f;
#pragma omp simd reduction(+ : s)
  for (int64_t i = 0; i < n; ++i) s += a[i] * b[i];
  return s;
}

// out[o] += dot(in + (o + start)·c, wr, KW·c) over the columns of one row, clipped to [0, width).
TPC_CLONES void rowDots(const float* in, const float* wr, float* out, int64_t outLen, int64_t start, int64_t kw,
                        int64_t width, int64_t c) {
  for (int64_t o = 0; o < outLen; ++o) {
    int64_t k0, k1;
    clip(o + start, kw, width, k0, k1);
    if (k1 > k0) out[o] += dot(in + (o + start + k0) * c, wr + k0 * c, (k1 - k0) * c);
  }
}

// acc[0, KW·c) += g[o] · in[(o + start)·c ...] over the columns of one row, clipped to [0, width).
TPC_CLONES void rowAxpys(const float* in, const float* g, float* acc, int64_t outLen, int64_t start, int64_t kw,
                         int64_t width, int64_t c) {
  for (int64_t o = 0; o < outLen; ++o) {
    int64_t k0, k1;
    clip(o + start, kw, width, k0, k1);
    const float gv = g[o];
    const float* xs = in + (o + start + k0) * c;
    float* as = acc + k0 * c;
    const int64_t len = (k1 - k0) * c;
#pragma omp simd
    for (int64_t i = 0; i < len; ++i) as[i] += gv * xs[i];
  }
}

bool parallel(int64_t work) { return work >= kParallelMin; }

}  // namespace

bool singleChannelCase(const SingleConvShape& s) {
  return s.sh == 1 && s.sw == 1 && s.dh == 1 && s.dw == 1 && s.oh == s.h + s.padT + s.padB - s.kh + 1 &&
         s.ow == s.w + s.padL + s.padR - s.kw + 1;
}

// y [N, OH, OW] = Σ_kh Σ_(kw, c) x[n, oh + kh - padT, ow + kw - padL, c] · w[kh, kw, c]
void singleConvForward(const SingleConvShape& s, const float* x, const float* w, float* y) {
  const int64_t c = s.c, rowLen = s.w * c;
#pragma omp parallel for schedule(static) if (parallel(s.n * s.h * rowLen))
  for (int64_t r = 0; r < s.n * s.oh; ++r) {
    const int64_t n = r / s.oh, oh = r % s.oh;
    float* yr = y + r * s.ow;
    std::fill(yr, yr + s.ow, 0.0f);
    for (int64_t kh = 0; kh < s.kh; ++kh) {
      const int64_t ih = oh + kh - s.padT;
      if (ih < 0 || ih >= s.h) continue;
      const float* xr = x + (n * s.h + ih) * rowLen;
      rowDots(xr, w + kh * s.kw * c, yr, s.ow, -s.padL, s.kw, s.w, c);
    }
  }
}

// dw [KH, KW, C] = Σ_(n, oh, ow) dy[n, oh, ow] · x[n, oh + kh - padT, ow + kw - padL, c]
// Float sums along one output row (at most OW terms), added into per-thread double totals.
void singleConvBackwardWeights(const SingleConvShape& s, const float* x, const float* dy, float* dw) {
  const int64_t c = s.c, rowLen = s.w * c, wLen = s.kh * s.kw * c;
  const int threads = parallel(s.n * s.h * rowLen) ? omp_get_max_threads() : 1;
  std::vector<double> totals(static_cast<size_t>(threads) * wLen, 0.0);
#pragma omp parallel num_threads(threads)
  {
    double* total = totals.data() + static_cast<size_t>(omp_get_thread_num()) * wLen;
    std::vector<float> rowAcc(wLen);
#pragma omp for schedule(static)
    for (int64_t r = 0; r < s.n * s.oh; ++r) {
      const int64_t n = r / s.oh, oh = r % s.oh;
      const float* gr = dy + r * s.ow;
      std::fill(rowAcc.begin(), rowAcc.end(), 0.0f);
      for (int64_t kh = 0; kh < s.kh; ++kh) {
        const int64_t ih = oh + kh - s.padT;
        if (ih < 0 || ih >= s.h) continue;
        const float* xr = x + (n * s.h + ih) * rowLen;
        rowAxpys(xr, gr, rowAcc.data() + kh * s.kw * c, s.ow, -s.padL, s.kw, s.w, c);
      }
      for (int64_t i = 0; i < wLen; ++i) total[i] += rowAcc[i];
    }
  }
  for (int64_t i = 0; i < wLen; ++i) {
    double v = 0.0;
    for (int t = 0; t < threads; ++t) v += totals[static_cast<size_t>(t) * wLen + i];
    dw[i] = static_cast<float>(v);
  }
}

// dx [N, H, W] = Σ_kh Σ_(kw, c) dy[n, ih - kh + padT, iw - kw + padL, c] · w[kh, kw, c]: with
// stride 1 this is the forward loop over dy with the filter flipped in both directions
// (wf[kh][kw] = w[KH-1-kh][KW-1-kw]) and pads KH-1-padT, KH-1-padB, KW-1-padL, KW-1-padR.
void singleConvBackwardData(const SingleConvShape& s, const float* dy, const float* w, float* dx) {
  const int64_t c = s.c;
  std::vector<float> flipped(static_cast<size_t>(s.kh * s.kw * c));
  for (int64_t kh = 0; kh < s.kh; ++kh)
    for (int64_t kw = 0; kw < s.kw; ++kw)
      std::copy_n(w + ((s.kh - 1 - kh) * s.kw + s.kw - 1 - kw) * c, c, flipped.data() + (kh * s.kw + kw) * c);
  SingleConvShape t = s;
  t.h = s.oh, t.w = s.ow, t.oh = s.h, t.ow = s.w;
  t.padT = s.kh - 1 - s.padT, t.padB = s.kh - 1 - s.padB, t.padL = s.kw - 1 - s.padL, t.padR = s.kw - 1 - s.padR;
  singleConvForward(t, dy, flipped.data(), dx);
}

}  // namespace tpc
