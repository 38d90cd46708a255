// Element-wise kernels as OpenMP loops (sharing Debian oneDNN's OpenMP thread pool): unary
// activations and their helpers, and binary arithmetic for the broadcast patterns that batch
// norm and its gradient produce (same shape, per-channel vector on either side, scalar on either
// side). tfjs's cpu backend runs these single-threaded and, for broadcasts, through generic
// index arithmetic; in the autoencoder's training step they cost more than the convolutions.
#include <cmath>

#include "common.h"

namespace tpc {
namespace {

enum Unary { kRelu = 0, kSigmoid = 1, kStep = 2, kSilu = 3, kNeg = 4, kSquare = 5, kExp = 6, kRsqrt = 7, kSqrt = 8, kSoftplus = 9 };

// unary(op, x, out, size, alpha): alpha is Step's value for x <= 0 (NaN stays NaN as in tfjs).
Napi::Value UnaryOp(const Napi::CallbackInfo& info) {
  const int op = static_cast<int>(intArg(info, 0, "unary op"));
  const int64_t n = intArg(info, 3, "unary size");
  const float alpha = static_cast<float>(numberArg(info, 4, "unary alpha"));
  const float* x = floatArg(info, 1, n, "unary x");
  float* y = floatArg(info, 2, n, "unary out");
  switch (op) {
    case kRelu:
#pragma omp parallel for simd schedule(static) if (n >= kParallelMin)
      for (int64_t i = 0; i < n; ++i) y[i] = x[i] > 0.f ? x[i] : (std::isnan(x[i]) ? x[i] : 0.f);
      break;
    case kSigmoid:
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
      for (int64_t i = 0; i < n; ++i) y[i] = 1.f / (1.f + std::exp(-x[i]));
      break;
    case kStep:
#pragma omp parallel for simd schedule(static) if (n >= kParallelMin)
      for (int64_t i = 0; i < n; ++i) y[i] = std::isnan(x[i]) ? x[i] : (x[i] > 0.f ? 1.f : alpha);
      break;
    case kSilu:
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
      for (int64_t i = 0; i < n; ++i) y[i] = x[i] / (1.f + std::exp(-x[i]));
      break;
    case kNeg:
#pragma omp parallel for simd schedule(static) if (n >= kParallelMin)
      for (int64_t i = 0; i < n; ++i) y[i] = -x[i];
      break;
    case kSquare:
#pragma omp parallel for simd schedule(static) if (n >= kParallelMin)
      for (int64_t i = 0; i < n; ++i) y[i] = x[i] * x[i];
      break;
    case kExp:
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
      for (int64_t i = 0; i < n; ++i) y[i] = std::exp(x[i]);
      break;
    case kRsqrt:
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
      for (int64_t i = 0; i < n; ++i) y[i] = 1.f / std::sqrt(x[i]);
      break;
    case kSqrt:
#pragma omp parallel for simd schedule(static) if (n >= kParallelMin)
      for (int64_t i = 0; i < n; ++i) y[i] = std::sqrt(x[i]);
      break;
    case kSoftplus: {
      // tfjs's cpu kernel, in double as there: exp(x) below log(ε) + 2, x above −(log(ε) + 2),
      // else log(1 + exp(x)); ε = 2^−23.
      const double threshold = std::log(1.1920928955078125e-7) + 2.0;
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
      for (int64_t i = 0; i < n; ++i) {
        const double v = x[i];
        y[i] = static_cast<float>(v < threshold ? std::exp(v) : (v > -threshold ? v : std::log(1.0 + std::exp(v))));
      }
      break;
    }
    default:
      throw Napi::RangeError::New(info.Env(), "unary: unknown op " + std::to_string(op));
  }
  return info.Env().Undefined();
}

enum Binary { kAdd = 0, kSub = 1, kMul = 2, kDiv = 3, kSqDiff = 4, kMax = 5, kMin = 6 };
// Broadcast modes: 0 same size; 1 b per-channel (b[i % c]); 2 a per-channel; 3 b scalar; 4 a scalar.
enum Mode { kSame = 0, kBChan = 1, kAChan = 2, kBScalar = 3, kAScalar = 4 };

template <int OP>
inline float apply(float a, float b) {
  if constexpr (OP == kAdd) return a + b;
  if constexpr (OP == kSub) return a - b;
  if constexpr (OP == kMul) return a * b;
  if constexpr (OP == kDiv) return a / b;
  if constexpr (OP == kSqDiff) return (a - b) * (a - b);
  if constexpr (OP == kMax) return a > b || std::isnan(a) ? a : b;
  return a < b || std::isnan(a) ? a : b;
}

template <int OP>
void run(int mode, const float* a, const float* b, float* y, int64_t n, int64_t c) {
  switch (mode) {
    case kSame:
#pragma omp parallel for simd schedule(static) if (n >= kParallelMin)
      for (int64_t i = 0; i < n; ++i) y[i] = apply<OP>(a[i], b[i]);
      break;
    case kBChan: {
      const int64_t rows = n / c;
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
      for (int64_t r = 0; r < rows; ++r) {
        const float* ar = a + r * c;
        float* yr = y + r * c;
#pragma omp simd
        for (int64_t j = 0; j < c; ++j) yr[j] = apply<OP>(ar[j], b[j]);
      }
      break;
    }
    case kAChan: {
      const int64_t rows = n / c;
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
      for (int64_t r = 0; r < rows; ++r) {
        const float* br = b + r * c;
        float* yr = y + r * c;
#pragma omp simd
        for (int64_t j = 0; j < c; ++j) yr[j] = apply<OP>(a[j], br[j]);
      }
      break;
    }
    case kBScalar: {
      const float s = b[0];
#pragma omp parallel for simd schedule(static) if (n >= kParallelMin)
      for (int64_t i = 0; i < n; ++i) y[i] = apply<OP>(a[i], s);
      break;
    }
    case kAScalar: {
      const float s = a[0];
#pragma omp parallel for simd schedule(static) if (n >= kParallelMin)
      for (int64_t i = 0; i < n; ++i) y[i] = apply<OP>(s, b[i]);
      break;
    }
  }
}

// binary(op, mode, a, b, out, n, c): n = output size, c = channel count for modes 1 and 2.
Napi::Value BinaryOp(const Napi::CallbackInfo& info) {
  const int op = static_cast<int>(intArg(info, 0, "binary op"));
  const int mode = static_cast<int>(intArg(info, 1, "binary mode"));
  const int64_t n = intArg(info, 5, "binary size");
  const int64_t c = intArg(info, 6, "binary channels");
  if (mode < 0 || mode > 4 || ((mode == kBChan || mode == kAChan) && (c <= 0 || n % c != 0))) {
    throw Napi::RangeError::New(info.Env(), "binary: bad broadcast mode/channels");
  }
  const int64_t na = mode == kSame || mode == kBChan || mode == kBScalar ? n : (mode == kAChan ? c : 1);
  const int64_t nb = mode == kSame || mode == kAChan || mode == kAScalar ? n : (mode == kBChan ? c : 1);
  const float* a = floatArg(info, 2, na, "binary a");
  const float* b = floatArg(info, 3, nb, "binary b");
  float* y = floatArg(info, 4, n, "binary out");
  switch (op) {
    case kAdd: run<kAdd>(mode, a, b, y, n, c); break;
    case kSub: run<kSub>(mode, a, b, y, n, c); break;
    case kMul: run<kMul>(mode, a, b, y, n, c); break;
    case kDiv: run<kDiv>(mode, a, b, y, n, c); break;
    case kSqDiff: run<kSqDiff>(mode, a, b, y, n, c); break;
    case kMax: run<kMax>(mode, a, b, y, n, c); break;
    case kMin: run<kMin>(mode, a, b, y, n, c); break;
    default: throw Napi::RangeError::New(info.Env(), "binary: unknown op " + std::to_string(op));
  }
  return info.Env().Undefined();
}

}  // namespace

void initEltwise(Napi::Env env, Napi::Object exports) {
  exports.Set("unary", Napi::Function::New(env, Guard<UnaryOp>));
  exports.Set("binary", Napi::Function::New(env, Guard<BinaryOp>));
}

}  // namespace tpc
