// One AdamW update of a variable in a single pass (src/training/optimizer.ts): the op-by-op form
// runs ~14 tfjs kernels per variable, each a pass over memory and a dispatch, ~60 ms of a 0.36 s
// OASIS step. Every operation is a float32 operation in the optimizer's documented order (ISO C++
// mode: no FMA contraction), so the result is bit-identical to the op-by-op form.
#include <cmath>

#include "common.h"

namespace tpc {
namespace {

TPC_CLONES void adamwRange(const float* w, const float* m, const float* v, const float* g, float* wOut, float* mOut,
                           float* vOut, int64_t lo, int64_t hi, const float* p, bool scaleGrad, bool decay) {
  const float gradScale = p[0], b1 = p[1], oneMinusB1 = p[2], b2 = p[3], oneMinusB2 = p[4], oneMinusAcc1 = p[5],
              oneMinusAcc2 = p[6], eps = p[7], negLr = p[8], decayFactor = p[9];
  for (int64_t k = lo; k < hi; ++k) {
    const float gk = scaleGrad ? g[k] * gradScale : g[k];
    const float mk = m[k] * b1 + gk * oneMinusB1;
    const float vk = v[k] * b2 + (gk * gk) * oneMinusB2;
    const float mHat = mk / oneMinusAcc1;
    const float vHat = vk / oneMinusAcc2;
    const float stepped = (mHat / (std::sqrt(vHat) + eps)) * negLr + w[k];
    mOut[k] = mk;
    vOut[k] = vk;
    wOut[k] = decay ? stepped * decayFactor : stepped;
  }
}

// adamwUpdate(w, m, v, g, wOut, mOut, vOut, size, params) with params (float32 each) =
// [gradScale, β1, 1−β1, β2, 1−β2, 1−β1ᵗ, 1−β2ᵗ, ε, −lr, 1−lr·wd]; gradScale 1 and decay
// factor 1 skip their multiplications, as the op-by-op form skips those ops.
Napi::Value AdamwUpdate(const Napi::CallbackInfo& info) {
  const int64_t n = intArg(info, 7, "adamw size");
  const float* w = floatArg(info, 0, n, "adamw w");
  const float* m = floatArg(info, 1, n, "adamw m");
  const float* v = floatArg(info, 2, n, "adamw v");
  const float* g = floatArg(info, 3, n, "adamw g");
  float* wOut = floatArg(info, 4, n, "adamw w out");
  float* mOut = floatArg(info, 5, n, "adamw m out");
  float* vOut = floatArg(info, 6, n, "adamw v out");
  const float* p = floatArg(info, 8, 10, "adamw params");
  const bool scaleGrad = p[0] != 1.0f, decay = p[9] != 1.0f;
  const int64_t chunk = 1 << 14;
  const int64_t chunks = (n + chunk - 1) / chunk;
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
  for (int64_t c = 0; c < chunks; ++c) {
    const int64_t lo = c * chunk, hi = lo + chunk < n ? lo + chunk : n;
    adamwRange(w, m, v, g, wOut, mOut, vOut, lo, hi, p, scaleGrad, decay);
  }
  return info.Env().Undefined();
}

}  // namespace

void initAdamw(Napi::Env env, Napi::Object exports) {
  exports.Set("adamwUpdate", Napi::Function::New(env, Guard<AdamwUpdate>));
}

}  // namespace tpc
