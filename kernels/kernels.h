// The kernel families and the declarations of every variant object, expanded from the kernel
// table (kernels/kernels.inc). A variant's file includes this header so that its object is
// defined with external linkage; code that picks kernels goes through the registry
// (kernels/registry.h) rather than naming objects.
#pragma once
#include "kernels/dispatch/isa.h"
#include "kernels/f32/conv.h"
#include "kernels/f32/dwconv.h"
#include "kernels/f32/gemm.h"
#include "kernels/f32/vector.h"
#include "kernels/int8/conv.h"
#include "kernels/int8/dwconv.h"
#include "kernels/int8/gemm_f32out.h"
#include "kernels/int8/maxpool.h"
#include "kernels/int8/vector.h"

namespace octet::kernels {

// The interface a variant implements. "f32" is the FP32 datatype family, "qu8" the quantized
// one (uint8 activations, int8 weights: kernels/int8/conv.h explains why one family serves
// the uint8, int8 and u8s8 schemes).
enum class KernelFamily { ConvF32, DwConvF32, GemmF32, VectorF32, ConvQU8, DwConvQU8, GemmQU8, MaxPoolQU8, VectorQU8 };

// The object type of each family.
template <KernelFamily F> struct KernelObject;
template <> struct KernelObject<KernelFamily::ConvF32> { using type = ConvF32Kernel; };
template <> struct KernelObject<KernelFamily::DwConvF32> { using type = DwConvF32Kernel; };
template <> struct KernelObject<KernelFamily::GemmF32> { using type = GemmF32Kernel; };
template <> struct KernelObject<KernelFamily::VectorF32> { using type = VectorF32Kernels; };
template <> struct KernelObject<KernelFamily::ConvQU8> { using type = QConvU8Kernel; };
template <> struct KernelObject<KernelFamily::DwConvQU8> { using type = QDwConvU8Kernel; };
template <> struct KernelObject<KernelFamily::GemmQU8> { using type = QGemmF32Kernel; };
template <> struct KernelObject<KernelFamily::MaxPoolQU8> { using type = QMaxPoolU8Kernel; };
template <> struct KernelObject<KernelFamily::VectorQU8> { using type = VectorQU8Kernels; };

#define OCTET_KERNEL(family, isa, object) extern const KernelObject<KernelFamily::family>::type object;
#include "kernels/kernels.inc"
#undef OCTET_KERNEL

}  // namespace octet::kernels
