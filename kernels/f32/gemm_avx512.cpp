// FP32 packed GEMM for AVX-512F, 8 x 32 tiles (16 of the 32 zmm registers accumulate).
// The implementation is kernels/f32/gemm_impl.h; this file picks the ISA and the tile.
#include "kernels/f32/gemm_impl.h"
#include "kernels/kernels.h"

namespace octet::kernels {
namespace {
using Impl = GemmF32Impl<xsimd::avx512f, 8, 2>;
}  // namespace

const GemmF32Kernel f32_gemm_avx512 = {
    "f32_gemm_avx512", &Impl::packed_floats, &Impl::pack, &Impl::run,
};

}  // namespace octet::kernels
