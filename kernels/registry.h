// Every kernel variant octet ships, in one list: its name, family, ISA, and whether this CPU
// can run it. Benchmarks register one benchmark per entry, and a test
// (tests/test_kernel_benchmarks.cpp) checks that every entry has a benchmark and that every
// variant object declared in kernels/**/*.h is listed here. A new kernel gets a line in
// registry.cpp.
#pragma once
#include <span>
#include <string_view>

#include "kernels/f32/conv.h"
#include "kernels/f32/gemm.h"
#include "kernels/f32/vector.h"
#include "kernels/int8/conv.h"
#include "kernels/int8/vector.h"

namespace octet::kernels {

enum class KernelFamily { ConvF32, GemmF32, VectorF32, ConvQU8, VectorQU8 };
// Scalar: portable C++ built with the x86-64 baseline flags (the int8 fallback for CPUs
// without AVX2).
enum class KernelIsa { Scalar, Sse2, Avx2, Avx512, Vnni };

struct KernelVariant {
  const char* name;   // the exported object's name, e.g. "f32_conv_nhwc_winograd_avx512"
  KernelFamily family;
  KernelIsa isa;
  // Exactly one of these is set, matching `family`.
  const ConvF32Kernel* conv = nullptr;
  const GemmF32Kernel* gemm = nullptr;
  const VectorF32Kernels* vector = nullptr;
  const QConvU8Kernel* qconv = nullptr;
  const VectorQU8Kernels* qvector = nullptr;

  bool supported() const;   // by this CPU (honours OCTET_ISA, see cpu_features.h)
};

std::span<const KernelVariant> kernel_variants();

const char* family_name(KernelFamily f);   // "f32_conv", "f32_gemm", "f32_vector", "qu8_conv", "qu8_vector"
const char* isa_name(KernelIsa i);         // "scalar", "sse2", "avx2", "avx512", "vnni"
bool isa_supported(KernelIsa i);

}  // namespace octet::kernels
