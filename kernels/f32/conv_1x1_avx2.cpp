// FP32 NHWC 1x1 convolution for AVX2 + FMA (kernels/f32/conv_1x1_impl.h), with the tiles
// of the direct convolution of this ISA: 16 output channels x 6 pixels (8 x 12 when out_c <= 8).
#include "kernels/f32/conv_1x1_impl.h"
#include "kernels/kernels.h"

namespace octet::kernels {
namespace {
using Impl = Conv1x1F32<xsimd::fma3<xsimd::avx2>, 12, 6>;
}  // namespace

const ConvF32Kernel f32_conv_nhwc_1x1_avx2 = {
    "f32_conv_nhwc_1x1_avx2", &Impl::supports, &Impl::packed_floats, &Impl::pack,
    &Impl::workspace_floats,     &Impl::run,      1, &Impl::call_rows,
};

}  // namespace octet::kernels
