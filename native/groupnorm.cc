// Group normalisation (src/models/group-norm.ts) with an optional SiLU after it, for x [N, HW, C]
// (NHWC, G groups of C/G channels, statistics per sample and group over HW·C/G = M values):
//   groupNormForward:  1. per (n, c) double sums of x − shift and (x − shift)², shift = the group's
//                         first value of the sample (no cancellation unless |μ − shift| ≫ σ by ~10⁴);
//                      2. μ, rstd = 1/√(σ² + ε) per (n, g) (σ² biased, clamped at 0);
//                      3. z = (x − μ)·rstd·γ + β, y = z or z·sigmoid(z).
//   groupNormBackward: 1. dz = dy or dy·sigmoid(z)·(1 + z·(1 − sigmoid(z))) (z recomputed), written
//                         into dx, with per (n, c) double sums S1 = Σ dz, S2 = Σ dz·x̂;
//                      2. dβ = Σ_n S1, dγ = Σ_n S2; per (n, g) A = Σ_c γ·S1, B = Σ_c γ·S2;
//                      3. dx = rstd·(γ·dz − A/M − x̂·B/M), in place over dz.
// Two passes over x each way and nothing kept but x and the [N, G] statistics.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "common.h"

namespace tpc {
namespace {

struct Dims {
  int64_t n, hw, c, g;
  int64_t cg() const { return c / g; }
};

Dims dimsFrom(const Napi::CallbackInfo& info, size_t at, const char* what) {
  Dims d{intArg(info, at, what), intArg(info, at + 1, what), intArg(info, at + 2, what), intArg(info, at + 3, what)};
  if (d.n < 1 || d.hw < 1 || d.c < 1 || d.g < 1 || d.c % d.g != 0) {
    throw Napi::RangeError::New(info.Env(), std::string(what) + ": need N, HW, C ≥ 1 and C divisible by the groups");
  }
  return d;
}

// The hot loops work on a block of rows of one sample and exist twice (TPC_CLONES, common.h).
// AVX2 halves the instruction count of the SiLU and of the double accumulations.

// exp(x) for the SiLU, written so that the loops vectorise (libm's expf is a scalar call and made
// SiLU layers 3× slower than plain ones): Cody–Waite reduction x = n·ln2 + r, Cephes' degree-6
// polynomial for e^r, 2^n through the exponent bits; relative error ≤ 8e-8 (1 ulp) on [−87, 88].
// The exponent is clamped to the normal range, so beyond it the result stays finite: sigmoid(z)
// is then 1 for z > 87 and ~1e-38 instead of 0 for z < −88 (non-finite z gives NaN).
// (Clamping x instead, with float selects, made these loops ~10× slower: scalar without
// -fno-trapping-math, and with it a blend of both clamp paths.)
inline float expVec(float x) {
  const float t = x * 1.44269504088896341f;
  const float n = (t + 12582912.f) - 12582912.f;  // round to nearest (1.5·2^23 trick, no branch)
  int32_t i = static_cast<int32_t>(n);
  i = i < -126 ? -126 : i;
  i = i > 127 ? 127 : i;
  const float r = (x - n * 0.693359375f) - n * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.f;
  const int32_t bits = (i + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}

inline float sigmoid(float z) { return 1.f / (1.f + expVec(-z)); }

// a1[j] += Σ (x − shift[j]), a2[j] += Σ (x − shift[j])² over `rows` rows of c values.
TPC_CLONES void statsRows(const float* x, int64_t rows, int64_t c, const float* shift, double* a1, double* a2) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * c;
#pragma omp simd
    for (int64_t j = 0; j < c; ++j) {
      const double v = static_cast<double>(xr[j]) - shift[j];
      a1[j] += v;
      a2[j] += v * v;
    }
  }
}

// y = z or z·sigmoid(z), z = (x − mu[j])·k[j] + beta[j].
TPC_CLONES void normaliseRows(const float* x, int64_t rows, int64_t c, const float* mu, const float* k, const float* beta, bool silu, float* y) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * c;
    float* yr = y + r * c;
    if (silu) {
#pragma omp simd
      for (int64_t j = 0; j < c; ++j) {
        const float z = (xr[j] - mu[j]) * k[j] + beta[j];
        yr[j] = z * sigmoid(z);
      }
    } else {
#pragma omp simd
      for (int64_t j = 0; j < c; ++j) yr[j] = (xr[j] - mu[j]) * k[j] + beta[j];
    }
  }
}

// dz = dy (or dy·silu'(z), z = x̂·γ + β, x̂ = (x − mu)·rs) into dz; a1 += Σ dz, a2 += Σ dz·x̂.
TPC_CLONES void backwardRows(const float* x, const float* dy, int64_t rows, int64_t c, const float* mu, const float* rs, const float* gamma,
                             const float* beta, bool silu, float* dz, double* a1, double* a2) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * c;
    const float* gr = dy + r * c;
    float* zr = dz + r * c;
    if (silu) {
#pragma omp simd
      for (int64_t j = 0; j < c; ++j) {
        const float z = (xr[j] - mu[j]) * rs[j] * gamma[j] + beta[j];
        const float s = sigmoid(z);
        zr[j] = gr[j] * (s * (1.f + z * (1.f - s)));
      }
    } else {
      std::memcpy(zr, gr, sizeof(float) * c);
    }
#pragma omp simd
    for (int64_t j = 0; j < c; ++j) {
      const float xhat = (xr[j] - mu[j]) * rs[j];
      a1[j] += zr[j];
      a2[j] += static_cast<double>(zr[j]) * xhat;
    }
  }
}

// dx = k1·dz + k2·(x − mu) + k3, in place over dz.
TPC_CLONES void dxRows(const float* x, int64_t rows, int64_t c, const float* mu, const float* k1, const float* k2, const float* k3, float* dx) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * c;
    float* out = dx + r * c;
#pragma omp simd
    for (int64_t j = 0; j < c; ++j) out[j] = k1[j] * out[j] + k2[j] * (xr[j] - mu[j]) + k3[j];
  }
}

// Runs f(n, first row, row count) over blocks of up to 64 rows of one sample, in parallel when
// the tensor is large; f may use omp_get_thread_num() for per-thread accumulators.
constexpr int64_t kBlock = 64;
template <typename BlockFn>
void forBlocks(const Dims& d, int threads, BlockFn f) {
  const int64_t perSample = (d.hw + kBlock - 1) / kBlock;
#pragma omp parallel for schedule(static) num_threads(threads)
  for (int64_t b = 0; b < d.n * perSample; ++b) {
    const int64_t n = b / perSample, r0 = (b % perSample) * kBlock;
    f(n, r0, std::min(kBlock, d.hw - r0));
  }
}

int threadsFor(const Dims& d) { return d.n * d.hw * d.c >= kParallelMin ? omp_get_max_threads() : 1; }

// Per (n, c) double sums s1, s2 [N·C] from per-thread partials: add(n, r0, rows, a1, a2) adds a
// block of sample n into that sample's accumulators a1, a2 [C].
template <typename AddFn>
void sampleChannelSums(const Dims& d, std::vector<double>& s1, std::vector<double>& s2, AddFn add) {
  const int64_t nc = d.n * d.c;
  const int threads = threadsFor(d);
  std::vector<double> partial(static_cast<size_t>(threads) * 2 * nc, 0.0);
  forBlocks(d, threads, [&](int64_t n, int64_t r0, int64_t rows) {
    double* a = partial.data() + static_cast<size_t>(omp_get_thread_num()) * 2 * nc;
    add(n, r0, rows, a + n * d.c, a + nc + n * d.c);
  });
  sumPartials(partial, threads, nc, s1, s2);
}

// groupNormForward(x, gamma, beta, y, mean, rstd, n, hw, c, groups, epsilon, silu)
// mean, rstd: [N, G]
Napi::Value GroupNormForward(const Napi::CallbackInfo& info) {
  const Dims d = dimsFrom(info, 6, "groupNormForward");
  const double eps = numberArg(info, 10, "groupNormForward epsilon");
  const bool silu = info[11].ToBoolean().Value();
  const int64_t size = d.n * d.hw * d.c, cg = d.cg();
  const float* x = floatArg(info, 0, size, "groupNormForward x");
  const float* gamma = floatArg(info, 1, d.c, "groupNormForward gamma");
  const float* beta = floatArg(info, 2, d.c, "groupNormForward beta");
  float* y = floatArg(info, 3, size, "groupNormForward y");
  float* mean = floatArg(info, 4, d.n * d.g, "groupNormForward mean");
  float* rstd = floatArg(info, 5, d.n * d.g, "groupNormForward rstd");
  // 1. Shifted sums per (n, c); the shift of channel j is the first value of its group in sample n.
  std::vector<float> shift(d.n * d.c);
  for (int64_t n = 0; n < d.n; ++n)
    for (int64_t j = 0; j < d.c; ++j) shift[n * d.c + j] = x[n * d.hw * d.c + (j / cg) * cg];
  std::vector<double> s1, s2;
  sampleChannelSums(d, s1, s2, [&](int64_t n, int64_t r0, int64_t rows, double* a1, double* a2) {
    statsRows(x + (n * d.hw + r0) * d.c, rows, d.c, shift.data() + n * d.c, a1, a2);
  });
  // 2. Group statistics, then the per (n, c) affine z = (x − μ)·k + β, k = γ·rstd.
  const double m = static_cast<double>(d.hw * cg);
  std::vector<float> mu(d.n * d.c), k(d.n * d.c);
  for (int64_t n = 0; n < d.n; ++n) {
    for (int64_t g = 0; g < d.g; ++g) {
      double t1 = 0.0, t2 = 0.0;
      for (int64_t j = g * cg; j < (g + 1) * cg; ++j) {
        t1 += s1[n * d.c + j];
        t2 += s2[n * d.c + j];
      }
      const double dm = t1 / m;  // μ − shift
      const double var = std::max(0.0, t2 / m - dm * dm);
      const double r = 1.0 / std::sqrt(var + eps);
      const double mg = shift[n * d.c + g * cg] + dm;
      mean[n * d.g + g] = static_cast<float>(mg);
      rstd[n * d.g + g] = static_cast<float>(r);
      for (int64_t j = g * cg; j < (g + 1) * cg; ++j) {
        mu[n * d.c + j] = static_cast<float>(mg);
        k[n * d.c + j] = static_cast<float>(gamma[j] * r);
      }
    }
  }
  // 3. Normalise (and SiLU).
  forBlocks(d, threadsFor(d), [&](int64_t n, int64_t r0, int64_t rows) {
    const int64_t o = (n * d.hw + r0) * d.c;
    normaliseRows(x + o, rows, d.c, mu.data() + n * d.c, k.data() + n * d.c, beta, silu, y + o);
  });
  return info.Env().Undefined();
}

// groupNormBackward(dy, x, gamma, beta, mean, rstd, dx, dgamma, dbeta, n, hw, c, groups, silu)
Napi::Value GroupNormBackward(const Napi::CallbackInfo& info) {
  const Dims d = dimsFrom(info, 9, "groupNormBackward");
  const bool silu = info[13].ToBoolean().Value();
  const int64_t size = d.n * d.hw * d.c, cg = d.cg();
  const float* dy = floatArg(info, 0, size, "groupNormBackward dy");
  const float* x = floatArg(info, 1, size, "groupNormBackward x");
  const float* gamma = floatArg(info, 2, d.c, "groupNormBackward gamma");
  const float* beta = floatArg(info, 3, d.c, "groupNormBackward beta");
  const float* mean = floatArg(info, 4, d.n * d.g, "groupNormBackward mean");
  const float* rstd = floatArg(info, 5, d.n * d.g, "groupNormBackward rstd");
  float* dx = floatArg(info, 6, size, "groupNormBackward dx");
  float* dgamma = floatArg(info, 7, d.c, "groupNormBackward dgamma");
  float* dbeta = floatArg(info, 8, d.c, "groupNormBackward dbeta");
  // per (n, c) μ and rstd of the channel's group
  std::vector<float> mu(d.n * d.c), rs(d.n * d.c);
  for (int64_t n = 0; n < d.n; ++n)
    for (int64_t j = 0; j < d.c; ++j) {
      mu[n * d.c + j] = mean[n * d.g + j / cg];
      rs[n * d.c + j] = rstd[n * d.g + j / cg];
    }
  // 1. dz into dx, with S1 = Σ dz and S2 = Σ dz·x̂ per (n, c).
  std::vector<double> s1, s2;
  sampleChannelSums(d, s1, s2, [&](int64_t n, int64_t r0, int64_t rows, double* a1, double* a2) {
    const int64_t o = (n * d.hw + r0) * d.c;
    backwardRows(x + o, dy + o, rows, d.c, mu.data() + n * d.c, rs.data() + n * d.c, gamma, beta, silu, dx + o, a1, a2);
  });
  // 2. Parameter gradients and the per (n, g) sums A, B as per (n, c) coefficients of
  //    dx = k1·dz + k2·(x − μ) + k3: k1 = rstd·γ, k2 = −rstd²·B/M, k3 = −rstd·A/M.
  for (int64_t j = 0; j < d.c; ++j) {
    double b1 = 0.0, b2 = 0.0;
    for (int64_t n = 0; n < d.n; ++n) {
      b1 += s1[n * d.c + j];
      b2 += s2[n * d.c + j];
    }
    dbeta[j] = static_cast<float>(b1);
    dgamma[j] = static_cast<float>(b2);
  }
  const double m = static_cast<double>(d.hw * cg);
  std::vector<float> k1(d.n * d.c), k2(d.n * d.c), k3(d.n * d.c);
  for (int64_t n = 0; n < d.n; ++n) {
    for (int64_t g = 0; g < d.g; ++g) {
      double a = 0.0, b = 0.0;
      for (int64_t j = g * cg; j < (g + 1) * cg; ++j) {
        a += gamma[j] * s1[n * d.c + j];
        b += gamma[j] * s2[n * d.c + j];
      }
      const double r = rstd[n * d.g + g];
      for (int64_t j = g * cg; j < (g + 1) * cg; ++j) {
        k1[n * d.c + j] = static_cast<float>(r * gamma[j]);
        k2[n * d.c + j] = static_cast<float>(-r * r * b / m);
        k3[n * d.c + j] = static_cast<float>(-r * a / m);
      }
    }
  }
  // 3. dx in place over dz.
  forBlocks(d, threadsFor(d), [&](int64_t n, int64_t r0, int64_t rows) {
    const int64_t o = (n * d.hw + r0) * d.c, p = n * d.c;
    dxRows(x + o, rows, d.c, mu.data() + p, k1.data() + p, k2.data() + p, k3.data() + p, dx + o);
  });
  return info.Env().Undefined();
}

}  // namespace

void initGroupNorm(Napi::Env env, Napi::Object exports) {
  exports.Set("groupNormForward", Napi::Function::New(env, Guard<GroupNormForward>));
  exports.Set("groupNormBackward", Napi::Function::New(env, Guard<GroupNormBackward>));
}

}  // namespace tpc
