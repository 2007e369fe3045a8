// AVX-512 int8 depthwise convolution (kernels/int8/dwconv.h), bit-exact with the reference
// (kernels/reference/qdwconv.h): dwconv_impl.h's loops on dwconv_avx512_isa.h's vectors,
// tap pairs multiplied with vpmaddwd + vpaddd.
// GCC 12's AVX-512 headers seed some intrinsics with a self-initialised "undefined" vector
// (_mm512_undefined_epi32), which -Wmaybe-uninitialized reports once inlined: a false
// positive, silenced in this file only (as in vector_avx512.cpp).
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include "kernels/int8/dwconv_avx512_isa.h"
#include "kernels/kernels.h"

namespace octet::kernels {
namespace {
using Impl = QDwConvImpl<Avx512Dw<false>>;
}  // namespace

const QDwConvU8Kernel qu8_dwconv_nhwc_avx512 = {
    "qu8_dwconv_nhwc_avx512", &Impl::supports, &Impl::packed_bytes, &Impl::pack, &Impl::run, nullptr,
};

}  // namespace octet::kernels
