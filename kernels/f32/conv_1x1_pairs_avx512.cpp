// FP32 NHWC 1x1 convolution for AVX-512F with 8, 16 or 24 output channels (MnasNet's and the
// MobileNetV3s' narrow layers: 16 -> 8 at 112x112, 72 -> 24 at 56x56), stride 1, unpadded: a GEMM
// [pixels x in_c] . [in_c x out_c] that fills every lane of a vector with output channels.
//
// Why: the direct/1x1 tiles (conv_direct_impl.h) hold a pixel's output channels in vectors of
// 16, so 8 channels use half of each FMA and 24 three quarters (16 -> 8 at 112x112 ran at 36
// GMAC/s, a quarter of the peak), and 16 take one broadcast per FMA. Here a vector holds 8
// output channels x 2 input channels: lane 2c + j accumulates w[c][2k + j] * x[2k + j] over k.
// One 64-bit broadcast of the input pair x[2k], x[2k + 1] feeds the pixel's M FMAs, so the
// reduction takes in_c / 2 steps with every lane useful; the tile's epilogue adds each lane
// pair (two permutations and an add per two vectors), which gives 16 consecutive outputs.
//
// Packed weights, out_c = 8 * M: [bias: M vectors][k < ceil(in_c / 2)][M vectors], vector m
// of step k holding lane 2c + j = w[8m + c][2k + j] (zero past in_c); the bias vector lane
// 2c = bias[8m + c], lane 2c + 1 = 0. An odd in_c's last step broadcasts the one channel
// paired with 0 (its weights' odd lanes are zero too), so nothing past a pixel's channels is
// read and an infinite input sums as in the reference.
//
// A tile is P pixels x M vectors (24 accumulators; 16 for M = 1, which measured as fast): its
// outputs are one contiguous run of P * out_c floats, 16 per vector pair. The last tile of a
// call is moved back to end at the call's last pixel (its extra pixels are computed and not
// stored: the masked stores write only the call's pixels, and the masked residual loads read
// only them, so an in-place residual is never read after it is written); an image of fewer
// than P pixels is staged through the workspace, zero-padded to a tile.
#include <immintrin.h>

#include <cstring>

#include "kernels/f32/conv.h"
#include "kernels/f32/conv_epilogue.h"
#include "kernels/kernels.h"

// GCC 12 reports _mm512_permutex2var_ps's own operand as maybe-uninitialized once inlined (as
// in activation_impl.h): a false positive, silenced for this file only.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace octet::kernels {
namespace {

using Batch = xsimd::batch<float, xsimd::avx512f>;

inline int32_t pair_steps(int32_t in_c) { return (in_c + 1) / 2; }

// Pixels per tile for M vectors of output channels: 24 accumulators.
constexpr int pixels_per_tile(int m) { return m == 1 ? 16 : 24 / m; }

inline int32_t tile_pixels(const ConvNhwcParams& p) { return pixels_per_tile(p.out_c / 8); }

// The channel counts where it measured faster than the 1x1 kernel (bench/kernels/
// bench_f32_conv.cpp, AVX-512 Zen): 16 -> 8 at 112x112 60 against 40 GMAC/s, 72 -> 24 at 56x56
// 115 against 93, 48 -> 16 at 56x56 105 against 99. A short reduction does not pay for the
// epilogue's pair sums: 8 -> 24 ran at 55 against 63 GMAC/s.
bool supports(const ConvNhwcParams& p) {
  const bool channels =
      ((p.out_c == 8 || p.out_c == 16) && p.in_c >= 16) || (p.out_c == 24 && p.in_c >= 32);
  return p.in_h > 0 && p.in_w > 0 && channels && p.out_h > 0 && p.out_w > 0 &&
         p.kernel_h == 1 && p.kernel_w == 1 && p.stride_h == 1 && p.stride_w == 1 && p.pad_top == 0 &&
         p.pad_left == 0 && p.out_w == p.in_w && p.out_h <= p.in_h;
}

size_t packed_floats(const ConvNhwcParams& p) {
  return static_cast<size_t>(16) * static_cast<size_t>(p.out_c / 8) * (1 + static_cast<size_t>(pair_steps(p.in_c)));
}

void pack(const ConvNhwcParams& p, const float* weight, const float* bias, float* packed) {
  const int32_t m_count = p.out_c / 8;
  std::memset(packed, 0, packed_floats(p) * sizeof(float));
  for (int32_t co = 0; co < p.out_c; ++co) {
    float* bias_vec = packed + (co / 8) * 16;
    bias_vec[2 * (co % 8)] = bias != nullptr ? bias[co] : 0.f;
    for (int32_t ci = 0; ci < p.in_c; ++ci) {
      float* vec = packed + ((1 + ci / 2) * m_count + co / 8) * 16;
      vec[2 * (co % 8) + ci % 2] = weight[static_cast<size_t>(co) * p.in_c + ci];
    }
  }
}

// Staging for an image of fewer pixels than a tile: a tile's input, residual and output. Asked
// for every image, whatever its size: a caller that sizes the scratch for one image and runs
// smaller ones (the conv chain's last band, conv_chain_f32.h) must find it there.
size_t workspace_floats(const ConvNhwcParams& p) {
  return static_cast<size_t>(tile_pixels(p)) * (static_cast<size_t>(p.in_c) + 2 * static_cast<size_t>(p.out_c));
}

// Lanes of the 16 floats at `at` inside [lo, hi).
inline __mmask16 lane_mask(int32_t at, int32_t lo, int32_t hi) {
  const int32_t a = lo - at > 0 ? lo - at : 0;
  const int32_t b = hi - at < 16 ? hi - at : 16;
  if (b <= a) return 0;
  return static_cast<__mmask16>(((1u << b) - 1u) & ~((1u << a) - 1u));
}

// The sums of a's and b's lane pairs: a's 8 outputs, then b's.
inline __m512 pair_sums(__m512 a, __m512 b) {
  const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  const __m512i odd = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
  return _mm512_add_ps(_mm512_permutex2var_ps(a, even, b), _mm512_permutex2var_ps(a, odd, b));
}

// P pixels (x: the first, in_c floats apart) x M vectors; writes output floats [lo, hi) of
// the tile's run y[0, P * 8M) (residual res, nullable, alike).
template <int P, int M>
[[gnu::flatten]] void tile(const float* x, int32_t in_c, const float* w, float* y, const float* res, int32_t lo,
                           int32_t hi, const ConvEpilogue& ep) {
  __m512 acc[P][M];
#pragma GCC unroll 3
  for (int m = 0; m < M; ++m) {
    const __m512 b = _mm512_loadu_ps(w + 16 * m);
#pragma GCC unroll 24
    for (int p = 0; p < P; ++p) acc[p][m] = b;
  }
  const float* wp = w + 16 * M;
  const float* xp = x;
  const ptrdiff_t sx = in_c;
  for (int32_t k = 0; k < in_c / 2; ++k) {
    __m512 wv[M];
#pragma GCC unroll 3
    for (int m = 0; m < M; ++m) wv[m] = _mm512_loadu_ps(wp + 16 * m);
#pragma GCC unroll 24
    for (int p = 0; p < P; ++p) {
      double pair;
      std::memcpy(&pair, xp + p * sx, sizeof pair);
      const __m512 xb = _mm512_castpd_ps(_mm512_set1_pd(pair));
#pragma GCC unroll 3
      for (int m = 0; m < M; ++m) acc[p][m] = _mm512_fmadd_ps(xb, wv[m], acc[p][m]);
    }
    wp += 16 * M;
    xp += 2;
  }
  if (in_c % 2 != 0) {
    // The last channel alone, paired with 0 (not with itself: the odd lanes' weights are 0,
    // and 0 * inf would turn an infinite input's sum into NaN where the reference has inf).
    __m512 wv[M];
#pragma GCC unroll 3
    for (int m = 0; m < M; ++m) wv[m] = _mm512_loadu_ps(wp + 16 * m);
#pragma GCC unroll 24
    for (int p = 0; p < P; ++p) {
      const __m512 xb = _mm512_maskz_mov_ps(0x5555, _mm512_set1_ps(xp[p * sx]));
#pragma GCC unroll 3
      for (int m = 0; m < M; ++m) acc[p][m] = _mm512_fmadd_ps(xb, wv[m], acc[p][m]);
    }
  }
  static_assert(P * M % 2 == 0, "the tile's vectors go in pairs");
  with_conv_activation(ep, [&]<Activation A>() [[gnu::always_inline]] {
#pragma GCC unroll 12
    for (int i = 0; i < P * M / 2; ++i) {
      const int32_t at = 16 * i;
      const __mmask16 mask = lane_mask(at, lo, hi);
      if (mask == 0) continue;
      const int v0 = 2 * i, v1 = 2 * i + 1;
      __m512 s = pair_sums(acc[v0 / M][v0 % M], acc[v1 / M][v1 % M]);
      if (mask == 0xffff) {   // all but the edges of a call: unmasked moves
        if (res != nullptr) s = _mm512_add_ps(s, _mm512_loadu_ps(res + at));
        _mm512_storeu_ps(y + at, conv_activate_as<A>(Batch(s), ep));
      } else {
        if (res != nullptr) s = _mm512_add_ps(s, _mm512_maskz_loadu_ps(mask, res + at));
        _mm512_mask_storeu_ps(y + at, mask, conv_activate_as<A>(Batch(s), ep));
      }
    }
  });
}

template <int M>
void run_m(const ConvNhwcParams& p, const float* packed, const float* input, const float* residual, float* output,
           float* workspace, int32_t px_begin, int32_t px_end) {
  constexpr int P = pixels_per_tile(M);
  constexpr int32_t C = 8 * M;
  const ConvEpilogue ep = conv_epilogue(p);
  const int32_t in_c = p.in_c;
  const int32_t image = p.out_h * p.out_w;
  if (image < P) {
    // Stage the image (zero-padded to a tile), compute the tile, copy the call's pixels back.
    float* x = workspace;
    float* r = x + P * in_c;
    float* y = r + P * C;
    std::memset(x, 0, sizeof(float) * P * in_c);
    std::memcpy(x, input, sizeof(float) * static_cast<size_t>(image) * in_c);
    if (residual != nullptr) std::memcpy(r, residual, sizeof(float) * static_cast<size_t>(image) * C);
    tile<P, M>(x, in_c, packed, y, residual != nullptr ? r : nullptr, px_begin * C, px_end * C, ep);
    std::memcpy(output + px_begin * C, y + px_begin * C, sizeof(float) * static_cast<size_t>(px_end - px_begin) * C);
    return;
  }
  for (int32_t px = px_begin; px < px_end; px += P) {
    // The last tile ends at the call's last pixel (within the image: image >= P).
    const int32_t start = px + P <= px_end ? px : (px_end - P > 0 ? px_end - P : 0);
    const int32_t lo = (px - start) * C, hi = (px_end < start + P ? px_end - start : P) * C;
    const ptrdiff_t yo = ptrdiff_t{start} * C;
    const float* res = residual != nullptr ? residual + yo : nullptr;
    tile<P, M>(input + ptrdiff_t{start} * in_c, in_c, packed, output + yo, res, lo, hi, ep);
  }
}

void run(const ConvNhwcParams& p, const float* packed, const float* input, const float* residual, float* output,
         float* workspace, int32_t oh_begin, int32_t oh_end) {
  oh_begin = oh_begin > 0 ? oh_begin : 0;
  oh_end = oh_end < p.out_h ? oh_end : p.out_h;
  if (oh_begin >= oh_end) return;
  const int32_t px_begin = oh_begin * p.out_w, px_end = oh_end * p.out_w;
  if (p.out_c == 8) {
    run_m<1>(p, packed, input, residual, output, workspace, px_begin, px_end);
  } else if (p.out_c == 16) {
    run_m<2>(p, packed, input, residual, output, workspace, px_begin, px_end);
  } else {
    run_m<3>(p, packed, input, residual, output, workspace, px_begin, px_end);
  }
}

}  // namespace

const ConvF32Kernel f32_conv_nhwc_1x1pairs_avx512 = {
    "f32_conv_nhwc_1x1pairs_avx512", &supports, &packed_floats, &pack, &workspace_floats, &run, 1, nullptr,
};

}  // namespace octet::kernels

#pragma GCC diagnostic pop
