// AVX-512 VNNI int8 depthwise convolution (kernels/int8/dwconv.h), bit-exact with the
// reference (kernels/reference/qdwconv.h): the AVX-512 variant with each tap pair's
// vpmaddwd + vpaddd fused into one vpdpwssd (dwconv_avx512_isa.h).
// GCC 12's AVX-512 headers seed some intrinsics with a self-initialised "undefined" vector
// (_mm512_undefined_epi32), which -Wmaybe-uninitialized reports once inlined: a false
// positive, silenced in this file only (as in vector_avx512.cpp).
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include "kernels/int8/dwconv_avx512_isa.h"
#include "kernels/kernels.h"

namespace octet::kernels {
namespace {
using Impl = QDwConvImpl<Avx512Dw<true>>;
}  // namespace

const QDwConvU8Kernel qu8_dwconv_nhwc_vnni = {
    "qu8_dwconv_nhwc_vnni", &Impl::supports, &Impl::packed_bytes, &Impl::pack, &Impl::run, nullptr,
};

}  // namespace octet::kernels
