#include "kernels/registry.h"

#include "kernels/dispatch/cpu_features.h"

namespace octet::kernels {

namespace {

using F = KernelFamily;
using I = KernelIsa;

KernelVariant conv(const char* name, I isa, const ConvF32Kernel& k) { return {name, F::ConvF32, isa, &k}; }
KernelVariant gemm(const char* name, I isa, const GemmF32Kernel& k) { return {name, F::GemmF32, isa, nullptr, &k}; }
KernelVariant vec(const char* name, I isa, const VectorF32Kernels& k) { return {name, F::VectorF32, isa, nullptr, nullptr, &k}; }
[[maybe_unused]] KernelVariant qconv(const char* name, I isa, const QConvU8Kernel& k) {
  return {name, F::ConvQU8, isa, nullptr, nullptr, nullptr, &k};
}
[[maybe_unused]] KernelVariant qvec(const char* name, I isa, const VectorQU8Kernels& k) {
  return {name, F::VectorQU8, isa, nullptr, nullptr, nullptr, nullptr, &k};
}

// Names are spelled out (not taken from the objects' `name` fields, which may carry the
// tile, e.g. "f32_gemm_8x32_avx512") so that they match the declarations in the headers.
const KernelVariant kVariants[] = {
    conv("f32_conv_nhwc_direct_sse2", I::Sse2, f32_conv_nhwc_direct_sse2),
    conv("f32_conv_nhwc_direct_avx2", I::Avx2, f32_conv_nhwc_direct_avx2),
    conv("f32_conv_nhwc_direct_avx512", I::Avx512, f32_conv_nhwc_direct_avx512),
    conv("f32_conv_nhwc_1x1_sse2", I::Sse2, f32_conv_nhwc_1x1_sse2),
    conv("f32_conv_nhwc_1x1_avx2", I::Avx2, f32_conv_nhwc_1x1_avx2),
    conv("f32_conv_nhwc_1x1_avx512", I::Avx512, f32_conv_nhwc_1x1_avx512),
    conv("f32_conv_nhwc_winograd_sse2", I::Sse2, f32_conv_nhwc_winograd_sse2),
    conv("f32_conv_nhwc_winograd_avx2", I::Avx2, f32_conv_nhwc_winograd_avx2),
    conv("f32_conv_nhwc_winograd_avx512", I::Avx512, f32_conv_nhwc_winograd_avx512),
    gemm("f32_gemm_sse2", I::Sse2, f32_gemm_sse2),
    gemm("f32_gemm_avx2", I::Avx2, f32_gemm_avx2),
    gemm("f32_gemm_avx512", I::Avx512, f32_gemm_avx512),
    vec("f32_vector_sse2", I::Sse2, f32_vector_sse2),
    vec("f32_vector_avx2", I::Avx2, f32_vector_avx2),
    vec("f32_vector_avx512", I::Avx512, f32_vector_avx512),
    // int8 convolution (and GEMM as 1x1 convolution): kernels/int8/conv.h
    qconv("qu8_conv_nhwc_scalar", I::Scalar, qu8_conv_nhwc_scalar),
    qconv("qu8_conv_nhwc_direct_avx2", I::Avx2, qu8_conv_nhwc_direct_avx2),
    qconv("qu8_conv_nhwc_direct_vnni", I::Vnni, qu8_conv_nhwc_direct_vnni),
    // int8 element-wise: kernels/int8/vector.h
    qvec("qu8_vector_scalar", I::Scalar, qu8_vector_scalar),
    qvec("qu8_vector_avx2", I::Avx2, qu8_vector_avx2),
    qvec("qu8_vector_avx512", I::Avx512, qu8_vector_avx512),
};

}  // namespace

std::span<const KernelVariant> kernel_variants() { return kVariants; }

bool isa_supported(KernelIsa i) {
  const CpuFeatures& f = cpu_features();
  switch (i) {
    case KernelIsa::Scalar: return true;
    case KernelIsa::Sse2: return f.sse2;
    case KernelIsa::Avx2: return f.avx2 && f.fma;
    case KernelIsa::Avx512: return f.avx512f && f.avx512bw && f.fma;
    case KernelIsa::Vnni: return f.avx512vnni && f.fma;
  }
  return false;
}

bool KernelVariant::supported() const { return isa_supported(isa); }

const char* family_name(KernelFamily f) {
  switch (f) {
    case KernelFamily::ConvF32: return "f32_conv";
    case KernelFamily::GemmF32: return "f32_gemm";
    case KernelFamily::VectorF32: return "f32_vector";
    case KernelFamily::ConvQU8: return "qu8_conv";
    case KernelFamily::VectorQU8: return "qu8_vector";
  }
  return "?";
}

const char* isa_name(KernelIsa i) {
  switch (i) {
    case KernelIsa::Scalar: return "scalar";
    case KernelIsa::Sse2: return "sse2";
    case KernelIsa::Avx2: return "avx2";
    case KernelIsa::Avx512: return "avx512";
    case KernelIsa::Vnni: return "vnni";
  }
  return "?";
}

}  // namespace octet::kernels
