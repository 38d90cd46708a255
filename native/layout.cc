// Data movement: concatenation along the last (channel) axis, general slicing, and broadcasting
// a per-channel vector over a full NHWC map (what tfjs's batch-norm gradient does with Tile).
// In tfjs's cpu backend a channel slice (the gradient of a skip concat) goes through per-element
// index arithmetic; here it is one memcpy per pixel row, spread over the OpenMP threads.
#include <cstring>

#include "common.h"

namespace tpc {
namespace {

// concatLast([a0, a1, ...], [c0, c1, ...], out, rows): out[row] = a0[row] ++ a1[row] ++ ...
Napi::Value ConcatLast(const Napi::CallbackInfo& info) {
  Napi::Array arrays = info[0].As<Napi::Array>();
  std::vector<int64_t> chans = dimsArg(info, 1, "concat channels");
  const int64_t rows = intArg(info, 3, "concat rows");
  const size_t k = arrays.Length();
  if (chans.size() != k) throw Napi::RangeError::New(info.Env(), "concatLast: arrays and channels differ in length");
  std::vector<const float*> src(k);
  int64_t total = 0;
  for (size_t i = 0; i < k; ++i) {
    Napi::Value v = arrays.Get(static_cast<uint32_t>(i));
    if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array ||
        static_cast<int64_t>(v.As<Napi::Float32Array>().ElementLength()) < rows * chans[i]) {
      throw Napi::TypeError::New(info.Env(), "concatLast: input " + std::to_string(i) + " is not a large enough Float32Array");
    }
    src[i] = v.As<Napi::Float32Array>().Data();
    total += chans[i];
  }
  float* out = floatArg(info, 2, rows * total, "concat out");
#pragma omp parallel for schedule(static) if (rows * total >= kParallelMin)
  for (int64_t r = 0; r < rows; ++r) {
    float* o = out + r * total;
    for (size_t i = 0; i < k; ++i) {
      std::memcpy(o, src[i] + r * chans[i], sizeof(float) * chans[i]);
      o += chans[i];
    }
  }
  return info.Env().Undefined();
}

// slice(x, out, shape, begin, size): any rank >= 1, row-major.
Napi::Value Slice(const Napi::CallbackInfo& info) {
  std::vector<int64_t> shape = dimsArg(info, 2, "slice shape"), begin = dimsArg(info, 3, "slice begin"),
                       size = dimsArg(info, 4, "slice size");
  const size_t rank = shape.size();
  if (rank == 0 || begin.size() != rank || size.size() != rank) throw Napi::RangeError::New(info.Env(), "slice: rank mismatch");
  const float* x = floatArg(info, 0, product(shape), "slice x");
  float* y = floatArg(info, 1, product(size), "slice out");
  std::vector<int64_t> inStride(rank, 1);
  for (size_t d = rank - 1; d > 0; --d) inStride[d - 1] = inStride[d] * shape[d];
  const int64_t rowLen = size[rank - 1];
  const int64_t rows = rowLen == 0 ? 0 : product(size) / rowLen;
#pragma omp parallel for schedule(static) if (rows * rowLen >= kParallelMin)
  for (int64_t r = 0; r < rows; ++r) {
    int64_t rem = r, offset = begin[rank - 1];
    for (size_t d = rank - 1; d > 0; --d) {
      const int64_t idx = rem % size[d - 1];
      rem /= size[d - 1];
      offset += (begin[d - 1] + idx) * inStride[d - 1];
    }
    std::memcpy(y + r * rowLen, x + offset, sizeof(float) * rowLen);
  }
  return info.Env().Undefined();
}

// broadcastChannels(v, out, rows, c): out[row, j] = v[j]
Napi::Value BroadcastChannels(const Napi::CallbackInfo& info) {
  const int64_t rows = intArg(info, 2, "broadcast rows"), c = intArg(info, 3, "broadcast channels");
  const float* v = floatArg(info, 0, c, "broadcast v");
  float* y = floatArg(info, 1, rows * c, "broadcast out");
#pragma omp parallel for schedule(static) if (rows * c >= kParallelMin)
  for (int64_t r = 0; r < rows; ++r) std::memcpy(y + r * c, v, sizeof(float) * c);
  return info.Env().Undefined();
}

}  // namespace

void initLayout(Napi::Env env, Napi::Object exports) {
  exports.Set("concatLast", Napi::Function::New(env, Guard<ConcatLast>));
  exports.Set("slice", Napi::Function::New(env, Guard<Slice>));
  exports.Set("broadcastChannels", Napi::Function::New(env, Guard<BroadcastChannels>));
}

}  // namespace tpc
