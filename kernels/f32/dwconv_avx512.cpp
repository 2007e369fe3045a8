// FP32 NHWC depthwise convolution for AVX-512F (16 channels a vector): kernels/f32/dwconv_impl.h.
#include "kernels/f32/dwconv_impl.h"
#include "kernels/kernels.h"

namespace octet::kernels {
namespace {
using Impl = DwConvF32<xsimd::avx512f>;
}  // namespace

const DwConvF32Kernel f32_dwconv_nhwc_avx512 = {
    "f32_dwconv_nhwc_avx512", &Impl::supports, &Impl::packed_floats, &Impl::pack, &Impl::run,
};

}  // namespace octet::kernels
