// FP32 NHWC direct convolution for SSE2 (kernels/f32/conv_direct_impl.h): tiles of 8
// output channels x 5 pixels (10 of the 16 xmm accumulate; no FMA, so a multiply and an
// add), or 4 channels x 8 pixels when out_c fits one vector.
#include "kernels/f32/conv_direct_impl.h"
#include "kernels/kernels.h"

namespace octet::kernels {
namespace {
using Impl = ConvDirectF32<xsimd::sse2, 8, 5>;
}  // namespace

const ConvF32Kernel f32_conv_nhwc_direct_sse2 = {
    "f32_conv_nhwc_direct_sse2", &Impl::supports, &Impl::packed_floats, &Impl::pack,
    &Impl::workspace_floats,     &Impl::run,      1, &Impl::call_rows,
};

}  // namespace octet::kernels
