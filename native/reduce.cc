// Sum/mean over a contiguous run of axes: the input is viewed as [outer, r, inner] and reduced
// over r (batch-norm statistics: [1, N*H*W, C]; global average pooling: [N, H*W, C]; a scalar
// loss: [1, size, 1]). Accumulates in double so results match tfjs's cpu backend, which sums in
// JS doubles, to well under 1e-6 relative.
#include <omp.h>

#include <vector>

#include "common.h"

namespace tpc {
namespace {

// reduceMiddle(x, out, outer, r, inner, mean)
Napi::Value ReduceMiddle(const Napi::CallbackInfo& info) {
  const int64_t outer = intArg(info, 2, "reduce outer"), r = intArg(info, 3, "reduce r"),
                inner = intArg(info, 4, "reduce inner");
  const bool mean = info[5].ToBoolean();
  const float* x = floatArg(info, 0, outer * r * inner, "reduce x");
  float* y = floatArg(info, 1, outer * inner, "reduce out");
  const int64_t m = outer * inner;
  const double scale = mean ? 1.0 / static_cast<double>(r) : 1.0;
  const bool parallel = outer * r * inner >= kParallelMin;
  if (m >= 4096) {
    // Many outputs: each thread owns whole outer slices, no sharing.
#pragma omp parallel if (parallel)
    {
      std::vector<double> acc(inner);
#pragma omp for schedule(static)
      for (int64_t o = 0; o < outer; ++o) {
        std::fill(acc.begin(), acc.end(), 0.0);
        const float* xo = x + o * r * inner;
        for (int64_t k = 0; k < r; ++k) {
          const float* row = xo + k * inner;
          for (int64_t i = 0; i < inner; ++i) acc[i] += row[i];
        }
        for (int64_t i = 0; i < inner; ++i) y[o * inner + i] = static_cast<float>(acc[i] * scale);
      }
    }
    return info.Env().Undefined();
  }
  // Few outputs (the common case): split r across threads, each with private accumulators.
  const int threads = parallel ? omp_get_max_threads() : 1;
  std::vector<double> partial(static_cast<size_t>(threads) * m, 0.0);
#pragma omp parallel num_threads(threads)
  {
    double* acc = partial.data() + static_cast<size_t>(omp_get_thread_num()) * m;
    for (int64_t o = 0; o < outer; ++o) {
      const float* xo = x + o * r * inner;
      double* ao = acc + o * inner;
#pragma omp for schedule(static) nowait
      for (int64_t k = 0; k < r; ++k) {
        const float* row = xo + k * inner;
        for (int64_t i = 0; i < inner; ++i) ao[i] += row[i];
      }
    }
  }
  for (int64_t j = 0; j < m; ++j) {
    double s = 0.0;
    for (int t = 0; t < threads; ++t) s += partial[static_cast<size_t>(t) * m + j];
    y[j] = static_cast<float>(s * scale);
  }
  return info.Env().Undefined();
}

}  // namespace

void initReduce(Napi::Env env, Napi::Object exports) {
  exports.Set("reduceMiddle", Napi::Function::New(env, Guard<ReduceMiddle>));
}

}  // namespace tpc
