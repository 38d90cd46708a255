// 2-D convolution on oneDNN: forward, backward-data (also tfjs's conv2dTranspose) and
// backward-weights. Activations stay in tfjs's NHWC buffers (oneDNN tag nhwc, no copy); the
// filter is tfjs's [kh, kw, in, out] = oneDNN tag hwio. Each primitive is created with weight
// format `any` and the filter reordered into the layout it prefers: forcing the forward
// primitive's weight layout onto backward-data silently selects the reference implementation,
// about 1000x slower. Activations use nhwc directly: format `any` there makes 2.6 pick ref:any
// for backward-data. Strided 1x1 convolutions never reach this file (see conv-geometry.ts). Primitive descriptors are cached by shape because creating them costs
// milliseconds, more than a small convolution itself.
#include <memory>
#include <mutex>
#include <unordered_map>

#include "common.h"

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

// A cached primitive together with the weight layout it chose and a scratch buffer for the
// reordered filter (reused on every call of that shape).
struct CachedConv {
  dnnl::primitive prim;
  memory::desc wMd;      // weights layout chosen by the primitive
  std::unique_ptr<memory> wMem;  // owned buffer in that layout when it differs from hwio
  bool needsReorder = false;
  // Backward-data only: an owned diff_src buffer, used if the primitive ever picks a layout other
  // than nhwc (it does not for the shapes we send), reordered into the tfjs buffer afterwards.
  std::unique_ptr<memory> srcScratch;
};

std::mutex cacheMutex;
std::unordered_map<std::string, std::shared_ptr<CachedConv>> cache;

std::shared_ptr<CachedConv> lookup(const std::string& key) {
  std::lock_guard<std::mutex> lock(cacheMutex);
  auto it = cache.find(key);
  return it == cache.end() ? nullptr : it->second;
}

void store(const std::string& key, std::shared_ptr<CachedConv> c) {
  std::lock_guard<std::mutex> lock(cacheMutex);
  cache[key] = std::move(c);
}

std::shared_ptr<CachedConv> finish(dnnl::primitive prim, const memory::desc& wMd, const ConvGeometry& g) {
  auto c = std::make_shared<CachedConv>();
  c->prim = std::move(prim);
  c->wMd = wMd;
  c->needsReorder = wMd != g.userWMd();
  if (c->needsReorder) c->wMem = std::make_unique<memory>(wMd, cpuEngine());
  return c;
}

// conv2dForward(x, w, y, xShape, wShape, yShape, strides, pads, dilations)
Napi::Value Conv2dForward(const Napi::CallbackInfo& info) {
  ConvGeometry g = readGeometry(info, 3);
  float* x = floatArg(info, 0, product(g.src), "conv2dForward x");
  float* w = floatArg(info, 1, product(g.weights), "conv2dForward filter");
  float* y = floatArg(info, 2, product(g.dst), "conv2dForward y");
  std::string key = g.key("fwd");
  auto c = lookup(key);
  if (!c) {
    auto pd = g.forwardPd();
    c = finish(dnnl::convolution_forward(pd), pd.weights_desc(), g);
    store(key, c);
  }
  auto& eng = cpuEngine();
  auto& s = cpuStream();
  memory userW(g.userWMd(), eng, w);
  memory* wMem = &userW;
  if (c->needsReorder) {
    dnnl::reorder(userW, *c->wMem).execute(s, userW, *c->wMem);
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
  std::string key = g.key("bwd_data");
  auto c = lookup(key);
  if (!c) {
    dnnl::convolution_backward_data::desc d(dnnl::algorithm::convolution_direct, g.srcMd(), g.anyWMd(), g.dstMd(),
                                            g.stridesD(), g.dilD(), g.padL(), g.padR());
    dnnl::convolution_backward_data::primitive_desc pd(d, cpuEngine(), g.forwardPd());
    c = finish(dnnl::convolution_backward_data(pd), pd.weights_desc(), g);
    if (pd.diff_src_desc() != g.srcMd()) c->srcScratch = std::make_unique<memory>(pd.diff_src_desc(), cpuEngine());
    store(key, c);
  }
  auto& eng = cpuEngine();
  auto& s = cpuStream();
  memory userW(g.userWMd(), eng, w);
  memory* wMem = &userW;
  if (c->needsReorder) {
    dnnl::reorder(userW, *c->wMem).execute(s, userW, *c->wMem);
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
  std::string key = g.key("bwd_weights");
  auto c = lookup(key);
  if (!c) {
    dnnl::convolution_backward_weights::desc d(dnnl::algorithm::convolution_direct, g.srcMd(), g.anyWMd(), g.dstMd(),
                                               g.stridesD(), g.dilD(), g.padL(), g.padR());
    dnnl::convolution_backward_weights::primitive_desc pd(d, cpuEngine(), g.forwardPd());
    c = finish(dnnl::convolution_backward_weights(pd), pd.diff_weights_desc(), g);
    store(key, c);
  }
  auto& eng = cpuEngine();
  auto& s = cpuStream();
  memory userDw(g.userWMd(), eng, dw);
  memory* dwMem = c->needsReorder ? c->wMem.get() : &userDw;
  memory src(g.srcMd(), eng, x), diffDst(g.dstMd(), eng, dy);
  c->prim.execute(s, {{DNNL_ARG_SRC, src}, {DNNL_ARG_DIFF_DST, diffDst}, {DNNL_ARG_DIFF_WEIGHTS, *dwMem}});
  if (c->needsReorder) dnnl::reorder(*dwMem, userDw).execute(s, *dwMem, userDw);
  s.wait();
  return info.Env().Undefined();
}

// Which implementation oneDNN picked for a shape (e.g. "brg:avx512_core" or "ref:any"), so that
// tests and the benchmark can catch a silent fall to the reference implementation.
Napi::Value Conv2dImplInfo(const Napi::CallbackInfo& info) {
  std::string kind = info[0].As<Napi::String>().Utf8Value();
  ConvGeometry g = readGeometry(info, 1);
  auto fwd = g.forwardPd();
  if (kind == "fwd") return Napi::String::New(info.Env(), fwd.impl_info_str());
  if (kind == "bwd_data") {
    dnnl::convolution_backward_data::desc d(dnnl::algorithm::convolution_direct, g.srcMd(), g.anyWMd(), g.dstMd(),
                                            g.stridesD(), g.dilD(), g.padL(), g.padR());
    return Napi::String::New(info.Env(), dnnl::convolution_backward_data::primitive_desc(d, cpuEngine(), fwd).impl_info_str());
  }
  dnnl::convolution_backward_weights::desc d(dnnl::algorithm::convolution_direct, g.srcMd(), g.anyWMd(), g.dstMd(),
                                             g.stridesD(), g.dilD(), g.padL(), g.padR());
  return Napi::String::New(info.Env(), dnnl::convolution_backward_weights::primitive_desc(d, cpuEngine(), fwd).impl_info_str());
}

}  // namespace

void initConv(Napi::Env env, Napi::Object exports) {
  exports.Set("conv2dForward", Napi::Function::New(env, Guard<Conv2dForward>));
  exports.Set("conv2dBackwardData", Napi::Function::New(env, Guard<Conv2dBackwardData>));
  exports.Set("conv2dBackwardWeights", Napi::Function::New(env, Guard<Conv2dBackwardWeights>));
  exports.Set("conv2dImplInfo", Napi::Function::New(env, Guard<Conv2dImplInfo>));
}

}  // namespace tpc
