// Data movement: concatenation along the last (channel) axis, general slicing, and tiling (what
// tfjs's batch-norm and mean gradients do with Tile).
// In tfjs's cpu backend a channel slice (the gradient of a skip concat) goes through per-element
// index arithmetic; here it is one memcpy per pixel row, spread over the OpenMP threads.
#include <algorithm>
#include <cstring>
#include <string>

#include "common.h"

namespace tpc {
namespace {

// The Float32Arrays of an array argument, part i holding at least rows·chans[i] values.
std::vector<float*> partsArg(const Napi::CallbackInfo& info, size_t index, const std::vector<int64_t>& chans, int64_t rows, const char* what) {
  Napi::Array arrays = info[index].As<Napi::Array>();
  if (chans.size() != arrays.Length()) throw Napi::RangeError::New(info.Env(), std::string(what) + ": arrays and channels differ in length");
  std::vector<float*> parts(chans.size());
  for (size_t i = 0; i < parts.size(); ++i) {
    Napi::Value v = arrays.Get(static_cast<uint32_t>(i));
    if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array ||
        static_cast<int64_t>(v.As<Napi::Float32Array>().ElementLength()) < rows * chans[i]) {
      throw Napi::TypeError::New(info.Env(), std::string(what) + ": part " + std::to_string(i) + " is not a large enough Float32Array");
    }
    parts[i] = v.As<Napi::Float32Array>().Data();
  }
  return parts;
}

int64_t sum(const std::vector<int64_t>& v) {
  int64_t s = 0;
  for (int64_t x : v) s += x;
  return s;
}

// concatLast([a0, a1, ...], [c0, c1, ...], out, rows): out[row] = a0[row] ++ a1[row] ++ ...
Napi::Value ConcatLast(const Napi::CallbackInfo& info) {
  const std::vector<int64_t> chans = dimsArg(info, 1, "concat channels");
  const int64_t rows = intArg(info, 3, "concat rows"), total = sum(chans);
  const std::vector<float*> src = partsArg(info, 0, chans, rows, "concatLast");
  float* out = floatArg(info, 2, rows * total, "concat out");
#pragma omp parallel for schedule(static) if (rows * total >= kParallelMin)
  for (int64_t r = 0; r < rows; ++r) {
    float* o = out + r * total;
    for (size_t i = 0; i < src.size(); ++i) {
      std::memcpy(o, src[i] + r * chans[i], sizeof(float) * chans[i]);
      o += chans[i];
    }
  }
  return info.Env().Undefined();
}

// splitLast(x, [o0, o1, ...], [c0, c1, ...], rows): the inverse of concatLast (tfjs's Concat
// gradient), one sequential read of x instead of one strided slice per part.
Napi::Value SplitLast(const Napi::CallbackInfo& info) {
  const std::vector<int64_t> chans = dimsArg(info, 2, "split channels");
  const int64_t rows = intArg(info, 3, "split rows"), total = sum(chans);
  const float* x = floatArg(info, 0, rows * total, "split x");
  const std::vector<float*> dst = partsArg(info, 1, chans, rows, "splitLast");
#pragma omp parallel for schedule(static) if (rows * total >= kParallelMin)
  for (int64_t r = 0; r < rows; ++r) {
    const float* in = x + r * total;
    for (size_t i = 0; i < dst.size(); ++i) {
      std::memcpy(dst[i] + r * chans[i], in, sizeof(float) * chans[i]);
      in += chans[i];
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

// tile(x, out, shape, reps): out[i0, ..., ik] = x[i0 mod s0, ..., ik mod sk] (tfjs Tile). Each
// output row along the last axis is the input row (length s_last) repeated reps_last times; rows
// are independent, so they are spread over the threads (the batch-norm gradient's per-channel
// vector over a map, the global-average-pool gradient's [N, 1, 1, C] over [N, H, W, C]).
Napi::Value Tile(const Napi::CallbackInfo& info) {
  const std::vector<int64_t> shape = dimsArg(info, 2, "tile shape"), reps = dimsArg(info, 3, "tile reps");
  const size_t rank = shape.size();
  if (rank == 0 || reps.size() != rank) throw Napi::RangeError::New(info.Env(), "tile: shape and reps need the same rank >= 1");
  std::vector<int64_t> outShape(rank);
  for (size_t d = 0; d < rank; ++d) outShape[d] = shape[d] * reps[d];
  const float* x = floatArg(info, 0, product(shape), "tile x");
  float* y = floatArg(info, 1, product(outShape), "tile out");
  const int64_t inRow = shape[rank - 1], outRow = outShape[rank - 1];
  const int64_t rows = product(outShape) / std::max<int64_t>(outRow, 1);
  if (outRow == 0) return info.Env().Undefined();
#pragma omp parallel for schedule(static) if (rows * outRow >= kParallelMin)
  for (int64_t r = 0; r < rows; ++r) {
    // input row of output row r: its index along each outer axis modulo the input's size
    int64_t rest = r, inIndex = 0, inStride = 1;
    for (size_t d = rank - 1; d-- > 0;) {
      inIndex += (rest % outShape[d]) % shape[d] * inStride;
      rest /= outShape[d];
      inStride *= shape[d];
    }
    const float* src = x + inIndex * inRow;
    float* dst = y + r * outRow;
    if (inRow == 1) {
      std::fill(dst, dst + outRow, *src);
    } else {
      for (int64_t k = 0; k < reps[rank - 1]; ++k) std::memcpy(dst + k * inRow, src, sizeof(float) * inRow);
    }
  }
  return info.Env().Undefined();
}

}  // namespace

void initLayout(Napi::Env env, Napi::Object exports) {
  exports.Set("concatLast", Napi::Function::New(env, Guard<ConcatLast>));
  exports.Set("splitLast", Napi::Function::New(env, Guard<SplitLast>));
  exports.Set("slice", Napi::Function::New(env, Guard<Slice>));
  exports.Set("tile", Napi::Function::New(env, Guard<Tile>));
}

}  // namespace tpc
