// FP32 packed GEMM for SSE2 (x86-64 baseline, no FMA: multiply then add), 6 x 8 tiles.
// The implementation is kernels/f32/gemm_impl.h; this file picks the ISA and the tile.
#include "kernels/f32/gemm_impl.h"
#include "kernels/kernels.h"

namespace octet::kernels {
namespace {
using Impl = GemmF32Impl<xsimd::sse2, 6, 2>;
}  // namespace

const GemmF32Kernel f32_gemm_sse2 = {
    "f32_gemm_sse2", &Impl::packed_floats, &Impl::pack, &Impl::run,
};

}  // namespace octet::kernels
