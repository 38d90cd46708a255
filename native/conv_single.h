// Stride-1 convolutions with one channel on the narrow side (conv_single.cc), used by conv.cc
// instead of oneDNN for those shapes.
#pragma once
#include <cstdint>

#include "common.h"

namespace tpc {

// One convolution's sizes, NHWC with an hwio filter. `c` is the wide channel count: Cin for the
// forward and backward-weights (Cout = 1), Cout for backward-data (Cin = 1).
struct SingleConvShape {
  int64_t n, h, w, c, oh, ow, kh, kw, sh, sw, dh, dw, padT, padB, padL, padR;
};

// Stride 1 and dense kernel (dilation 1), output size consistent with the pads.
bool singleChannelCase(const SingleConvShape& s);

void singleConvForward(const SingleConvShape& s, const float* x, const float* w, float* y);
void singleConvBackwardWeights(const SingleConvShape& s, const float* x, const float* dy, float* dw);
void singleConvBackwardData(const SingleConvShape& s, const float* dy, const float* w, float* dx);

}  // namespace tpc
