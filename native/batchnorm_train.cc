// Batch-norm training kernels for the fused BatchNormalization path (src/engine/batch-norm-training.ts).
// tfjs-layers computes the statistics with tf.moments (mean, subtract, square, mean: four passes and
// three full-size temporaries) and its gradient adds three gradient paths at full size. Here:
//   batchNormStats:     mean[c], biased var[c] in one pass (sums of x - shift[c], shift = the
//                       first row, so no cancellation unless |mean - x[0]| >> std by ~10^4)
//   batchNormBackward:  s1 = Σ g, s2 = Σ (x - mean)·g in one pass, then
//                       dx = k·(g − s1/M − (x − mean)·s2/(M·(var + eps))), k = scale/sqrt(var + eps),
//                       dscale = s2/sqrt(var + eps), doffset = s1
//                       with g = dy, or, when an offset is passed (a ReLU follows the batch norm),
//                       g = dy where the forward output x·a + b was > 0 (recomputed exactly as
//                       batchnorm.cc does), which saves the ReLU gradient's pass and tensor.
// Sums are float over blocks of kBlock rows, added into double per thread and block: exact enough
// (≤ 32 float terms) and vectorised 8 wide instead of 4 (double), with the row loops in AVX2 clones.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "common.h"

namespace tpc {
namespace {

constexpr int64_t kBlock = 32;

// Adds the float block sums f1, f2 into the double totals a1, a2 and clears them.
inline void flush(int64_t c, float* f1, float* f2, double* a1, double* a2) {
  for (int64_t j = 0; j < c; ++j) {
    a1[j] += f1[j];
    a2[j] += f2[j];
    f1[j] = 0.f;
    f2[j] = 0.f;
  }
}

// a1 += Σ (x − shift), a2 += Σ (x − shift)² over rows [r0, r1).
TPC_CLONES void statsRows(const float* x, int64_t r0, int64_t r1, int64_t c, const float* shift, float* f1, float* f2, double* a1,
                          double* a2) {
  for (int64_t r = r0; r < r1; ++r) {
    const float* xr = x + r * c;
#pragma omp simd
    for (int64_t j = 0; j < c; ++j) {
      const float d = xr[j] - shift[j];
      f1[j] += d;
      f2[j] += d * d;
    }
    if ((r - r0) % kBlock == kBlock - 1 || r == r1 - 1) flush(c, f1, f2, a1, a2);
  }
}

// g = dy, or dy masked where x·ma + mb > 0 (ma == nullptr: no mask).
inline float maskedGrad(float dy, float x, const float* ma, const float* mb, int64_t j) {
  if (ma == nullptr) return dy;
  const float z = x * ma[j] + mb[j];
  return z > 0.f ? dy : 0.f;
}

// a1 += Σ g, a2 += Σ (x − mean)·g over rows [r0, r1).
TPC_CLONES void gradSumRows(const float* dy, const float* x, int64_t r0, int64_t r1, int64_t c, const float* mean, const float* ma,
                            const float* mb, float* f1, float* f2, double* a1, double* a2) {
  for (int64_t r = r0; r < r1; ++r) {
    const float* xr = x + r * c;
    const float* gr = dy + r * c;
    if (ma == nullptr) {
#pragma omp simd
      for (int64_t j = 0; j < c; ++j) {
        f1[j] += gr[j];
        f2[j] += (xr[j] - mean[j]) * gr[j];
      }
    } else {
#pragma omp simd
      for (int64_t j = 0; j < c; ++j) {
        const float g = maskedGrad(gr[j], xr[j], ma, mb, j);
        f1[j] += g;
        f2[j] += (xr[j] - mean[j]) * g;
      }
    }
    if ((r - r0) % kBlock == kBlock - 1 || r == r1 - 1) flush(c, f1, f2, a1, a2);
  }
}

// dx = a·g + b·(x − mean) + d per channel over rows [r0, r1).
TPC_CLONES void dxRows(const float* dy, const float* x, int64_t r0, int64_t r1, int64_t c, const float* mean, const float* ma,
                       const float* mb, const float* a, const float* b, const float* d, float* dx) {
  for (int64_t r = r0; r < r1; ++r) {
    const float* xr = x + r * c;
    const float* gr = dy + r * c;
    float* out = dx + r * c;
    if (ma == nullptr) {
#pragma omp simd
      for (int64_t j = 0; j < c; ++j) out[j] = a[j] * gr[j] + b[j] * (xr[j] - mean[j]) + d[j];
    } else {
#pragma omp simd
      for (int64_t j = 0; j < c; ++j) out[j] = a[j] * maskedGrad(gr[j], xr[j], ma, mb, j) + b[j] * (xr[j] - mean[j]) + d[j];
    }
  }
}

// Per-thread double partial sums over the rows of an [rows, c] matrix, added up at the end.
// rowsFn(r0, r1, f1, f2, a1, a2) adds rows [r0, r1) into this thread's accumulators.
template <typename RowsFn>
void channelSums(int64_t rows, int64_t c, std::vector<double>& sum1, std::vector<double>& sum2, RowsFn rowsFn) {
  const int threads = rows * c >= kParallelMin ? omp_get_max_threads() : 1;
  std::vector<double> partial(static_cast<size_t>(threads) * 2 * c, 0.0);
#pragma omp parallel num_threads(threads)
  {
    const int t = omp_get_num_threads(), id = omp_get_thread_num();
    double* a1 = partial.data() + static_cast<size_t>(id) * 2 * c;
    std::vector<float> f(2 * c, 0.f);
    const int64_t r0 = rows * id / t, r1 = rows * (id + 1) / t;
    if (r1 > r0) rowsFn(r0, r1, f.data(), f.data() + c, a1, a1 + c);
  }
  sumPartials(partial, threads, c, sum1, sum2);
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
  channelSums(rows, c, s1, s2, [&](int64_t r0, int64_t r1, float* f1, float* f2, double* a1, double* a2) {
    statsRows(x, r0, r1, c, shift, f1, f2, a1, a2);
  });
  for (int64_t j = 0; j < c; ++j) {
    const double m = s1[j] / rows;
    mean[j] = static_cast<float>(shift[j] + m);
    var[j] = static_cast<float>(std::max(0.0, s2[j] / rows - m * m));
  }
  return info.Env().Undefined();
}

// batchNormBackward(dy, x, mean, variance, scale, offset|null, dx, dscale, doffset, rows, c, eps)
// offset given: the gradient of relu(batchNorm(x)) (see the header comment).
Napi::Value BatchNormBackward(const Napi::CallbackInfo& info) {
  const int64_t rows = intArg(info, 9, "batchNormBackward rows"), c = intArg(info, 10, "batchNormBackward channels");
  const double eps = numberArg(info, 11, "batchNormBackward epsilon");
  const float* dy = floatArg(info, 0, rows * c, "batchNormBackward dy");
  const float* x = floatArg(info, 1, rows * c, "batchNormBackward x");
  const float* mean = floatArg(info, 2, c, "batchNormBackward mean");
  const float* var = floatArg(info, 3, c, "batchNormBackward variance");
  const float* scale = floatArg(info, 4, c, "batchNormBackward scale");
  const bool relu = !(info[5].IsNull() || info[5].IsUndefined());
  const float* offset = relu ? floatArg(info, 5, c, "batchNormBackward offset") : nullptr;
  float* dx = floatArg(info, 6, rows * c, "batchNormBackward dx");
  float* dscale = floatArg(info, 7, c, "batchNormBackward dscale");
  float* doffset = floatArg(info, 8, c, "batchNormBackward doffset");
  // 0. The forward's affine factors, for the ReLU mask.
  std::vector<float> fa(c), fb(c);
  if (relu) {
    for (int64_t j = 0; j < c; ++j) batchNormAffine(mean[j], var[j], eps, scale[j], offset[j], fa[j], fb[j]);
  }
  const float* ma = relu ? fa.data() : nullptr;
  const float* mb = relu ? fb.data() : nullptr;
  // 1. s1 = Σ g, s2 = Σ (x - mean)·g per channel.
  std::vector<double> s1, s2;
  channelSums(rows, c, s1, s2, [&](int64_t r0, int64_t r1, float* f1, float* f2, double* a1, double* a2) {
    gradSumRows(dy, x, r0, r1, c, mean, ma, mb, f1, f2, a1, a2);
  });
  // 2. Per channel dx = a·g + b·(x - mean) + d, with a = k, b = -k·s2/(M·(var+eps)), d = -k·s1/M
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
  const int threads = rows * c >= kParallelMin ? omp_get_max_threads() : 1;
#pragma omp parallel num_threads(threads)
  {
    const int t = omp_get_num_threads(), id = omp_get_thread_num();
    const int64_t r0 = rows * id / t, r1 = rows * (id + 1) / t;
    if (r1 > r0) dxRows(dy, x, r0, r1, c, mean, ma, mb, a.data(), b.data(), d.data(), dx);
  }
  return info.Env().Undefined();
}

}  // namespace

void initBatchNormTrain(Napi::Env env, Napi::Object exports) {
  exports.Set("batchNormStats", Napi::Function::New(env, Guard<BatchNormStats>));
  exports.Set("batchNormBackward", Napi::Function::New(env, Guard<BatchNormBackward>));
}

}  // namespace tpc
