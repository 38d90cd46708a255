// The two terms of the overlap-aware loss (src/overlap/loss.ts) as one pass each way, for a
// prediction p [N, H, W, C] (C = 2: ER, NR):
//   weightedAbsSum:      Σ w[pixel]·cw[c]·|p − t|                  (double accumulation)
//   weightedAbsBackward: dp = g·w·cw·sign(p − t)
//   maskedTvSum:         Σ over right and down edges (a, b) of v[a]·v[b]·|p(b) − p(a)|, all channels
//   maskedTvBackward:    dp(a) = g·Σ over the ≤ 4 edges of a of ±v·v·sign(Δp), as a gather
// with tfjs's Abs gradient as sign: +1 where the argument is > 0, else −1 (also at 0: step(x, −1)).
// In tfjs these are slices, broadcasts of [N, H, W, 1] over [N, H, W, 2] (generic index loops in
// the cpu backend) and pads in the gradient, each a separate pass.
#include <omp.h>

#include <cmath>

#include "common.h"

namespace tpc {
namespace {

inline float sign(float v) { return v > 0.f ? 1.f : -1.f; }  // tfjs: d|x|/dx = step(x, −1)

// weightedAbsSum(p, t, w, cw, out[1], pixels, c)
Napi::Value WeightedAbsSum(const Napi::CallbackInfo& info) {
  const int64_t pixels = intArg(info, 5, "weightedAbsSum pixels"), c = intArg(info, 6, "weightedAbsSum channels");
  const float* p = floatArg(info, 0, pixels * c, "weightedAbsSum pred");
  const float* t = floatArg(info, 1, pixels * c, "weightedAbsSum target");
  const float* w = floatArg(info, 2, pixels, "weightedAbsSum weight");
  const float* cw = floatArg(info, 3, c, "weightedAbsSum channel weights");
  float* out = floatArg(info, 4, 1, "weightedAbsSum out");
  double sum = 0.0;
#pragma omp parallel for reduction(+ : sum) schedule(static) if (pixels * c >= kParallelMin)
  for (int64_t i = 0; i < pixels; ++i) {
    double s = 0.0;
    for (int64_t j = 0; j < c; ++j) s += static_cast<double>(cw[j]) * std::fabs(p[i * c + j] - t[i * c + j]);
    sum += s * w[i];
  }
  out[0] = static_cast<float>(sum);
  return info.Env().Undefined();
}

// weightedAbsBackward(g[1], p, t, w, cw, dp, pixels, c)
Napi::Value WeightedAbsBackward(const Napi::CallbackInfo& info) {
  const int64_t pixels = intArg(info, 6, "weightedAbsBackward pixels"), c = intArg(info, 7, "weightedAbsBackward channels");
  const float g = floatArg(info, 0, 1, "weightedAbsBackward dy")[0];
  const float* p = floatArg(info, 1, pixels * c, "weightedAbsBackward pred");
  const float* t = floatArg(info, 2, pixels * c, "weightedAbsBackward target");
  const float* w = floatArg(info, 3, pixels, "weightedAbsBackward weight");
  const float* cw = floatArg(info, 4, c, "weightedAbsBackward channel weights");
  float* dp = floatArg(info, 5, pixels * c, "weightedAbsBackward dpred");
#pragma omp parallel for schedule(static) if (pixels * c >= kParallelMin)
  for (int64_t i = 0; i < pixels; ++i) {
    const float gw = g * w[i];
    for (int64_t j = 0; j < c; ++j) dp[i * c + j] = gw * cw[j] * sign(p[i * c + j] - t[i * c + j]);
  }
  return info.Env().Undefined();
}

// maskedTvSum(p, v, out[1], n, h, w, c)
Napi::Value MaskedTvSum(const Napi::CallbackInfo& info) {
  const int64_t n = intArg(info, 3, "maskedTvSum n"), h = intArg(info, 4, "maskedTvSum h"), w = intArg(info, 5, "maskedTvSum w"),
                c = intArg(info, 6, "maskedTvSum c");
  const float* p = floatArg(info, 0, n * h * w * c, "maskedTvSum pred");
  const float* v = floatArg(info, 1, n * h * w, "maskedTvSum valid");
  float* out = floatArg(info, 2, 1, "maskedTvSum out");
  double sum = 0.0;
#pragma omp parallel for reduction(+ : sum) schedule(static) if (n * h * w * c >= kParallelMin)
  for (int64_t r = 0; r < n * h; ++r) {
    const int64_t y = r % h;
    double s = 0.0;
    for (int64_t x = 0; x < w; ++x) {
      const int64_t i = r * w + x;
      if (x + 1 < w) {
        const double e = static_cast<double>(v[i] * v[i + 1]);
        double d = 0.0;
        for (int64_t j = 0; j < c; ++j) d += std::fabs(p[(i + 1) * c + j] - p[i * c + j]);
        s += e * d;
      }
      if (y + 1 < h) {
        const double e = static_cast<double>(v[i] * v[i + w]);
        double d = 0.0;
        for (int64_t j = 0; j < c; ++j) d += std::fabs(p[(i + w) * c + j] - p[i * c + j]);
        s += e * d;
      }
    }
    sum += s;
  }
  out[0] = static_cast<float>(sum);
  return info.Env().Undefined();
}

// maskedTvBackward(g[1], p, v, dp, n, h, w, c)
Napi::Value MaskedTvBackward(const Napi::CallbackInfo& info) {
  const int64_t n = intArg(info, 4, "maskedTvBackward n"), h = intArg(info, 5, "maskedTvBackward h"),
                w = intArg(info, 6, "maskedTvBackward w"), c = intArg(info, 7, "maskedTvBackward c");
  const float g = floatArg(info, 0, 1, "maskedTvBackward dy")[0];
  const float* p = floatArg(info, 1, n * h * w * c, "maskedTvBackward pred");
  const float* v = floatArg(info, 2, n * h * w, "maskedTvBackward valid");
  float* dp = floatArg(info, 3, n * h * w * c, "maskedTvBackward dpred");
#pragma omp parallel for schedule(static) if (n * h * w * c >= kParallelMin)
  for (int64_t r = 0; r < n * h; ++r) {
    const int64_t y = r % h;
    for (int64_t x = 0; x < w; ++x) {
      const int64_t i = r * w + x;
      // edge weights g·v·v of the left, right, up and down edges (0 where there is none)
      const float el = x > 0 ? g * (v[i - 1] * v[i]) : 0.f;
      const float er = x + 1 < w ? g * (v[i] * v[i + 1]) : 0.f;
      const float eu = y > 0 ? g * (v[i - w] * v[i]) : 0.f;
      const float ed = y + 1 < h ? g * (v[i] * v[i + w]) : 0.f;
      for (int64_t j = 0; j < c; ++j) {
        const float a = p[i * c + j];
        float s = 0.f;
        if (x > 0) s += el * sign(a - p[(i - 1) * c + j]);
        if (x + 1 < w) s -= er * sign(p[(i + 1) * c + j] - a);
        if (y > 0) s += eu * sign(a - p[(i - w) * c + j]);
        if (y + 1 < h) s -= ed * sign(p[(i + w) * c + j] - a);
        dp[i * c + j] = s;
      }
    }
  }
  return info.Env().Undefined();
}

}  // namespace

void initOasisLoss(Napi::Env env, Napi::Object exports) {
  exports.Set("weightedAbsSum", Napi::Function::New(env, Guard<WeightedAbsSum>));
  exports.Set("weightedAbsBackward", Napi::Function::New(env, Guard<WeightedAbsBackward>));
  exports.Set("maskedTvSum", Napi::Function::New(env, Guard<MaskedTvSum>));
  exports.Set("maskedTvBackward", Napi::Function::New(env, Guard<MaskedTvBackward>));
}

}  // namespace tpc
