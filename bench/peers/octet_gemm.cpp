// octet's side of the comparison: the problems' data and octet's GEMMs with their weights
// packed once, as octet-compile packs them.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>

#include "bench/kernels/bench_common.h"
#include "bench/peers/gemm_peers.h"
#include "kernels/int8/requant.h"

namespace octet::bench {
namespace {

// What the compiler picks by default: the widest variant this CPU runs (that accepts the
// parameters, for int8).
template <typename Accepts>
const kernels::KernelVariant& widest(kernels::KernelFamily family, Accepts accepts) {
  const kernels::KernelVariant* best = kernels::widest_variant(family, kernels::kWidestIsa, accepts);
  if (best == nullptr) {
    std::fprintf(stderr, "octet-bench-gemm-peers: no %s kernel runs on this CPU\n", kernels::family_name(family));
    std::exit(1);
  }
  return *best;
}

template <typename T>
std::vector<T> random_ints(size_t n, uint32_t seed, int lo, int hi) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> d(lo, hi);
  std::vector<T> v(n);
  for (T& x : v) x = static_cast<T>(d(rng));
  return v;
}

// A 1x1 convolution over an m x 1 image is the GEMM (kernels/int8/conv.h). The requantisation
// scale spreads the outputs over about +-40 around the zero point whatever K is (the
// accumulator's spread is about sqrt(K) * 74 * 74 for uniform bytes), so that the check
// compares informative uint8 values rather than clamped ones.
kernels::QConvParams gemm_params(const GemmShape& s) {
  kernels::QConvParams q;
  kernels::ConvNhwcParams& p = q.shape;
  p.in_h = p.out_h = s.m;
  p.in_w = p.out_w = 1;
  p.in_c = s.k;
  p.out_c = s.n;
  q.input_zero_point = U8S8Problem::kInputZeroPoint;
  q.weight_zero_point = 0;
  q.output_zero_point = 128;
  q.scale = float(40.0 / (std::sqrt(double(s.k)) * 74.0 * 74.0));
  return q;
}

}  // namespace

const kernels::KernelVariant& octet_f32_variant() {
  return widest(kernels::KernelFamily::GemmF32, [](const kernels::KernelVariant&) { return true; });
}

const kernels::KernelVariant& octet_u8s8_variant(const GemmShape& s) {
  const kernels::QConvParams q = gemm_params(s);
  return widest(kernels::KernelFamily::ConvQU8, [&q](const kernels::KernelVariant& v) { return v.qconv->supports(q); });
}

F32Problem::F32Problem(const GemmShape& s)
    : shape(s), a(random_floats(size_t(s.m) * s.k, 5)), b(random_floats(size_t(s.n) * s.k, 6)) {}

U8S8Problem::U8S8Problem(const GemmShape& s)
    : shape(s),
      a(random_ints<uint8_t>(size_t(s.m) * s.k, 4, 0, 255)),
      b(random_ints<int8_t>(size_t(s.n) * s.k, 2, -128, 127)),
      bias(random_ints<int32_t>(size_t(s.n), 3, -1000, 1000)) {}

OctetF32Gemm::OctetF32Gemm(const F32Problem& p)
    : p_(p), variant_(&octet_f32_variant()) {
  const kernels::GemmF32Kernel& g = *variant_->gemm;
  packed_.resize(g.packed_floats(p.shape.k, p.shape.n));
  g.pack(p.shape.k, p.shape.n, p.b.data(), /*trans_b=*/true, /*bias=*/nullptr, packed_.data());
}

void OctetF32Gemm::run(float* c) const {
  const GemmShape& s = p_.shape;
  variant_->gemm->run(0, s.m, s.n, s.k, p_.a.data(), s.k, packed_.data(), c, s.n, kernels::Activation::None);
}

OctetU8S8Gemm::AlignedBytes::AlignedBytes(size_t n) : raw(n + 64) {
  const uintptr_t address = reinterpret_cast<uintptr_t>(raw.data());
  data = raw.data() + (64 - address % 64) % 64;
}

OctetU8S8Gemm::OctetU8S8Gemm(const U8S8Problem& p)
    : p_(p),
      variant_(&octet_u8s8_variant(p.shape)),
      q_(gemm_params(p.shape)),
      packed_(variant_->qconv->packed_bytes(q_)),
      workspace_(variant_->qconv->workspace_bytes(q_)) {
  variant_->qconv->pack(q_, p.b.data(), p.bias.data(), packed_.data);
}

void OctetU8S8Gemm::run(uint8_t* c) const {
  variant_->qconv->run(q_, packed_.data, p_.a.data(), nullptr, c, workspace_.data, 0, p_.shape.m);
}

}  // namespace octet::bench
