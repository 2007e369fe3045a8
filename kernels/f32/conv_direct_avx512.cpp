// FP32 NHWC direct convolution for AVX-512F (kernels/f32/conv_direct_impl.h): tiles of 32
// output channels x up to 11 pixels (22 zmm accumulators; at 12 GCC spills a weight
// vector), or 16 channels x up to 12 pixels when out_c fits one vector (more pixels run
// out of general registers for the pixel offsets and measured slower).
#include "kernels/f32/conv_direct_impl.h"
#include "kernels/kernels.h"

namespace octet::kernels {
namespace {
using Impl = ConvDirectF32<xsimd::avx512f, 12, 11>;
}  // namespace

const ConvF32Kernel f32_conv_nhwc_direct_avx512 = {
    "f32_conv_nhwc_direct_avx512", &Impl::supports, &Impl::packed_floats, &Impl::pack,
    &Impl::workspace_floats,       &Impl::run,      1, &Impl::call_rows,
};

}  // namespace octet::kernels
