// Shared helpers of the tpcvision native addon: the one oneDNN engine/stream, argument
// unpacking (tfjs hands us Float32Arrays and plain number arrays) and the primitive cache key.
// Every kernel family lives in its own .cc file and registers its functions through an init*().
#pragma once
#include <napi.h>
#include <dnnl.hpp>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace tpc {

dnnl::engine& cpuEngine();
dnnl::stream& cpuStream();

// Pointer to the float data of a Float32Array argument; throws a JS TypeError when the argument
// is not a Float32Array or holds fewer than `expected` elements (a wrong size would be a silent
// out-of-bounds write in C++).
float* floatArg(const Napi::CallbackInfo& info, size_t index, size_t expected, const char* what);
std::vector<int64_t> dimsArg(const Napi::CallbackInfo& info, size_t index, const char* what);
int64_t intArg(const Napi::CallbackInfo& info, size_t index, const char* what);
double numberArg(const Napi::CallbackInfo& info, size_t index, const char* what);
int64_t product(const std::vector<int64_t>& dims);

// Below this many elements a loop runs on one thread: waking the OpenMP team costs more than it
// saves, and on a loaded machine far more (a busy core delays the whole team).
constexpr int64_t kParallelMin = int64_t{1} << 18;

// Hot row loops exist twice, for AVX2 and for baseline x86-64 (SSE2: the addon is built without
// -march); the loader picks one for the running CPU (GCC function multi-versioning). OpenMP
// regions are outlined functions that do not inherit a target, so the clones are the row-level
// helpers called from inside the parallel loops.
#if defined(__GNUC__) && defined(__x86_64__)
#define TPC_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define TPC_CLONES
#endif

// Batch norm as y = x·a + b per channel, a = scale/sqrt(var + eps), b = offset − mean·a (both in
// double, then rounded). The forward kernel (batchnorm.cc) and the fused ReLU mask of the backward
// (batchnorm_train.cc) both use this and the same float expression x·a + b (ISO C++ mode: no FMA
// contraction), so the backward's mask is exactly where the forward output was positive.
inline void batchNormAffine(float mean, float var, double eps, double scale, double offset, float& a, float& b) {
  const double inv = 1.0 / std::sqrt(static_cast<double>(var) + eps);
  a = static_cast<float>(inv * scale);
  b = static_cast<float>(offset - mean * inv * scale);
}

// Cache key from a kernel tag and the integer parameters that shape its primitive.
std::string cacheKey(const char* tag, std::initializer_list<const std::vector<int64_t>*> parts);

// Adds up per-thread double partials laid out as `threads` blocks of [s1 (width), s2 (width)] into
// s1 and s2, in thread order, so a reduction gives the same bits whatever the scheduling.
inline void sumPartials(const std::vector<double>& partial, int threads, int64_t width, std::vector<double>& s1, std::vector<double>& s2) {
  s1.assign(width, 0.0);
  s2.assign(width, 0.0);
  for (int t = 0; t < threads; ++t) {
    const double* a = partial.data() + static_cast<size_t>(t) * 2 * width;
    for (int64_t j = 0; j < width; ++j) {
      s1[j] += a[j];
      s2[j] += a[width + j];
    }
  }
}

// node-addon-api turns only Napi::Error into a JS exception; a dnnl::error or std::bad_alloc
// escaping a callback would abort the whole process. Every exported function is wrapped in this.
using NativeFn = Napi::Value (*)(const Napi::CallbackInfo&);
template <NativeFn F>
Napi::Value Guard(const Napi::CallbackInfo& info) {
  try {
    return F(info);
  } catch (const Napi::Error&) {
    throw;
  } catch (const dnnl::error& e) {
    throw Napi::Error::New(info.Env(), std::string("tpcvision native (oneDNN status ") + std::to_string(e.status) + "): " + e.what());
  } catch (const std::exception& e) {
    throw Napi::Error::New(info.Env(), std::string("tpcvision native: ") + e.what());
  }
}

void initConv(Napi::Env env, Napi::Object exports);
void initMatmul(Napi::Env env, Napi::Object exports);
void initEltwise(Napi::Env env, Napi::Object exports);
void initReduce(Napi::Env env, Napi::Object exports);
void initLayout(Napi::Env env, Napi::Object exports);
void initBatchNorm(Napi::Env env, Napi::Object exports);
void initBatchNormTrain(Napi::Env env, Napi::Object exports);
void initFusedGrad(Napi::Env env, Napi::Object exports);
void initGroupNorm(Napi::Env env, Napi::Object exports);
void initUpsample(Napi::Env env, Napi::Object exports);
void initOasisLoss(Napi::Env env, Napi::Object exports);
void initAdamw(Napi::Env env, Napi::Object exports);

}  // namespace tpc
