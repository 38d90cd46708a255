// 2-D convolution on oneDNN: forward, backward-data (also tfjs's conv2dTranspose) and
// backward-weights. Activations stay in tfjs's NHWC buffers (oneDNN tag nhwc, no copy); the
// filter is tfjs's [kh, kw, in, out] = oneDNN tag hwio. Each primitive is created with weight
// format `any` and the filter reordered into the layout it prefers: forcing the forward
// primitive's weight layout onto backward-data silently selects the reference implementation,
// about 1000x slower. Activations use nhwc directly: format `any` there makes 2.6 pick ref:any
// for backward-data. Strided 1x1 convolutions never reach this file (see conv-geometry.ts).
// Primitives are cached by shape because creating them costs milliseconds, more than a small
// convolution itself. Stride-1 shapes with one output channel (forward, backward-weights) or one
// input channel (backward-data) run the loops of conv_single.cc instead (oneDNN is 3-10x slower
// there); TPCVISION_CONV_SINGLE=0 keeps oneDNN for them.
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "common.h"
#include "conv_single.h"

namespace tpc {
namespace {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

struct ConvGeometry {
  std::vector<int64_t> src;      // [N, H, W, Cin] (tfjs order)
  std::vector<int64_t> weights;  // [KH, KW, Cin, Cout]
  std::vector<int64_t> dst;      // [N, OH, OW, Cout]
  std::vector<int64_t> strides;  // [sh, sw]
  std::vector<int64_t> pads;     // [top, bottom, left, right]
  std::vector<int64_t> dilations;  // [dh, dw], tfjs convention (1 = dense)

  memory::desc srcMd() const { return memory::desc({src[0], src[3], src[1], src[2]}, dt::f32, tag::nhwc); }
  memory::desc dstMd() const { return memory::desc({dst[0], dst[3], dst[1], dst[2]}, dt::f32, tag::nhwc); }
  memory::dims wDims() const { return {weights[3], weights[2], weights[0], weights[1]}; }
  memory::desc userWMd() const { return memory::desc(wDims(), dt::f32, tag::hwio); }
  memory::desc anyWMd() const { return memory::desc(wDims(), dt::f32, tag::any); }
  memory::dims stridesD() const { return {strides[0], strides[1]}; }
  memory::dims dilD() const { return {dilations[0] - 1, dilations[1] - 1}; }  // oneDNN: 0 = dense
  memory::dims padL() const { return {pads[0], pads[2]}; }
  memory::dims padR() const { return {pads[1], pads[3]}; }
  std::string key(const char* tag) const { return cacheKey(tag, {&src, &weights, &dst, &strides, &pads, &dilations}); }

  dnnl::convolution_forward::primitive_desc forwardPd() const {
    dnnl::convolution_forward::desc d(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct,
                                      srcMd(), anyWMd(), dstMd(), stridesD(), dilD(), padL(), padR());
    return dnnl::convolution_forward::primitive_desc(d, cpuEngine());
  }
  dnnl::convolution_backward_data::primitive_desc backwardDataPd() const {
    dnnl::convolution_backward_data::desc d(dnnl::algorithm::convolution_direct, srcMd(), anyWMd(), dstMd(), stridesD(),
                                            dilD(), padL(), padR());
    return dnnl::convolution_backward_data::primitive_desc(d, cpuEngine(), forwardPd());
  }
  dnnl::convolution_backward_weights::primitive_desc backwardWeightsPd() const {
    dnnl::convolution_backward_weights::desc d(dnnl::algorithm::convolution_direct, srcMd(), anyWMd(), dstMd(),
                                               stridesD(), dilD(), padL(), padR());
    return dnnl::convolution_backward_weights::primitive_desc(d, cpuEngine(), forwardPd());
  }

  // Fills the conv_single.cc shape (`c` = the wide side's channel count); false when those loops
  // do not apply (strided, dilated, or switched off by TPCVISION_CONV_SINGLE=0).
  bool single(int64_t c, SingleConvShape& s) const {
    static const bool enabled = [] {
      const char* v = std::getenv("TPCVISION_CONV_SINGLE");
      return v == nullptr || std::string(v) != "0";
    }();
    s = {src[0], src[1], src[2], c, dst[1], dst[2], weights[0], weights[1], strides[0], strides[1],
         dilations[0], dilations[1], pads[0], pads[1], pads[2], pads[3]};
    return enabled && singleChannelCase(s);
  }
};

ConvGeometry readGeometry(const Napi::CallbackInfo& info, size_t first) {
  ConvGeometry g;
  g.src = dimsArg(info, first, "src shape");
  g.weights = dimsArg(info, first + 1, "filter shape");
  g.dst = dimsArg(info, first + 2, "dst shape");
  g.strides = dimsArg(info, first + 3, "strides");
  g.pads = dimsArg(info, first + 4, "pads");
  g.dilations = dimsArg(info, first + 5, "dilations");
  if (g.src.size() != 4 || g.weights.size() != 4 || g.dst.size() != 4 || g.strides.size() != 2 ||
      g.pads.size() != 4 || g.dilations.size() != 2) {
    throw Napi::RangeError::New(info.Env(), "conv2d: expected 4-D shapes, 2 strides, 4 pads, 2 dilations");
  }
  return g;
}

// A cached primitive together with the weight layout it chose, a scratch buffer for the
// reordered filter and where each filter element goes in it (reused on every call of that shape).
struct CachedConv {
  dnnl::primitive prim;
  memory::desc wMd;      // weights layout chosen by the primitive
  std::unique_ptr<memory> wMem;  // owned buffer in that layout when it differs from hwio
  bool needsReorder = false;
  std::vector<int64_t> wOffsets;  // offset in wMem of each hwio element
  // Backward-data only: an owned diff_src buffer, used if the primitive ever picks a layout other
  // than nhwc (it does not for the shapes we send), reordered into the tfjs buffer afterwards.
  std::unique_ptr<memory> srcScratch;
};

std::mutex cacheMutex;
std::unordered_map<std::string, std::shared_ptr<CachedConv>> cache;

// The cached primitive for `key`, created by `make` on first use.
std::shared_ptr<CachedConv> cached(const std::string& key, const std::function<std::shared_ptr<CachedConv>()>& make) {
  {
    std::lock_guard<std::mutex> lock(cacheMutex);
    auto it = cache.find(key);
    if (it != cache.end()) return it->second;
  }
  auto c = make();
  std::lock_guard<std::mutex> lock(cacheMutex);
  cache[key] = c;
  return c;
}

// Offset in a blocked oneDNN layout (md) of each filter element, listed in hwio order. oneDNN
// 2.6's own reorders between hwio and the blocked layouts its convolutions pick (Acdb48a,
// ABcd16a16b, ...) ran at ~5-10 ns per element, 1-4 ms per filter and ~30 ms per training step;
// a precomputed scatter/gather is ~1 ns per element. Blocked offset: outer index of each dim
// times its stride, plus the position inside the inner blocks (row-major over the blocks).
std::vector<int64_t> blockedOffsets(const memory::desc& md, const ConvGeometry& g) {
  const dnnl_memory_desc_t& d = md.data;
  if (d.format_kind != dnnl_blocked || d.ndims != 4) throw std::runtime_error("conv2d: unexpected filter layout");
  const auto& b = d.format_desc.blocking;
  int64_t blockOf[4] = {1, 1, 1, 1};
  for (int k = 0; k < b.inner_nblks; ++k) blockOf[b.inner_idxs[k]] *= b.inner_blks[k];
  const int64_t kh = g.weights[0], kw = g.weights[1], ci = g.weights[2], co = g.weights[3];
  std::vector<int64_t> off(static_cast<size_t>(kh * kw * ci * co));
  size_t n = 0;
  for (int64_t h = 0; h < kh; ++h)
    for (int64_t w = 0; w < kw; ++w)
      for (int64_t i = 0; i < ci; ++i)
        for (int64_t o = 0; o < co; ++o) {
          const int64_t idx[4] = {o, i, h, w};  // oneDNN's logical weight order
          int64_t outer = d.offset0, inner = 0;
          for (int k = 0; k < 4; ++k) outer += idx[k] / blockOf[k] * b.strides[k];
          int64_t rest[4] = {blockOf[0], blockOf[1], blockOf[2], blockOf[3]};
          for (int k = 0; k < b.inner_nblks; ++k) {
            const int dim = b.inner_idxs[k];
            rest[dim] /= b.inner_blks[k];
            inner = inner * b.inner_blks[k] + idx[dim] / rest[dim] % b.inner_blks[k];
          }
          off[n++] = outer + inner;
        }
  return off;
}

std::shared_ptr<CachedConv> finish(dnnl::primitive prim, const memory::desc& wMd, const ConvGeometry& g) {
  auto c = std::make_shared<CachedConv>();
  c->prim = std::move(prim);
  c->wMd = wMd;
  c->needsReorder = wMd != g.userWMd();
  if (c->needsReorder) {
    c->wMem = std::make_unique<memory>(wMd, cpuEngine());
    // Padding lanes stay zero, as oneDNN requires; the scatter only ever writes real elements.
    std::memset(c->wMem->get_data_handle(), 0, wMd.get_size());
    c->wOffsets = blockedOffsets(wMd, g);
  }
  return c;
}

// hwio filter -> the primitive's layout, and back (backward-weights' result).
void scatterFilter(const CachedConv& c, const float* hwio) {
  float* dst = static_cast<float*>(c.wMem->get_data_handle());
  const int64_t* off = c.wOffsets.data();
  const size_t n = c.wOffsets.size();
  for (size_t k = 0; k < n; ++k) dst[off[k]] = hwio[k];
}

void gatherFilter(const CachedConv& c, float* hwio) {
  const float* src = static_cast<const float*>(c.wMem->get_data_handle());
  const int64_t* off = c.wOffsets.data();
  const size_t n = c.wOffsets.size();
  for (size_t k = 0; k < n; ++k) hwio[k] = src[off[k]];
}

// conv2dForward(x, w, y, xShape, wShape, yShape, strides, pads, dilations)
Napi::Value Conv2dForward(const Napi::CallbackInfo& info) {
  ConvGeometry g = readGeometry(info, 3);
  float* x = floatArg(info, 0, product(g.src), "conv2dForward x");
  float* w = floatArg(info, 1, product(g.weights), "conv2dForward filter");
  float* y = floatArg(info, 2, product(g.dst), "conv2dForward y");
  SingleConvShape one;
  if (g.weights[3] == 1 && g.single(g.src[3], one)) {
    singleConvForward(one, x, w, y);
    return info.Env().Undefined();
  }
  auto c = cached(g.key("fwd"), [&] {
    auto pd = g.forwardPd();
    return finish(dnnl::convolution_forward(pd), pd.weights_desc(), g);
  });
  auto& eng = cpuEngine();
  auto& s = cpuStream();
  memory userW(g.userWMd(), eng, w);
  memory* wMem = &userW;
  if (c->needsReorder) {
    scatterFilter(*c, w);
    wMem = c->wMem.get();
  }
  memory src(g.srcMd(), eng, x), dst(g.dstMd(), eng, y);
  c->prim.execute(s, {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, *wMem}, {DNNL_ARG_DST, dst}});
  s.wait();
  return info.Env().Undefined();
}

// conv2dBackwardData(dy, w, dx, dxShape, wShape, dyShape, strides, pads, dilations)
Napi::Value Conv2dBackwardData(const Napi::CallbackInfo& info) {
  ConvGeometry g = readGeometry(info, 3);
  float* dy = floatArg(info, 0, product(g.dst), "conv2dBackwardData dy");
  float* w = floatArg(info, 1, product(g.weights), "conv2dBackwardData filter");
  float* dx = floatArg(info, 2, product(g.src), "conv2dBackwardData dx");
  SingleConvShape one;
  if (g.weights[2] == 1 && g.single(g.dst[3], one)) {
    singleConvBackwardData(one, dy, w, dx);
    return info.Env().Undefined();
  }
  auto c = cached(g.key("bwd_data"), [&] {
    auto pd = g.backwardDataPd();
    auto made = finish(dnnl::convolution_backward_data(pd), pd.weights_desc(), g);
    if (pd.diff_src_desc() != g.srcMd()) made->srcScratch = std::make_unique<memory>(pd.diff_src_desc(), cpuEngine());
    return made;
  });
  auto& eng = cpuEngine();
  auto& s = cpuStream();
  memory userW(g.userWMd(), eng, w);
  memory* wMem = &userW;
  if (c->needsReorder) {
    scatterFilter(*c, w);
    wMem = c->wMem.get();
  }
  memory diffDst(g.dstMd(), eng, dy), diffSrc(g.srcMd(), eng, dx);
  memory* target = c->srcScratch ? c->srcScratch.get() : &diffSrc;
  c->prim.execute(s, {{DNNL_ARG_DIFF_DST, diffDst}, {DNNL_ARG_WEIGHTS, *wMem}, {DNNL_ARG_DIFF_SRC, *target}});
  if (c->srcScratch) dnnl::reorder(*target, diffSrc).execute(s, *target, diffSrc);
  s.wait();
  return info.Env().Undefined();
}

// conv2dBackwardWeights(x, dy, dw, xShape, wShape, dyShape, strides, pads, dilations)
Napi::Value Conv2dBackwardWeights(const Napi::CallbackInfo& info) {
  ConvGeometry g = readGeometry(info, 3);
  float* x = floatArg(info, 0, product(g.src), "conv2dBackwardWeights x");
  float* dy = floatArg(info, 1, product(g.dst), "conv2dBackwardWeights dy");
  float* dw = floatArg(info, 2, product(g.weights), "conv2dBackwardWeights dw");
  SingleConvShape one;
  if (g.weights[3] == 1 && g.single(g.src[3], one)) {
    singleConvBackwardWeights(one, x, dy, dw);
    return info.Env().Undefined();
  }
  auto c = cached(g.key("bwd_weights"), [&] {
    auto pd = g.backwardWeightsPd();
    return finish(dnnl::convolution_backward_weights(pd), pd.diff_weights_desc(), g);
  });
  auto& eng = cpuEngine();
  auto& s = cpuStream();
  memory userDw(g.userWMd(), eng, dw);
  memory* dwMem = c->needsReorder ? c->wMem.get() : &userDw;
  memory src(g.srcMd(), eng, x), diffDst(g.dstMd(), eng, dy);
  c->prim.execute(s, {{DNNL_ARG_SRC, src}, {DNNL_ARG_DIFF_DST, diffDst}, {DNNL_ARG_DIFF_WEIGHTS, *dwMem}});
  s.wait();
  if (c->needsReorder) gatherFilter(*c, dw);
  return info.Env().Undefined();
}

// Which implementation oneDNN picked for a shape (e.g. "brg:avx512_core" or "ref:any"), so that
// tests and the benchmark can catch a silent fall to the reference implementation.
Napi::Value Conv2dImplInfo(const Napi::CallbackInfo& info) {
  std::string kind = info[0].As<Napi::String>().Utf8Value();
  ConvGeometry g = readGeometry(info, 1);
  SingleConvShape one;
  const bool dataSide = kind == "bwd_data";
  if (g.weights[dataSide ? 2 : 3] == 1 && g.single(dataSide ? g.dst[3] : g.src[3], one)) {
    return Napi::String::New(info.Env(), "tpc:single_channel");
  }
  if (kind == "fwd") return Napi::String::New(info.Env(), g.forwardPd().impl_info_str());
  if (dataSide) return Napi::String::New(info.Env(), g.backwardDataPd().impl_info_str());
  return Napi::String::New(info.Env(), g.backwardWeightsPd().impl_info_str());
}

}  // namespace

void initConv(Napi::Env env, Napi::Object exports) {
  exports.Set("conv2dForward", Napi::Function::New(env, Guard<Conv2dForward>));
  exports.Set("conv2dBackwardData", Napi::Function::New(env, Guard<Conv2dBackwardData>));
  exports.Set("conv2dBackwardWeights", Napi::Function::New(env, Guard<Conv2dBackwardWeights>));
  exports.Set("conv2dImplInfo", Napi::Function::New(env, Guard<Conv2dImplInfo>));
}

}  // namespace tpc
