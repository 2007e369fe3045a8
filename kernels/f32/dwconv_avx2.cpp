// FP32 NHWC depthwise convolution for AVX2 + FMA (8 channels a vector): kernels/f32/dwconv_impl.h.
#include "kernels/f32/dwconv_impl.h"
#include "kernels/kernels.h"

namespace octet::kernels {
namespace {
using Impl = DwConvF32<xsimd::fma3<xsimd::avx2>>;
}  // namespace

const DwConvF32Kernel f32_dwconv_nhwc_avx2 = {
    "f32_dwconv_nhwc_avx2", &Impl::supports, &Impl::packed_floats, &Impl::pack, &Impl::run,
};

}  // namespace octet::kernels
