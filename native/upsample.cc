// Bilinear ×2 upsampling with half-pixel centres (src/models/bilinear-upsample.ts) and its exact
// adjoint, for x [N, H, W, C] → y [N, 2H, 2W, C]. Per axis of length L, output 2k takes
// 0.75·x[k] + 0.25·x[max(k − 1, 0)] and 2k + 1 takes 0.75·x[k] + 0.25·x[min(k + 1, L − 1)].
//   upsample2x:         per output row, the two source rows blended along H into a [W, C] row,
//                       then blended along W into the output (separable, like the layer's tfjs form).
//   upsample2xBackward: the transpose of the same taps: per input row, the output rows that read
//                       it summed along H into a [2W, C] row, then gathered along W.
// Both are gathers (each output element written once by one thread), so no atomics.
#include <vector>

#include "common.h"

namespace tpc {
namespace {

struct Tap {
  int64_t src;
  float w;
};

// Forward taps of one axis: for output o, two (source, weight) pairs.
std::vector<Tap> forwardTaps(int64_t len) {
  std::vector<Tap> taps(4 * len);
  for (int64_t k = 0; k < len; ++k) {
    taps[4 * k] = {k, 0.75f};
    taps[4 * k + 1] = {k > 0 ? k - 1 : 0, 0.25f};
    taps[4 * k + 2] = {k, 0.75f};
    taps[4 * k + 3] = {k + 1 < len ? k + 1 : len - 1, 0.25f};
  }
  return taps;  // output o uses taps[2o], taps[2o + 1]
}

// Adjoint taps: for input i, the (output, weight) pairs whose forward taps read i; start[i]..start[i+1].
void adjointTaps(int64_t len, std::vector<Tap>& taps, std::vector<int64_t>& start) {
  const std::vector<Tap> fwd = forwardTaps(len);
  std::vector<std::vector<Tap>> per(len);
  for (int64_t o = 0; o < 2 * len; ++o)
    for (int t = 0; t < 2; ++t) per[fwd[2 * o + t].src].push_back({o, fwd[2 * o + t].w});
  taps.clear();
  start.assign(len + 1, 0);
  for (int64_t i = 0; i < len; ++i) {
    start[i] = static_cast<int64_t>(taps.size());
    taps.insert(taps.end(), per[i].begin(), per[i].end());
  }
  start[len] = static_cast<int64_t>(taps.size());
}

// upsample2x(x, y, n, h, w, c)
Napi::Value Upsample2x(const Napi::CallbackInfo& info) {
  const int64_t n = intArg(info, 2, "upsample2x n"), h = intArg(info, 3, "upsample2x h"), w = intArg(info, 4, "upsample2x w"),
                c = intArg(info, 5, "upsample2x c");
  if (n < 1 || h < 1 || w < 1 || c < 1) throw Napi::RangeError::New(info.Env(), "upsample2x: empty input");
  const float* x = floatArg(info, 0, n * h * w * c, "upsample2x x");
  float* y = floatArg(info, 1, n * 4 * h * w * c, "upsample2x y");
  const std::vector<Tap> th = forwardTaps(h), tw = forwardTaps(w);
  const int64_t rowIn = w * c, rowOut = 2 * w * c;
#pragma omp parallel if (n * 4 * h * w * c >= kParallelMin)
  {
    std::vector<float> row(rowIn);
#pragma omp for schedule(static)
    for (int64_t r = 0; r < n * 2 * h; ++r) {
      const int64_t s = r / (2 * h), o = r % (2 * h);
      const float* a = x + (s * h + th[2 * o].src) * rowIn;
      const float* b = x + (s * h + th[2 * o + 1].src) * rowIn;
      const float wa = th[2 * o].w, wb = th[2 * o + 1].w;
#pragma omp simd
      for (int64_t i = 0; i < rowIn; ++i) row[i] = wa * a[i] + wb * b[i];
      float* out = y + r * rowOut;
      for (int64_t ox = 0; ox < 2 * w; ++ox) {
        const float* p = row.data() + tw[2 * ox].src * c;
        const float* q = row.data() + tw[2 * ox + 1].src * c;
        const float wp = tw[2 * ox].w, wq = tw[2 * ox + 1].w;
        float* dst = out + ox * c;
#pragma omp simd
        for (int64_t j = 0; j < c; ++j) dst[j] = wp * p[j] + wq * q[j];
      }
    }
  }
  return info.Env().Undefined();
}

// dst = w·src (first) or dst += w·src, over n values.
inline void weighted(float* dst, const float* src, float w, int64_t n, bool first) {
  if (first) {
#pragma omp simd
    for (int64_t k = 0; k < n; ++k) dst[k] = w * src[k];
  } else {
#pragma omp simd
    for (int64_t k = 0; k < n; ++k) dst[k] += w * src[k];
  }
}

// upsample2xBackward(dy, dx, n, h, w, c): h, w of the input x
Napi::Value Upsample2xBackward(const Napi::CallbackInfo& info) {
  const int64_t n = intArg(info, 2, "upsample2xBackward n"), h = intArg(info, 3, "upsample2xBackward h"),
                w = intArg(info, 4, "upsample2xBackward w"), c = intArg(info, 5, "upsample2xBackward c");
  if (n < 1 || h < 1 || w < 1 || c < 1) throw Napi::RangeError::New(info.Env(), "upsample2xBackward: empty input");
  const float* dy = floatArg(info, 0, n * 4 * h * w * c, "upsample2xBackward dy");
  float* dx = floatArg(info, 1, n * h * w * c, "upsample2xBackward dx");
  std::vector<Tap> ah, aw;
  std::vector<int64_t> sh, sw;
  adjointTaps(h, ah, sh);
  adjointTaps(w, aw, sw);
  const int64_t rowOut = 2 * w * c, rowIn = w * c;
#pragma omp parallel if (n * 4 * h * w * c >= kParallelMin)
  {
    std::vector<float> row(rowOut);
#pragma omp for schedule(static)
    for (int64_t r = 0; r < n * h; ++r) {
      const int64_t s = r / h, i = r % h;
      // 1. along H: row = Σ weight · dy[output row]
      for (int64_t t = sh[i]; t < sh[i + 1]; ++t) {
        weighted(row.data(), dy + (s * 2 * h + ah[t].src) * rowOut, ah[t].w, rowOut, t == sh[i]);
      }
      // 2. along W: dx[ix] = Σ weight · row[output column]
      float* out = dx + r * rowIn;
      for (int64_t ix = 0; ix < w; ++ix) {
        float* dst = out + ix * c;
        for (int64_t t = sw[ix]; t < sw[ix + 1]; ++t) weighted(dst, row.data() + aw[t].src * c, aw[t].w, c, t == sw[ix]);
      }
    }
  }
  return info.Env().Undefined();
}

}  // namespace

void initUpsample(Napi::Env env, Napi::Object exports) {
  exports.Set("upsample2x", Napi::Function::New(env, Guard<Upsample2x>));
  exports.Set("upsample2xBackward", Napi::Function::New(env, Guard<Upsample2xBackward>));
}

}  // namespace tpc
