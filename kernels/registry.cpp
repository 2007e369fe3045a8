#include "kernels/registry.h"

namespace octet::kernels {

namespace {

template <KernelFamily F>
KernelVariant variant(const char* name, KernelIsa isa, const typename KernelObject<F>::type& k) {
  KernelVariant v{name, F, isa};
  if constexpr (F == KernelFamily::ConvF32) v.conv = &k;
  if constexpr (F == KernelFamily::DwConvF32) v.dwconv = &k;
  if constexpr (F == KernelFamily::GemmF32) v.gemm = &k;
  if constexpr (F == KernelFamily::VectorF32) v.vector = &k;
  if constexpr (F == KernelFamily::ConvQU8) v.qconv = &k;
  if constexpr (F == KernelFamily::DwConvQU8) v.qdwconv = &k;
  if constexpr (F == KernelFamily::GemmQU8) v.qgemm = &k;
  if constexpr (F == KernelFamily::MaxPoolQU8) v.qmaxpool = &k;
  if constexpr (F == KernelFamily::VectorQU8) v.qvector = &k;
  return v;
}

const KernelVariant kVariants[] = {
#define OCTET_KERNEL(family, isa, object) variant<KernelFamily::family>(#object, KernelIsa::isa, object),
#include "kernels/kernels.inc"
#undef OCTET_KERNEL
};

}  // namespace

std::span<const KernelVariant> kernel_variants() { return kVariants; }

const void* KernelVariant::object() const {
  if (conv) return conv;
  if (dwconv) return dwconv;
  if (gemm) return gemm;
  if (vector) return vector;
  if (qconv) return qconv;
  if (qdwconv) return qdwconv;
  if (qgemm) return qgemm;
  if (qmaxpool) return qmaxpool;
  return qvector;
}

const KernelVariant* variant_named(std::string_view name) {
  for (const KernelVariant& v : kVariants)
    if (name == v.name) return &v;
  return nullptr;
}

const KernelVariant* variant_of(const void* object) {
  for (const KernelVariant& v : kVariants)
    if (object != nullptr && v.object() == object) return &v;
  return nullptr;
}

std::vector<const KernelVariant*> variants_of(KernelFamily family) {
  std::vector<const KernelVariant*> out;
  for (const KernelVariant& v : kVariants)
    if (v.family == family) out.push_back(&v);
  return out;
}

std::vector<const KernelVariant*> variants_for(KernelFamily family, KernelIsa isa) {
  std::vector<const KernelVariant*> out;
  for (const KernelVariant& v : kVariants)
    if (v.family == family && v.isa == isa) out.push_back(&v);
  return out;
}

const char* family_name(KernelFamily f) {
  switch (f) {
    case KernelFamily::ConvF32: return "f32_conv";
    case KernelFamily::DwConvF32: return "f32_dwconv";
    case KernelFamily::GemmF32: return "f32_gemm";
    case KernelFamily::VectorF32: return "f32_vector";
    case KernelFamily::ConvQU8: return "qu8_conv";
    case KernelFamily::DwConvQU8: return "qu8_dwconv";
    case KernelFamily::GemmQU8: return "qu8_gemm";
    case KernelFamily::MaxPoolQU8: return "qu8_maxpool";
    case KernelFamily::VectorQU8: return "qu8_vector";
  }
  return "?";
}

}  // namespace octet::kernels
