// Winograd F(4x4, 3x3) FP32 NHWC convolution, AVX2 + FMA: 8 lanes. The algorithm is in
// conv_winograd_impl.h; this file instantiates it for one ISA (compile flags by file suffix).
#include "kernels/f32/conv_winograd_impl.h"
#include "kernels/kernels.h"

namespace octet::kernels {
namespace {

using Arch = xsimd::fma3<xsimd::avx2>;

bool supports(const ConvNhwcParams& p) { return winograd::supports<Arch>(p); }
size_t packed_floats(const ConvNhwcParams& p) { return winograd::packed_floats<Arch>(p); }
void pack(const ConvNhwcParams& p, const float* weight, const float* bias, float* packed) {
  winograd::pack<Arch>(p, weight, bias, packed);
}
size_t workspace_floats(const ConvNhwcParams& p) { return winograd::workspace_floats<Arch>(p); }
int32_t call_rows(const ConvNhwcParams& p) { return winograd::call_rows<Arch>(p); }
void run(const ConvNhwcParams& p, const float* packed, const float* input, const float* residual, float* output,
         float* workspace, int32_t oh_begin, int32_t oh_end) {
  winograd::run<Arch>(p, packed, input, residual, output, workspace, oh_begin, oh_end);
}

}  // namespace

const ConvF32Kernel f32_conv_nhwc_winograd_avx2 = {
    "f32_conv_nhwc_winograd_avx2", supports, packed_floats, pack, workspace_floats, run, winograd::kTileOut, call_rows,
};

}  // namespace octet::kernels
