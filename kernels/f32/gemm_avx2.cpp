// FP32 packed GEMM for AVX2 + FMA, 6 x 16 tiles (12 of the 16 ymm registers accumulate).
// The implementation is kernels/f32/gemm_impl.h; this file picks the ISA and the tile.
#include "kernels/f32/gemm_impl.h"
#include "kernels/kernels.h"

namespace octet::kernels {
namespace {
using Impl = GemmF32Impl<xsimd::fma3<xsimd::avx2>, 6, 2>;
}  // namespace

const GemmF32Kernel f32_gemm_avx2 = {
    "f32_gemm_avx2", &Impl::packed_floats, &Impl::pack, &Impl::run,
};

}  // namespace octet::kernels
