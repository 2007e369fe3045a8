// The FP32 vector kernels (pooling, global average and max, residual add, broadcast binary,
// element-wise activations, softmax, planar interleave)
// for AVX-512F.
// Implementations: kernels/f32/pool_impl.h, add_impl.h, binary_impl.h, activation_vector_impl.h,
// softmax_impl.h, interleave_impl.h.
#include "kernels/f32/activation_vector_impl.h"
#include "kernels/f32/add_impl.h"
#include "kernels/f32/binary_impl.h"
#include "kernels/f32/interleave_impl.h"
#include "kernels/f32/pool_impl.h"
#include "kernels/f32/softmax_impl.h"
#include "kernels/kernels.h"

namespace octet::kernels {
namespace {
using Arch = xsimd::avx512f;
}  // namespace

const VectorF32Kernels f32_vector_avx512 = {
    "f32_vector_avx512",
    &PoolF32Impl<Arch>::average,
    &PoolF32Impl<Arch>::max,
    &PoolF32Impl<Arch>::global_average,
    &PoolF32Impl<Arch>::global_max,
    &AddF32Impl<Arch>::add,
    &BinaryF32Impl<Arch>::binary,
    &ActivationF32Impl<Arch>::activation,
    &SoftmaxF32Impl<Arch>::softmax,
    &InterleaveF32Impl<Arch>::interleave,
};

}  // namespace octet::kernels
