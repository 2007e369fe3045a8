// FP32 planar -> channels-last interleave (VectorF32Kernels::interleave): n pixels of
// `channels` planes into [pixel][channel] order. Header-only, templated on the xsimd
// architecture; included by vector_<isa>.cpp in an anonymous namespace (see
// kernels/CMakeLists.txt). Oracle: kernels/reference/layout.h.
//
// Three channels (RGB images, the planar graph inputs of the ImageNet models) take a shuffle
// path: AVX-512 builds each output vector of 16 pixels' channels with one two-source
// permute of the first two planes and one masked permute of the third; SSE2 and AVX2 interleave
// 4 pixels with unpacks and shuffles (12 floats). Compiled scalar (one load and store per
// float), the 224x224 RGB interleave took 21-25 us in a model run; with the shuffles, 9.1 us
// (AVX-512) and 12 us (SSE2) in bench_f32_vector, the image in cache. The other channel counts
// stay on the plain loop (one channel is a copy).
#pragma once
#include <xsimd/xsimd.hpp>

#include <cstdint>
#include <cstring>
#include <type_traits>

namespace octet::kernels {
namespace {

template <class Arch>
struct InterleaveF32Impl {
  // Pixels [i, n) of any channel count, one float at a time.
  static void tail(int32_t channels, int64_t plane, int64_t i, int64_t n, const float* in, float* out) {
    for (; i < n; ++i)
      for (int32_t c = 0; c < channels; ++c) out[i * channels + c] = in[c * plane + i];
  }

  // AVX-512: output float g (of 48 per 16 pixels) is channel g % 3 of pixel g / 3: from a or
  // b through index pixel or 16 + pixel of the (a, b) permute, from c through the masked one.
  struct Tables {
    alignas(64) int32_t ab[3][16];
    alignas(64) int32_t c[3][16];
    uint16_t c_mask[3];
  };
  static constexpr Tables make_tables() {
    Tables t{};
    for (int k = 0; k < 3; ++k)
      for (int j = 0; j < 16; ++j) {
        const int g = 16 * k + j, px = g / 3, ch = g % 3;
        t.ab[k][j] = ch == 1 ? 16 + px : px;
        t.c[k][j] = px;
        if (ch == 2) t.c_mask[k] = static_cast<uint16_t>(t.c_mask[k] | (1u << j));
      }
    return t;
  }
  static constexpr Tables kTables = make_tables();

  // Three planes, pixels [0, n): returns the first pixel left to the tail.
  static int64_t three(int64_t plane, int64_t n, const float* in, float* out) {
    const float* a = in;
    const float* b = in + plane;
    const float* c = in + 2 * plane;
    int64_t i = 0;
    if constexpr (std::is_same_v<Arch, xsimd::avx512f>) {
      const Tables& t = kTables;
      __m512i ia[3], ic[3];
      for (int k = 0; k < 3; ++k) {
        ia[k] = _mm512_load_si512(t.ab[k]);
        ic[k] = _mm512_load_si512(t.c[k]);
      }
      const uint16_t* c_mask = t.c_mask;
      for (; i + 16 <= n; i += 16) {
        const __m512 va = _mm512_loadu_ps(a + i), vb = _mm512_loadu_ps(b + i), vc = _mm512_loadu_ps(c + i);
        float* o = out + 3 * i;
#pragma GCC unroll 3
        for (int k = 0; k < 3; ++k) {
          const __m512 ab = _mm512_permutex2var_ps(va, ia[k], vb);
          _mm512_storeu_ps(o + 16 * k, _mm512_mask_permutexvar_ps(ab, c_mask[k], ic[k], vc));
        }
      }
    } else {
      for (; i + 4 <= n; i += 4) {
        const __m128 va = _mm_loadu_ps(a + i), vb = _mm_loadu_ps(b + i), vc = _mm_loadu_ps(c + i);
        const __m128 ab_lo = _mm_unpacklo_ps(va, vb);   // a0 b0 a1 b1
        const __m128 ab_hi = _mm_unpackhi_ps(va, vb);   // a2 b2 a3 b3
        const __m128 ca_lo = _mm_unpacklo_ps(vc, va);   // c0 a0 c1 a1
        const __m128 ca_hi = _mm_unpackhi_ps(vc, va);   // c2 a2 c3 a3
        const __m128 bc_lo = _mm_unpacklo_ps(vb, vc);   // b0 c0 b1 c1
        const __m128 bc_hi = _mm_unpackhi_ps(vb, vc);   // b2 c2 b3 c3
        float* o = out + 3 * i;
        _mm_storeu_ps(o, _mm_shuffle_ps(ab_lo, ca_lo, _MM_SHUFFLE(3, 0, 1, 0)));       // a0 b0 c0 a1
        _mm_storeu_ps(o + 4, _mm_shuffle_ps(bc_lo, ab_hi, _MM_SHUFFLE(1, 0, 3, 2)));   // b1 c1 a2 b2
        _mm_storeu_ps(o + 8, _mm_shuffle_ps(ca_hi, bc_hi, _MM_SHUFFLE(3, 2, 3, 0)));   // c2 a3 b3 c3
      }
    }
    return i;
  }

  static void interleave(int32_t channels, int64_t plane, int64_t n, const float* in, float* out) {
    if (channels == 1) {
      std::memcpy(out, in, sizeof(float) * static_cast<size_t>(n));
      return;
    }
    const int64_t i = channels == 3 ? three(plane, n, in, out) : 0;
    tail(channels, plane, i, n, in, out);
  }
};

}  // namespace
}  // namespace octet::kernels
