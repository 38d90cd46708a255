// Fused gradient helpers for the lean gradients (src/engine/lean-gradients.ts), each replacing
// two or three separate tfjs passes and their temporary tensors:
//   reluBackward:       dx = x > 0 ? dy : 0                       (tfjs: step(x), then dy * step)
//   centredChannelSum:  s[c] = sum over rows of (x - mean[c]) * dy  (tfjs: sub, mul, sum)
//   sqDiffBackward:     da = 2 (a - b[c]) dy, b per channel          (tfjs: sub, mul by 2, mul)
#include <omp.h>

#include <vector>

#include "common.h"

namespace tpc {
namespace {

// reluBackward(dy, x, out, n)
Napi::Value ReluBackward(const Napi::CallbackInfo& info) {
  const int64_t n = intArg(info, 3, "reluBackward size");
  const float* dy = floatArg(info, 0, n, "reluBackward dy");
  const float* x = floatArg(info, 1, n, "reluBackward x");
  float* dx = floatArg(info, 2, n, "reluBackward out");
  // dy is loaded unconditionally: a conditional load kept the loop scalar and branchy (random
  // signs mispredict), 8x slower than the vectorised select.
#pragma omp parallel for simd schedule(static) if (n >= kParallelMin)
  for (int64_t i = 0; i < n; ++i) {
    const float g = dy[i];
    dx[i] = x[i] > 0.f ? g : 0.f;
  }
  return info.Env().Undefined();
}

// centredChannelSum(x, mean, dy, out, rows, c)
Napi::Value CentredChannelSum(const Napi::CallbackInfo& info) {
  const int64_t rows = intArg(info, 4, "centredChannelSum rows"), c = intArg(info, 5, "centredChannelSum channels");
  const float* x = floatArg(info, 0, rows * c, "centredChannelSum x");
  const float* mean = floatArg(info, 1, c, "centredChannelSum mean");
  const float* dy = floatArg(info, 2, rows * c, "centredChannelSum dy");
  float* out = floatArg(info, 3, c, "centredChannelSum out");
  const int threads = rows * c >= kParallelMin ? omp_get_max_threads() : 1;
  std::vector<double> partial(static_cast<size_t>(threads) * c, 0.0);
#pragma omp parallel num_threads(threads)
  {
    double* acc = partial.data() + static_cast<size_t>(omp_get_thread_num()) * c;
#pragma omp for schedule(static)
    for (int64_t r = 0; r < rows; ++r) {
      const float* xr = x + r * c;
      const float* gr = dy + r * c;
      for (int64_t j = 0; j < c; ++j) acc[j] += static_cast<double>(xr[j] - mean[j]) * gr[j];
    }
  }
  for (int64_t j = 0; j < c; ++j) {
    double s = 0.0;
    for (int t = 0; t < threads; ++t) s += partial[static_cast<size_t>(t) * c + j];
    out[j] = static_cast<float>(s);
  }
  return info.Env().Undefined();
}

// sqDiffBackward(dy, a, b, out, rows, c)
Napi::Value SqDiffBackward(const Napi::CallbackInfo& info) {
  const int64_t rows = intArg(info, 4, "sqDiffBackward rows"), c = intArg(info, 5, "sqDiffBackward channels");
  const float* dy = floatArg(info, 0, rows * c, "sqDiffBackward dy");
  const float* a = floatArg(info, 1, rows * c, "sqDiffBackward a");
  const float* b = floatArg(info, 2, c, "sqDiffBackward b");
  float* out = floatArg(info, 3, rows * c, "sqDiffBackward out");
#pragma omp parallel for schedule(static) if (rows * c >= kParallelMin)
  for (int64_t r = 0; r < rows; ++r) {
    const float* ar = a + r * c;
    const float* gr = dy + r * c;
    float* orow = out + r * c;
#pragma omp simd
    for (int64_t j = 0; j < c; ++j) orow[j] = 2.f * (ar[j] - b[j]) * gr[j];
  }
  return info.Env().Undefined();
}

}  // namespace

void initFusedGrad(Napi::Env env, Napi::Object exports) {
  exports.Set("reluBackward", Napi::Function::New(env, Guard<ReluBackward>));
  exports.Set("centredChannelSum", Napi::Function::New(env, Guard<CentredChannelSum>));
  exports.Set("sqDiffBackward", Napi::Function::New(env, Guard<SqDiffBackward>));
}

}  // namespace tpc
