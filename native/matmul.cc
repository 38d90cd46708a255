// Batched matrix multiply on oneDNN (tfjs BatchMatMul): a [Ba, M, K] (or [Ba, K, M] when
// transposed), b [Bb, K, N] (or [Bb, N, K]), out [B, M, N]; a batch of 1 broadcasts. Transposes
// are expressed as strides, so no data is copied. Primitives are cached by shape.
#include <mutex>
#include <unordered_map>

#include "common.h"

namespace tpc {
namespace {

using dnnl::memory;
using dt = memory::data_type;

struct CachedMatmul {
  dnnl::matmul prim;
  memory::desc a, b, c;
};

std::mutex cacheMutex;
std::unordered_map<std::string, std::shared_ptr<CachedMatmul>> cache;

// batchMatMul(a, b, out, [Ba, Bb, M, K, N], transposeA, transposeB)
Napi::Value BatchMatMul(const Napi::CallbackInfo& info) {
  std::vector<int64_t> d = dimsArg(info, 3, "batchMatMul dims");
  if (d.size() != 5) throw Napi::RangeError::New(info.Env(), "batchMatMul: dims must be [Ba, Bb, M, K, N]");
  const int64_t ba = d[0], bb = d[1], m = d[2], k = d[3], n = d[4];
  const bool ta = info[4].ToBoolean(), tb = info[5].ToBoolean();
  const int64_t bo = std::max(ba, bb);
  float* a = floatArg(info, 0, ba * m * k, "batchMatMul a");
  float* b = floatArg(info, 1, bb * k * n, "batchMatMul b");
  float* out = floatArg(info, 2, bo * m * n, "batchMatMul out");
  std::vector<int64_t> flags = {ta ? 1 : 0, tb ? 1 : 0};
  std::string key = cacheKey("matmul", {&d, &flags});
  std::shared_ptr<CachedMatmul> c;
  {
    std::lock_guard<std::mutex> lock(cacheMutex);
    auto it = cache.find(key);
    if (it != cache.end()) c = it->second;
  }
  if (!c) {
    c = std::make_shared<CachedMatmul>();
    c->a = memory::desc({ba, m, k}, dt::f32, ta ? memory::dims{m * k, 1, m} : memory::dims{m * k, k, 1});
    c->b = memory::desc({bb, k, n}, dt::f32, tb ? memory::dims{k * n, 1, k} : memory::dims{k * n, n, 1});
    c->c = memory::desc({bo, m, n}, dt::f32, memory::dims{m * n, n, 1});
    dnnl::matmul::desc md(c->a, c->b, c->c);
    c->prim = dnnl::matmul(dnnl::matmul::primitive_desc(md, cpuEngine()));
    std::lock_guard<std::mutex> lock(cacheMutex);
    cache[key] = c;
  }
  auto& eng = cpuEngine();
  auto& s = cpuStream();
  memory am(c->a, eng, a), bm(c->b, eng, b), cm(c->c, eng, out);
  c->prim.execute(s, {{DNNL_ARG_SRC, am}, {DNNL_ARG_WEIGHTS, bm}, {DNNL_ARG_DST, cm}});
  s.wait();
  return info.Env().Undefined();
}

}  // namespace

void initMatmul(Napi::Env env, Napi::Object exports) {
  exports.Set("batchMatMul", Napi::Function::New(env, Guard<BatchMatMul>));
}

}  // namespace tpc
