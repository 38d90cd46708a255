// Batch-norm training kernels for the fused BatchNormalization path (src/engine/batch-norm-training.ts).
// tfjs-layers computes the statistics with tf.moments (mean, subtract, square, mean: four passes and
// three full-size temporaries) and its gradient adds three gradient paths at full size. Here:
//   batchNormStats:     mean[c], biased var[c] in one pass (double sums of x - shift[c], shift = the
//                       first row, so no cancellation unless |mean - x[0]| >> std by ~10^4)
//   batchNormBackward:  s1 = Σ dy, s2 = Σ (x - mean)·dy in one pass, then
//                       dx = k·(dy − s1/M − (x − mean)·s2/(M·(var + eps))), k = scale/sqrt(var + eps),
//                       dscale = s2/sqrt(var + eps), doffset = s1
#include <omp.h>

#include <cmath>
#include <vector>

#include "common.h"

namespace tpc {
namespace {

// Per-thread double partial sums over rows of an [rows, c] matrix, added up at the end.
// f(row, acc1, acc2) adds one row into the two accumulators of this thread.
template <typename RowFn>
void channelSums(int64_t rows, int64_t c, std::vector<double>& sum1, std::vector<double>& sum2, RowFn f) {
  const int threads = rows * c >= kParallelMin ? omp_get_max_threads() : 1;
  std::vector<double> partial(static_cast<size_t>(threads) * 2 * c, 0.0);
#pragma omp parallel num_threads(threads)
  {
    double* a1 = partial.data() + static_cast<size_t>(omp_get_thread_num()) * 2 * c;
    double* a2 = a1 + c;
#pragma omp for schedule(static)
    for (int64_t r = 0; r < rows; ++r) f(r, a1, a2);
  }
  sum1.assign(c, 0.0);
  sum2.assign(c, 0.0);
  for (int t = 0; t < threads; ++t) {
    const double* a1 = partial.data() + static_cast<size_t>(t) * 2 * c;
    for (int64_t j = 0; j < c; ++j) {
      sum1[j] += a1[j];
      sum2[j] += a1[c + j];
    }
  }
}

// batchNormStats(x, mean, variance, rows, c)
Napi::Value BatchNormStats(const Napi::CallbackInfo& info) {
  const int64_t rows = intArg(info, 3, "batchNormStats rows"), c = intArg(info, 4, "batchNormStats channels");
  if (rows < 1) throw Napi::RangeError::New(info.Env(), "batchNormStats: need at least one row");
  const float* x = floatArg(info, 0, rows * c, "batchNormStats x");
  float* mean = floatArg(info, 1, c, "batchNormStats mean");
  float* var = floatArg(info, 2, c, "batchNormStats variance");
  const float* shift = x;  // first row
  std::vector<double> s1, s2;
  channelSums(rows, c, s1, s2, [&](int64_t r, double* a1, double* a2) {
    const float* xr = x + r * c;
#pragma omp simd
    for (int64_t j = 0; j < c; ++j) {
      const double d = static_cast<double>(xr[j]) - shift[j];
      a1[j] += d;
      a2[j] += d * d;
    }
  });
  for (int64_t j = 0; j < c; ++j) {
    const double m = s1[j] / rows;
    mean[j] = static_cast<float>(shift[j] + m);
    var[j] = static_cast<float>(std::max(0.0, s2[j] / rows - m * m));
  }
  return info.Env().Undefined();
}

// batchNormBackward(dy, x, mean, variance, scale, dx, dscale, doffset, rows, c, eps)
Napi::Value BatchNormBackward(const Napi::CallbackInfo& info) {
  const int64_t rows = intArg(info, 8, "batchNormBackward rows"), c = intArg(info, 9, "batchNormBackward channels");
  const double eps = numberArg(info, 10, "batchNormBackward epsilon");
  const float* dy = floatArg(info, 0, rows * c, "batchNormBackward dy");
  const float* x = floatArg(info, 1, rows * c, "batchNormBackward x");
  const float* mean = floatArg(info, 2, c, "batchNormBackward mean");
  const float* var = floatArg(info, 3, c, "batchNormBackward variance");
  const float* scale = floatArg(info, 4, c, "batchNormBackward scale");
  float* dx = floatArg(info, 5, rows * c, "batchNormBackward dx");
  float* dscale = floatArg(info, 6, c, "batchNormBackward dscale");
  float* doffset = floatArg(info, 7, c, "batchNormBackward doffset");
  // 1. s1 = Σ dy, s2 = Σ (x - mean)·dy per channel.
  std::vector<double> s1, s2;
  channelSums(rows, c, s1, s2, [&](int64_t r, double* a1, double* a2) {
    const float* xr = x + r * c;
    const float* gr = dy + r * c;
#pragma omp simd
    for (int64_t j = 0; j < c; ++j) {
      a1[j] += gr[j];
      a2[j] += static_cast<double>(xr[j] - mean[j]) * gr[j];
    }
  });
  // 2. Per channel dx = a·dy + b·(x - mean) + d, with a = k, b = -k·s2/(M·(var+eps)), d = -k·s1/M
  //    (x - mean first: folding b·mean into d would cancel when |mean| >> std).
  std::vector<float> a(c), b(c), d(c);
  for (int64_t j = 0; j < c; ++j) {
    const double rstd = 1.0 / std::sqrt(static_cast<double>(var[j]) + eps);
    const double k = scale[j] * rstd;
    const double bj = -k * s2[j] * rstd * rstd / rows;
    a[j] = static_cast<float>(k);
    b[j] = static_cast<float>(bj);
    d[j] = static_cast<float>(-k * s1[j] / rows);
    dscale[j] = static_cast<float>(s2[j] * rstd);
    doffset[j] = static_cast<float>(s1[j]);
  }
  const float *pa = a.data(), *pb = b.data(), *pd = d.data();
#pragma omp parallel for schedule(static) if (rows * c >= kParallelMin)
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * c;
    const float* gr = dy + r * c;
    float* out = dx + r * c;
#pragma omp simd
    for (int64_t j = 0; j < c; ++j) out[j] = pa[j] * gr[j] + pb[j] * (xr[j] - mean[j]) + pd[j];
  }
  return info.Env().Undefined();
}

}  // namespace

void initBatchNormTrain(Napi::Env env, Napi::Object exports) {
  exports.Set("batchNormStats", Napi::Function::New(env, Guard<BatchNormStats>));
  exports.Set("batchNormBackward", Napi::Function::New(env, Guard<BatchNormBackward>));
}

}  // namespace tpc
