// FP32 NHWC depthwise convolution for SSE2 (4 channels a vector): kernels/f32/dwconv_impl.h.
#include "kernels/f32/dwconv_impl.h"
#include "kernels/kernels.h"

namespace octet::kernels {
namespace {
using Impl = DwConvF32<xsimd::sse2>;
}  // namespace

const DwConvF32Kernel f32_dwconv_nhwc_sse2 = {
    "f32_dwconv_nhwc_sse2", &Impl::supports, &Impl::packed_floats, &Impl::pack, &Impl::run,
};

}  // namespace octet::kernels
