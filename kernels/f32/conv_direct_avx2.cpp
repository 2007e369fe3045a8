// FP32 NHWC direct convolution for AVX2 + FMA (kernels/f32/conv_direct_impl.h): tiles of
// 16 output channels x 6 pixels (12 of the 16 ymm accumulate), or 8 channels x 12 pixels
// when out_c fits one vector.
#include "kernels/f32/conv_direct_impl.h"
#include "kernels/kernels.h"

namespace octet::kernels {
namespace {
using Impl = ConvDirectF32<xsimd::fma3<xsimd::avx2>, 12, 6>;
}  // namespace

const ConvF32Kernel f32_conv_nhwc_direct_avx2 = {
    "f32_conv_nhwc_direct_avx2", &Impl::supports, &Impl::packed_floats, &Impl::pack,
    &Impl::workspace_floats,     &Impl::run,      1, &Impl::call_rows,
};

}  // namespace octet::kernels
