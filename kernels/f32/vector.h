// FP32 pooling, residual add, broadcast binary arithmetic and softmax over channels-last
// (NHWC) activations, vectorised over channels; pools work on one image per call. Oracles:
// kernels/reference/pool.h, elementwise.h, softmax.h.
#pragma once
#include <cstdint>

#include "kernels/f32/binary.h"
#include "kernels/f32/conv.h"   // Activation

namespace octet::kernels {

struct PoolNhwcParams {
  int32_t in_h = 0, in_w = 0, channels = 0;
  int32_t out_h = 0, out_w = 0;
  int32_t kernel_h = 1, kernel_w = 1;
  int32_t stride_h = 1, stride_w = 1;
  int32_t dilation_h = 1, dilation_w = 1;   // MaxPool only
  int32_t pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  bool count_include_pad = false;           // AveragePool only
};

// An element-wise activation and its constants (the conv epilogue's too, conv_epilogue.h).
struct ActivationF32Params {
  Activation act = Activation::None;
  float lo = 0.f, hi = 0.f;        // Clip's bounds (+-infinity for an omitted one)
  float alpha = 0.f, beta = 0.f;   // HardSigmoid: clamp(alpha * x + beta, 0, 1); LeakyRelu: alpha
};

struct VectorF32Kernels {
  const char* name;   // its name in the kernel table, e.g. "f32_vector_avx512"
  // Output rows [oh_begin, oh_end) of one image.
  void (*average)(const PoolNhwcParams&, const float* in, float* out, int32_t oh_begin, int32_t oh_end);
  void (*max)(const PoolNhwcParams&, const float* in, float* out, int32_t oh_begin, int32_t oh_end);
  // out[c] = mean over in_h*in_w of in[.][.][c]
  void (*global_average)(int32_t hw, int32_t channels, const float* in, float* out);
  // out[c] = max over in_h*in_w of in[.][.][c] (`x > max` from -infinity: NaN never wins;
  // oracle: kernels/reference/reduce.h, global_max_pool_f32_ref)
  void (*global_max)(int32_t hw, int32_t channels, const float* in, float* out);
  // y = act(a + b) element-wise over n floats (a residual Add that was not fused).
  void (*add)(int64_t n, const float* a, const float* b, float* y, bool relu);
  // Add, Sub, Mul, Div (or a * b + c) under broadcasting, as kernels/f32/binary.h lays it
  // out: rows [row_begin, row_end) of outer dim 0 of one image. c is read only by MulAdd.
  void (*binary)(const BinaryF32Params&, const float* a, const float* b, const float* c, float* y, int64_t row_begin,
                 int64_t row_end);
  // y[i] = act(x[i]) for i < n, as kernels/reference/activation.h and elementwise.h (relu,
  // clip) define it; NaN stays NaN. Reads and writes nothing past n; y may equal x.
  void (*activation)(const ActivationF32Params&, int64_t n, const float* x, float* y);
  // Softmax over each of `rows` rows of `cols` floats, numerically stable (max subtracted).
  void (*softmax)(int32_t rows, int32_t cols, const float* in, float* out);
  // out[i * channels + c] = in[c * plane + i] for pixels i in [0, n), c in [0, channels): n
  // pixels of `channels` planes `plane` floats apart into channels-last order (a planar image
  // into NHWC; oracle: kernels/reference/layout.h).
  void (*interleave)(int32_t channels, int64_t plane, int64_t n, const float* in, float* out);
};

// The variants (kernels/f32/vector_<isa>.cpp) are listed in the kernel table,
// kernels/kernels.inc, and declared in kernels/kernels.h.

}  // namespace octet::kernels
