// Entry point of the tpcvision native addon: owns the oneDNN CPU engine and stream, the thread
// count, and collects the kernel families (conv, matmul, eltwise, reduce, layout, batchnorm,
// fused gradients).
#include <malloc.h>
#include <omp.h>

#include "common.h"

namespace tpc {

dnnl::engine& cpuEngine() {
  static dnnl::engine eng(dnnl::engine::kind::cpu, 0);
  return eng;
}

dnnl::stream& cpuStream() {
  static dnnl::stream s(cpuEngine());
  return s;
}

float* floatArg(const Napi::CallbackInfo& info, size_t index, size_t expected, const char* what) {
  Napi::Value v = info[index];
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
    throw Napi::TypeError::New(info.Env(), std::string(what) + ": expected a Float32Array");
  }
  Napi::Float32Array a = v.As<Napi::Float32Array>();
  if (a.ElementLength() < expected) {
    throw Napi::RangeError::New(info.Env(), std::string(what) + ": Float32Array has " +
                                                std::to_string(a.ElementLength()) + " elements, need " +
                                                std::to_string(expected));
  }
  return a.Data();
}

std::vector<int64_t> dimsArg(const Napi::CallbackInfo& info, size_t index, const char* what) {
  Napi::Value v = info[index];
  if (!v.IsArray()) throw Napi::TypeError::New(info.Env(), std::string(what) + ": expected an array");
  Napi::Array a = v.As<Napi::Array>();
  std::vector<int64_t> out(a.Length());
  for (uint32_t i = 0; i < a.Length(); ++i) out[i] = a.Get(i).As<Napi::Number>().Int64Value();
  return out;
}

int64_t intArg(const Napi::CallbackInfo& info, size_t index, const char* what) {
  if (!info[index].IsNumber()) throw Napi::TypeError::New(info.Env(), std::string(what) + ": expected a number");
  return info[index].As<Napi::Number>().Int64Value();
}

double numberArg(const Napi::CallbackInfo& info, size_t index, const char* what) {
  if (!info[index].IsNumber()) throw Napi::TypeError::New(info.Env(), std::string(what) + ": expected a number");
  return info[index].As<Napi::Number>().DoubleValue();
}

int64_t product(const std::vector<int64_t>& dims) {
  int64_t p = 1;
  for (int64_t d : dims) p *= d;
  return p;
}

std::string cacheKey(const char* tag, std::initializer_list<const std::vector<int64_t>*> parts) {
  std::string key(tag);
  for (const auto* part : parts) {
    key += '|';
    for (int64_t d : *part) {
      key += std::to_string(d);
      key += ',';
    }
  }
  return key;
}

}  // namespace tpc

namespace {

// Debian's oneDNN runs on OpenMP, and so do our own loops, so one call sets both.
Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  int n = static_cast<int>(tpc::intArg(info, 0, "setNumThreads(n)"));
  if (n < 1) throw Napi::RangeError::New(info.Env(), "setNumThreads: n must be >= 1");
  omp_set_num_threads(n);
  return info.Env().Undefined();
}

Napi::Value GetNumThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), omp_get_max_threads());
}

Napi::Value DnnlVersion(const Napi::CallbackInfo& info) {
  const dnnl_version_t* v = dnnl_version();
  return Napi::String::New(info.Env(), std::to_string(v->major) + "." + std::to_string(v->minor) + "." +
                                           std::to_string(v->patch) + (v->cpu_runtime == DNNL_RUNTIME_OMP ? " (OpenMP)" : ""));
}

// Every tfjs tensor is a fresh calloc'ed Float32Array; glibc serves blocks above 32 MB with mmap
// and returns them with munmap, so each 100 MB activation of a training step costs ~25 000 page
// faults (kernel time rivalling the arithmetic). Keeping freed memory in the heap (no mmap, no
// trim) turns that into a memset. Cost: RSS does not shrink after the peak.
Napi::Value RetainFreedMemory(const Napi::CallbackInfo& info) {
  const bool ok = mallopt(M_MMAP_MAX, 0) == 1 && mallopt(M_TRIM_THRESHOLD, INT32_MAX) == 1;
  return Napi::Boolean::New(info.Env(), ok);
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("retainFreedMemory", Napi::Function::New(env, tpc::Guard<RetainFreedMemory>));
  exports.Set("setNumThreads", Napi::Function::New(env, tpc::Guard<SetNumThreads>));
  exports.Set("getNumThreads", Napi::Function::New(env, tpc::Guard<GetNumThreads>));
  exports.Set("dnnlVersion", Napi::Function::New(env, tpc::Guard<DnnlVersion>));
  tpc::initConv(env, exports);
  tpc::initMatmul(env, exports);
  tpc::initEltwise(env, exports);
  tpc::initReduce(env, exports);
  tpc::initLayout(env, exports);
  tpc::initBatchNorm(env, exports);
  tpc::initBatchNormTrain(env, exports);
  tpc::initFusedGrad(env, exports);
  tpc::initGroupNorm(env, exports);
  tpc::initUpsample(env, exports);
  tpc::initOasisLoss(env, exports);
  tpc::initAdamw(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(tpcvision_native, Init)
