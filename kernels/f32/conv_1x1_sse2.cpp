// FP32 NHWC 1x1 convolution for SSE2 (kernels/f32/conv_1x1_impl.h), with the tiles
// of the direct convolution of this ISA: 8 output channels x 5 pixels (4 x 8 when out_c <= 4).
#include "kernels/f32/conv_1x1_impl.h"
#include "kernels/kernels.h"

namespace octet::kernels {
namespace {
using Impl = Conv1x1F32<xsimd::sse2, 8, 5>;
}  // namespace

const ConvF32Kernel f32_conv_nhwc_1x1_sse2 = {
    "f32_conv_nhwc_1x1_sse2", &Impl::supports, &Impl::packed_floats, &Impl::pack,
    &Impl::workspace_floats,     &Impl::run,      1, &Impl::call_rows,
};

}  // namespace octet::kernels
