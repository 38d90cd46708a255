// Batch-norm inference/forward (tfjs FusedBatchNorm) with per-channel statistics:
// y = (x - mean) / sqrt(var + eps) * scale + offset, folded per channel into y = x*a + b
// (a, b computed in double by batchNormAffine, common.h). The statistics come from the reduce
// kernels as tfjs-layers computes them (moments), or from the fused training op's own kernel.
#include <cmath>
#include <vector>

#include "common.h"

namespace tpc {
namespace {

// batchNorm(x, mean, variance, scale|null, offset|null, out, rows, c, eps)
Napi::Value BatchNorm(const Napi::CallbackInfo& info) {
  const int64_t rows = intArg(info, 6, "batchNorm rows"), c = intArg(info, 7, "batchNorm channels");
  const double eps = numberArg(info, 8, "batchNorm epsilon");
  const float* x = floatArg(info, 0, rows * c, "batchNorm x");
  const float* mean = floatArg(info, 1, c, "batchNorm mean");
  const float* var = floatArg(info, 2, c, "batchNorm variance");
  const float* scale = info[3].IsNull() || info[3].IsUndefined() ? nullptr : floatArg(info, 3, c, "batchNorm scale");
  const float* offset = info[4].IsNull() || info[4].IsUndefined() ? nullptr : floatArg(info, 4, c, "batchNorm offset");
  float* y = floatArg(info, 5, rows * c, "batchNorm out");
  std::vector<float> a(c), b(c);
  for (int64_t j = 0; j < c; ++j) batchNormAffine(mean[j], var[j], eps, scale ? scale[j] : 1.0, offset ? offset[j] : 0.0, a[j], b[j]);
  const float* pa = a.data();
  const float* pb = b.data();
#pragma omp parallel for schedule(static) if (rows * c >= kParallelMin)
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * c;
    float* yr = y + r * c;
#pragma omp simd
    for (int64_t j = 0; j < c; ++j) yr[j] = xr[j] * pa[j] + pb[j];
  }
  return info.Env().Undefined();
}

}  // namespace

void initBatchNorm(Napi::Env env, Napi::Object exports) {
  exports.Set("batchNorm", Napi::Function::New(env, Guard<BatchNorm>));
}

}  // namespace tpc
