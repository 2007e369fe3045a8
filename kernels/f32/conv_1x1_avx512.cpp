// FP32 NHWC 1x1 convolution for AVX-512F (kernels/f32/conv_1x1_impl.h), with the tiles
// of the direct convolution of this ISA: 32 output channels x 11 pixels (16 x 12 when out_c <= 16).
#include "kernels/f32/conv_1x1_impl.h"
#include "kernels/kernels.h"

namespace octet::kernels {
namespace {
using Impl = Conv1x1F32<xsimd::avx512f, 12, 11>;
}  // namespace

const ConvF32Kernel f32_conv_nhwc_1x1_avx512 = {
    "f32_conv_nhwc_1x1_avx512", &Impl::supports, &Impl::packed_floats, &Impl::pack,
    &Impl::workspace_floats,     &Impl::run,      1, &Impl::call_rows,
};

}  // namespace octet::kernels
