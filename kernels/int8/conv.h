// int8 convolution over channels-last (NHWC) uint8 activations, one image per call, with
// int32 accumulation and ONNX Runtime's float requantisation (kernels/int8/requant.h). The
// same interface serves GEMM: a [m,k] x [k,n] product is a 1x1 convolution over an m x 1
// image with in_c = k and out_c = n.
//
// Inside octet every quantized activation is uint8 with a zero point (an int8 activation is
// offset by 128 at the graph level, which maps it exactly onto uint8 with zero point + 128),
// and every weight is int8 with a zero point (uint8 weights are offset by -128 at pack time
// the same way). So one kernel family covers the uint8, int8 and u8s8 schemes.
//
// What every variant computes, exactly (the oracle is kernels/reference/qconv.h):
//   acc[co]  = bias[co] + sum over taps inside the input, ci of
//                (x[ih][iw][ci] - input_zp) * (w[co][ci][kh][kw] - weight_zp)     (int32)
//   y        = requantize_float(acc, s[co], output_zp, output_min, output_max)
// i.e. float(acc) * s[co] clamped in float to [output_min - zp, output_max - zp], rounded
// half to even, + zp: MlasRequantizeOutput, which ONNX Runtime's QLinearConv and QGemm end
// in, so that both give the same codes for the same QDQ file (issue 15). Taps that fall in
// the padding contribute nothing (as if they read input_zp). s[co] is `scale` for every
// channel (per-tensor weights), or channel_scales[co] with per-channel weights; each is
// conv_requant_scale(s_in, s_w[co], s_out), float(float(s_in * s_w) / s_out).
//
// With round_before_residual (a residual block of a QDQ model, docs/quantization.md: the conv
// output is rounded to its own uint8 tensor c before the Add), the residual r is required:
//   c        = requantize_float(acc, s[co], conv_zero_point, 0, 255)   (s from s_c)
//   y        = qadd_float(A, B, residual_add, output_min, output_max)
// with (A, B) = (r, c) if residual_is_first else (c, r): the Add's own operand order, which
// matters because ONNX Runtime's QLinearAdd rounds B's term first. That is the plain conv
// into c followed by the int8 Add, bit for bit, in one pass. A residual without
// round_before_residual has no arithmetic here (the compiler refuses it): run() must get a
// residual exactly when round_before_residual is set.
#pragma once
#include <cstddef>
#include <cstdint>

#include "kernels/f32/conv.h"
#include "kernels/int8/requant.h"

namespace octet::kernels {

struct QConvParams {
  ConvNhwcParams shape;                  // activation / clip fields are not used here
  int32_t input_zero_point = 0;          // 0..255
  int32_t weight_zero_point = 0;         // -128..127 (0 for symmetric weights)
  int32_t output_zero_point = 0;         // 0..255
  int32_t output_min = 0, output_max = 255;   // Relu / Clip merged into the clamp
  // The residual after an intermediate rounding (see above); needs residual != nullptr.
  bool round_before_residual = false;
  int32_t conv_zero_point = 0;           // zc, 0..255
  // zr, 0..255: the kernels read it folded into residual_add.fixed; the compiler and the tests
  // keep it here to build residual_add (not a file field).
  int32_t residual_zero_point = 0;

  // ONNX Runtime-compatible float requantisation (kernels/int8/requant.h):
  //   c = requantize_float(acc, scale or channel_scales[co], zero point, lo, hi)
  // with scale = conv_requant_scale(s_in, s_w, s_out) (s_c, the conv's own tensor, with
  // round_before_residual), and then with round_before_residual
  //   y = qadd_float(A, B, residual_add, output_min, output_max)
  // where (A, B) = (r, c) if residual_is_first else (c, r): the Add's own operand order.
  float scale = 0;
  const float* channel_scales = nullptr;   // out_c of them, or nullptr; not a file field
  QAddFloat residual_add;
  bool residual_is_first = false;

  // Where the codes go: pixel i's out_c codes at output + i * output_pixel_stride (bytes;
  // 0 means out_c, a dense tensor), so that a conv writes its channels straight into its slice
  // of a Concat's output (engine/qconv_into_concat.h; the caller offsets `output` to the
  // slice). With output_table, each code y is stored as output_table[y]: the Concat's
  // requantisation of that input (kernels/reference/qmaxpool.h, requantize_table_qu8), so
  // that the conv and the concat slice give the same bytes as the two steps did. Neither with
  // round_before_residual (the residual has the dense output's shape). A kernel may refuse a
  // table (supports(): the VNNI variant looks it up with AVX-512 VBMI).
  int32_t output_pixel_stride = 0;
  bool has_output_table = false;
  const uint8_t* output_table = nullptr;   // 256 bytes with has_output_table; not a file field
  int64_t y_pixel() const { return output_pixel_stride > 0 ? output_pixel_stride : shape.out_c; }
};

// round_before_residual's Add (above) of c, the conv's rounded output, and the residual r, in
// the Add's operand order: the scalar form the reference and the scalar variant share.
inline uint8_t residual_add_u8(const QConvParams& p, int32_t c, int32_t r) {
  return p.residual_is_first ? qadd_float(r, c, p.residual_add, p.output_min, p.output_max)
                             : qadd_float(c, r, p.residual_add, p.output_min, p.output_max);
}

// What every variant's supports() asks of the output layout (QConvParams::output_pixel_stride,
// output_table): pixels at least out_c apart, and a dense, untabled output with
// round_before_residual.
inline bool output_layout_ok(const QConvParams& p) {
  const bool dense = p.output_pixel_stride == 0 || p.output_pixel_stride == p.shape.out_c;
  return p.output_pixel_stride >= 0 && p.y_pixel() >= p.shape.out_c &&
         (!p.round_before_residual || (dense && !p.has_output_table));
}

struct QConvU8Kernel {
  const char* name;   // its name in the kernel table, e.g. "qu8_conv_nhwc_direct_vnni"
  bool (*supports)(const QConvParams&);
  size_t (*packed_bytes)(const QConvParams&);
  // weight: int8 [out_c][in_c][kernel_h][kernel_w] (ONNX layout); bias: int32 [out_c], nullable.
  // Packing folds every input-independent correction (zero points) into the packed bias.
  // `packed` is 64-byte aligned.
  void (*pack)(const QConvParams&, const int8_t* weight_oihw, const int32_t* bias, void* packed);
  // Scratch bytes each concurrent call needs (0 if none), 64-byte aligned, from the engine.
  size_t (*workspace_bytes)(const QConvParams&);
  // Output rows [oh_begin, oh_end) of one image; oh_begin is a multiple of row_tile.
  // residual is nullable (required with round_before_residual) and has the output's shape
  // (uint8 NHWC, dense); output pixel i starts at output + i * p.y_pixel().
  void (*run)(const QConvParams&, const void* packed, const uint8_t* input, const uint8_t* residual,
              uint8_t* output, void* workspace, int32_t oh_begin, int32_t oh_end);
  int32_t row_tile;
};

// The variants, one per file (kernels/int8/conv_<kind>_<isa>.cpp), are listed in the kernel
// table, kernels/kernels.inc, and declared in kernels/kernels.h. `scalar` is the portable
// variant for CPUs without AVX2 (it runs the reference loop nest on packed weights).

}  // namespace octet::kernels
