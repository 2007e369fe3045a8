// FP32 convolution kernels over channels-last (NHWC) activations, one image per call.
// Each variant (direct, 1x1, Winograd; SSE2 / AVX2 / AVX-512) packs its own weights at
// compile time of the model and computes a range of output rows, so that the engine can
// split an image across threads. Oracle: kernels/reference/conv.h (NCHW, scalar).
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>

namespace octet::kernels {

// What follows the bias and residual. The numbers are the .octet file's codes: append, never
// reorder. SiLU is x * sigmoid(x), HardSwish x * HardSigmoid(x) with alpha 1/6, beta 0.5.
// LeakyRelu and Tanh are the standalone activation kernel's only (VectorF32Kernels::activation):
// no conv epilogue applies them, and the conv steps' validator refuses them.
enum class Activation : uint8_t { None, Relu, Clip, Sigmoid, HardSigmoid, HardSwish, SiLU, LeakyRelu, Tanh };

struct ConvNhwcParams {
  int32_t in_h = 0, in_w = 0, in_c = 0;
  int32_t out_h = 0, out_w = 0, out_c = 0;
  int32_t kernel_h = 1, kernel_w = 1;
  int32_t stride_h = 1, stride_w = 1;
  int32_t dilation_h = 1, dilation_w = 1;
  int32_t pad_top = 0, pad_left = 0;   // bottom/right padding is implied by out_h/out_w
  Activation activation = Activation::None;
  float clip_min = 0.f, clip_max = 0.f;   // Activation::Clip only
  float alpha = 0.f, beta = 0.f;          // Activation::HardSigmoid only: clamp(alpha * x + beta, 0, 1)
};

// out[oh][ow][co] = act(bias[co] + sum w[co][ci][kh][kw] * in[..] + residual[oh][ow][co]),
// where taps outside the input read zero and `residual` (nullable) has the output's shape.
struct ConvF32Kernel {
  const char* name;   // its name in the kernel table, e.g. "f32_conv_nhwc_direct_avx512"
  // Whether this variant handles these params (e.g. Winograd: 3x3, stride 1, dilation 1).
  bool (*supports)(const ConvNhwcParams&);
  size_t (*packed_floats)(const ConvNhwcParams&);
  // weight in ONNX layout [out_c][in_c][kernel_h][kernel_w]; bias nullable (= zeros).
  void (*pack)(const ConvNhwcParams&, const float* weight_oihw, const float* bias, float* packed);
  // Scratch each concurrent call needs (0 if none); the engine provides it from its arena.
  size_t (*workspace_floats)(const ConvNhwcParams&);
  // Computes output rows [oh_begin, oh_end) of one image. oh_begin is a multiple of
  // row_tile (the engine splits work on that granularity); oh_end may be out_h.
  void (*run)(const ConvNhwcParams&, const float* packed, const float* input, const float* residual,
              float* output, float* workspace, int32_t oh_begin, int32_t oh_end);
  int32_t row_tile;
  // The fewest output rows one call should cover (a multiple of row_tile, at most out_h): the
  // rows over which the variant reuses its weights from cache. Every call reads all of the
  // weights (Winograd's transformed ones once per group of strips, the direct kernel's once
  // per pass of rows), so a layer whose weights exceed the caches pays a read from memory
  // per call; the session's interrupt chunks never cut a call below this. nullptr: row_tile.
  int32_t (*call_rows)(const ConvNhwcParams&) = nullptr;
};

// The variants (kernels/f32/conv_<kind>_<isa>.cpp, kind direct, 1x1 or winograd) are listed
// in the kernel table, kernels/kernels.inc, and declared in kernels/kernels.h.

}  // namespace octet::kernels
