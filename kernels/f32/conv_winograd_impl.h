// Winograd F(4x4, 3x3) convolution over NHWC, FP32, templated on the xsimd architecture.
// Included by conv_winograd_{sse2,avx2,avx512}.cpp, each of which instantiates it for its
// own ISA. Everything here is a template on Arch (or on the batch type), so the copies
// compiled with different flags have different symbols and the linker cannot mix them up;
// no out-of-line std:: templates are used (see kernels/CMakeLists.txt).
//
// Packed weights: U[36][in_c][co_pad] (co_pad = out_c rounded up to the vector width, the
//   tail zero), each point's matrix in column blocks of kMaxNr vectors stored one after the
//   other (u_offset), then bias[co_pad]. U[t] = (G g G^T)[t / 6][t % 6] for every (ci, co).
// Work is done per group of S strips of 4 output rows. Every GEMM of a group reads all of U,
// so U passes through the caches once per group: where U fits in L2 (up to 1 MB), S only
// makes each GEMM see >= 4 tiles (8x8x64 runs 15% faster than with S = 1); where it does not
// (ResNet50 at 28x28x128 and below: 2.4 to 38 MB, from memory in a model run), S grows until
// V and M fill 2 MB, which takes the whole image at 28x28x128 and 14x14x256 (1.8x and 2.1x
// faster with cold weights than S = 1). With tw = ceil(out_w / 4) tiles per strip and
// T = S * tw tiles per group, the workspace is
//   V[36][T][ci_pad] (transformed input) then M[36][T][co_pad] (transformed output),
//   i.e. 36 * T * (ci_pad + co_pad) floats (group_strips gives S), where ci_pad, co_pad are
// the channel counts rounded up to the vector width (4, 8, 16).
// run() handles each group in three passes: input transform (zero outside the input, so
// any padding works), 36 GEMMs M[t] = V[t] · U[t] with a register-tiled micro-kernel,
// output transform + bias + residual + activation, writing only pixels inside the output.
#pragma once
#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <xsimd/xsimd.hpp>

#include "kernels/f32/conv.h"
#include "kernels/f32/conv_winograd_transforms.h"

namespace octet::kernels::winograd {

template <class Arch>
using Vec = xsimd::batch<float, Arch>;

template <class Arch>
inline constexpr bool kIsAvx512 = std::is_base_of_v<xsimd::avx512f, Arch>;
template <class Arch>
inline constexpr bool kIsAvx2 = std::is_base_of_v<xsimd::avx2, Arch>;

// Register budget of the GEMM micro-kernel: up to kMaxNr output-channel vectors by
// mr_max(nr) tiles of accumulators (AVX-512 has 32 registers, AVX2/SSE2 16).
template <class Arch>
inline constexpr int kMaxNr = kIsAvx512<Arch> ? 4 : 3;
template <class Arch>
inline constexpr int kAccBudget = kIsAvx512<Arch> ? 24 : 12;
template <class Arch>
constexpr int mr_max(int nr) {
  return kAccBudget<Arch> / nr < 8 ? kAccBudget<Arch> / nr : 8;
}

template <class Arch>
constexpr int round_up(int n) {
  constexpr int w = static_cast<int>(Vec<Arch>::size);
  return (n + w - 1) / w * w;
}

template <class Arch>
constexpr int tiles_w(const ConvNhwcParams& p) {
  return (p.out_w + kTileOut - 1) / kTileOut;
}

// Strips per group (see the top of the file): enough for kMinTiles tiles, and where the
// transformed weights U are too large to stay in L2 between groups (ResNet50's 28x28x128,
// 14x14x256, 7x7x512 layers: 2.4, 9.4, 38 MB, read from memory in a model run), as many as
// kGroupBytes of V and M allow, so that U streams through the cache fewer times per image.
template <class Arch>
constexpr int group_strips(const ConvNhwcParams& p) {
  constexpr int kMinTiles = 4;
  constexpr size_t kResidentWeightBytes = size_t{1} << 20;
  constexpr size_t kGroupBytes = size_t{2} << 20;
  const int tw = tiles_w<Arch>(p) > 0 ? tiles_w<Arch>(p) : 1;
  const int strips = (p.out_h + kTileOut - 1) / kTileOut > 0 ? (p.out_h + kTileOut - 1) / kTileOut : 1;
  int want = (kMinTiles + tw - 1) / tw;
  const size_t weight_bytes = sizeof(float) * kPoints * static_cast<size_t>(p.in_c) * round_up<Arch>(p.out_c);
  if (weight_bytes > kResidentWeightBytes) {
    const size_t strip_bytes =
        sizeof(float) * kPoints * static_cast<size_t>(tw) * (round_up<Arch>(p.in_c) + round_up<Arch>(p.out_c));
    const int fit = static_cast<int>(kGroupBytes / strip_bytes);
    if (fit > want) want = fit;
  }
  return want < strips ? want : strips;
}

// Output rows of one group: a call on fewer reads all of U for them (ConvF32Kernel::call_rows).
template <class Arch>
int32_t call_rows(const ConvNhwcParams& p) {
  const int rows = group_strips<Arch>(p) * kTileOut;
  return rows < p.out_h ? rows : (p.out_h > 0 ? p.out_h : 1);
}

// ---- Partial vectors (channel tails) ----

// What a tap in the padding reads (one vector of the widest ISA). Static, one copy per ISA
// file: an inline variable would be a weak symbol shared by the ISA files (the ISA rule,
// kernels/CMakeLists.txt and tests/test_isa_rule.cpp).
alignas(64) static constexpr float kZeros[16] = {};

template <class Arch>
OCTET_WINO_INLINE Vec<Arch> load_n(const float* p, int n) {
  if constexpr (kIsAvx512<Arch>) {
    return _mm512_maskz_loadu_ps(static_cast<__mmask16>((1u << n) - 1u), p);
  } else if constexpr (kIsAvx2<Arch>) {
    const __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    return _mm256_maskload_ps(p, mask);
  } else {
    alignas(64) float buf[Vec<Arch>::size] = {};
    for (int i = 0; i < n; ++i) buf[i] = p[i];
    return Vec<Arch>::load_aligned(buf);
  }
}

template <class Arch>
OCTET_WINO_INLINE void store_n(float* p, Vec<Arch> v, int n) {
  if constexpr (kIsAvx512<Arch>) {
    _mm512_mask_storeu_ps(p, static_cast<__mmask16>((1u << n) - 1u), v);
  } else if constexpr (kIsAvx2<Arch>) {
    const __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    _mm256_maskstore_ps(p, mask, v);
  } else {
    alignas(64) float buf[Vec<Arch>::size];
    v.store_aligned(buf);
    for (int i = 0; i < n; ++i) p[i] = buf[i];
  }
}

// ---- Parameters and weight packing ----

template <class Arch>
bool supports(const ConvNhwcParams& p) {
  // Its epilogue is a clamp: Relu and Clip fuse, the other activations go to direct.
  const bool clamp_epilogue =
      p.activation == Activation::None || p.activation == Activation::Relu || p.activation == Activation::Clip;
  return clamp_epilogue && p.kernel_h == 3 && p.kernel_w == 3 && p.stride_h == 1 && p.stride_w == 1 && p.dilation_h == 1 &&
         p.dilation_w == 1 && p.in_c >= 1 && p.out_c >= 1 && p.in_h >= 1 && p.in_w >= 1 && p.out_h >= 0 &&
         p.out_w >= 0 && p.pad_top >= 0 && p.pad_left >= 0;
}

template <class Arch>
size_t packed_floats(const ConvNhwcParams& p) {
  const size_t co_pad = static_cast<size_t>(round_up<Arch>(p.out_c));
  return kPoints * static_cast<size_t>(p.in_c) * co_pad + co_pad;
}

template <class Arch>
size_t workspace_floats(const ConvNhwcParams& p) {
  return kPoints * static_cast<size_t>(tiles_w<Arch>(p)) * static_cast<size_t>(group_strips<Arch>(p)) *
         static_cast<size_t>(round_up<Arch>(p.in_c) + round_up<Arch>(p.out_c));
}

// Where U[t][ci][co] sits in the packed weights: point t's [in_c][co_pad] matrix is cut into
// column blocks of kMaxNr vectors (the last one narrower), each stored contiguously as
// [in_c][block width], so that the GEMM's walk down one block reads consecutive bytes.
template <class Arch>
constexpr size_t point_offset(int ci, int co_pad, int t) {
  return static_cast<size_t>(t) * ci * co_pad;
}
template <class Arch>
constexpr size_t u_offset(int ci, int co_pad, int i, int o) {
  constexpr int block = kMaxNr<Arch> * static_cast<int>(Vec<Arch>::size);
  const int b0 = o / block * block;
  const int width = co_pad - b0 < block ? co_pad - b0 : block;
  return static_cast<size_t>(b0) * ci + static_cast<size_t>(i) * width + (o - b0);
}

// U = G g G^T in double, rounded once to float.
template <class Arch>
void pack(const ConvNhwcParams& p, const float* weight, const float* bias, float* packed) {
  const int ci = p.in_c, co = p.out_c, co_pad = round_up<Arch>(co);
  const size_t total = packed_floats<Arch>(p);
  for (size_t i = 0; i < total; ++i) packed[i] = 0.f;
  for (int o = 0; o < co; ++o) {
    for (int i = 0; i < ci; ++i) {
      const float* g = weight + (static_cast<size_t>(o) * ci + i) * 9;
      double gt[6][3];   // G g
      for (int r = 0; r < 6; ++r)
        for (int c = 0; c < 3; ++c)
          gt[r][c] = kG[r][0] * g[0 * 3 + c] + kG[r][1] * g[1 * 3 + c] + kG[r][2] * g[2 * 3 + c];
      for (int r = 0; r < 6; ++r) {
        for (int c = 0; c < 6; ++c) {
          const double u = gt[r][0] * kG[c][0] + gt[r][1] * kG[c][1] + gt[r][2] * kG[c][2];
          packed[point_offset<Arch>(ci, co_pad, r * 6 + c) + u_offset<Arch>(ci, co_pad, i, o)] = static_cast<float>(u);
        }
      }
    }
  }
  float* packed_bias = packed + kPoints * static_cast<size_t>(ci) * co_pad;
  if (bias != nullptr)
    for (int o = 0; o < co; ++o) packed_bias[o] = bias[o];
}

// Input transform of the tiles of one strip (input rows ih0 .. ih0 + 5) into
// V[36][tiles][ci_pad] at tiles first_tile .. first_tile + tw - 1. Lanes past in_c in the
// last channel vector are zero.
template <class Arch>
void input_transform_strip(const ConvNhwcParams& p, const float* input, int ih0, int tw, int tiles, int first_tile,
                           float* vbuf) {
  using V = Vec<Arch>;
  constexpr int W = static_cast<int>(V::size);
  const int ci = p.in_c, ci_pad = round_up<Arch>(ci);
  const size_t point_stride = static_cast<size_t>(tiles) * ci_pad;
  const bool rows_inside = ih0 >= 0 && ih0 + kTileIn <= p.in_h;
  for (int x = 0; x < tw; ++x) {
    const int iw0 = x * kTileOut - p.pad_left;
    const bool inside = rows_inside && iw0 >= 0 && iw0 + kTileIn <= p.in_w;
    for (int c0 = 0; c0 < ci; c0 += W) {
      const int n = ci - c0 < W ? ci - c0 : W;
      V t[6][6];   // rows transformed along x: t[row][freq_x]
      for (int r = 0; r < 6; ++r) {
        const int ih = ih0 + r;
        V d[6];
        if (inside && n == W) {
          const float* src = input + (static_cast<size_t>(ih) * p.in_w + iw0) * ci + c0;
          for (int c = 0; c < 6; ++c) d[c] = V::load_unaligned(src + static_cast<size_t>(c) * ci);
        } else {
          // Taps in the padding read a vector of zeros, so the loads stay unconditional.
          const bool row_ok = ih >= 0 && ih < p.in_h;
          const float* row = row_ok ? input + static_cast<ptrdiff_t>(ih) * p.in_w * ci + c0 : input;
          for (int c = 0; c < 6; ++c) {
            const int iw = iw0 + c;
            const float* src = row_ok && iw >= 0 && iw < p.in_w ? row + static_cast<ptrdiff_t>(iw) * ci : kZeros;
            d[c] = n == W ? V::load_unaligned(src) : load_n<Arch>(src, n);
          }
        }
        input_1d(d[0], d[1], d[2], d[3], d[4], d[5], &t[r][0], 1);
      }
      float* dst = vbuf + static_cast<size_t>(first_tile + x) * ci_pad + c0;
      for (int j = 0; j < 6; ++j) {
        V o[6];   // o[freq_y]
        input_1d(t[0][j], t[1][j], t[2][j], t[3][j], t[4][j], t[5][j], o, 1);
        for (int i = 0; i < 6; ++i) o[i].store_unaligned(dst + (i * 6 + j) * point_stride);
      }
    }
  }
}

// ---- The 36 GEMMs ----

// m[i][j*W..] = sum_k v[i][k] * u[k][j*W..] for MR tiles by NR vectors of output channels;
// k_count >= 1.
template <class Arch, int MR, int NR>
void gemm_block(int k_count, const float* v, int v_stride, const float* u, int u_stride, float* m, int m_stride) {
  using V = Vec<Arch>;
  constexpr int W = static_cast<int>(V::size);
  // k = 0 initialises the accumulators (k_count >= 1): zero-filling them instead makes
  // GCC keep them in a stack array cleared with rep stos.
  V acc[MR][NR];
  {
    V b[NR];
    for (int j = 0; j < NR; ++j) b[j] = V::load_unaligned(u + j * W);
    for (int i = 0; i < MR; ++i) {
      const V a(v[static_cast<size_t>(i) * v_stride]);
      for (int j = 0; j < NR; ++j) acc[i][j] = a * b[j];
    }
  }
  for (int k = 1; k < k_count; ++k) {
    V b[NR];
    for (int j = 0; j < NR; ++j) b[j] = V::load_unaligned(u + static_cast<size_t>(k) * u_stride + j * W);
    for (int i = 0; i < MR; ++i) {
      const V a(v[static_cast<size_t>(i) * v_stride + k]);
      for (int j = 0; j < NR; ++j) acc[i][j] = xsimd::fma(a, b[j], acc[i][j]);
    }
  }
  for (int i = 0; i < MR; ++i)
    for (int j = 0; j < NR; ++j) acc[i][j].store_unaligned(m + static_cast<size_t>(i) * m_stride + j * W);
}

// Picks the micro-kernel for mr tiles (1 <= mr <= MR).
template <class Arch, int NR, int MR>
OCTET_WINO_INLINE void gemm_block_mr(int mr, int k_count, const float* v, int v_stride, const float* u, int u_stride,
                                     float* m, int m_stride) {
  if constexpr (MR > 1) {
    if (mr < MR) return gemm_block_mr<Arch, NR, MR - 1>(mr, k_count, v, v_stride, u, u_stride, m, m_stride);
  }
  gemm_block<Arch, MR, NR>(k_count, v, v_stride, u, u_stride, m, m_stride);
}

// All tiles of one point t, output-channel vectors [j0, j0 + NR).
template <class Arch, int NR>
void gemm_point_cols(int tw, int k_count, const float* v, int v_stride, const float* u, int u_stride, float* m,
                     int m_stride) {
  constexpr int MR = mr_max<Arch>(NR);
  for (int i0 = 0; i0 < tw; i0 += MR) {
    const int mr = tw - i0 < MR ? tw - i0 : MR;
    gemm_block_mr<Arch, NR, MR>(mr, k_count, v + static_cast<size_t>(i0) * v_stride, v_stride, u, u_stride,
                                m + static_cast<size_t>(i0) * m_stride, m_stride);
  }
}

// M[t][0 .. n_tiles) for all 36 points; V and M hold `tiles` tiles per point.
template <class Arch>
void gemm_group(const ConvNhwcParams& p, const float* u_all, const float* vbuf, int n_tiles, int tiles, float* mbuf) {
  constexpr int W = static_cast<int>(Vec<Arch>::size);
  constexpr int NRMAX = kMaxNr<Arch>;
  const int ci = p.in_c, ci_pad = round_up<Arch>(ci), co_pad = round_up<Arch>(p.out_c);
  const int co_vecs = co_pad / W;
  for (int t = 0; t < kPoints; ++t) {
    const float* v = vbuf + static_cast<size_t>(t) * tiles * ci_pad;
    const float* u = u_all + static_cast<size_t>(t) * ci * co_pad;
    float* m = mbuf + static_cast<size_t>(t) * tiles * co_pad;
    for (int j0 = 0; j0 < co_vecs; j0 += NRMAX) {
      const int nr = co_vecs - j0 < NRMAX ? co_vecs - j0 : NRMAX;
      const float* uj = u + static_cast<size_t>(j0) * W * ci;
      float* mj = m + j0 * W;
      switch (nr) {
        case 1: gemm_point_cols<Arch, 1>(n_tiles, ci, v, ci_pad, uj, 1 * W, mj, co_pad); break;
        case 2: gemm_point_cols<Arch, 2>(n_tiles, ci, v, ci_pad, uj, 2 * W, mj, co_pad); break;
        case 3: gemm_point_cols<Arch, 3>(n_tiles, ci, v, ci_pad, uj, 3 * W, mj, co_pad); break;
        default:
          if constexpr (NRMAX >= 4) gemm_point_cols<Arch, 4>(n_tiles, ci, v, ci_pad, uj, 4 * W, mj, co_pad);
          break;
      }
    }
  }
}

// ---- Output transform and epilogue ----

// max/min; the AVX-512 forms take an explicit pass-through source because GCC 12 warns
// (-Wmaybe-uninitialized, a false positive) on the _mm512_undefined_ps inside _mm512_max_ps.
template <class Arch>
OCTET_WINO_INLINE Vec<Arch> vmax(Vec<Arch> a, Vec<Arch> b) {
  if constexpr (kIsAvx512<Arch>) {
    return _mm512_mask_max_ps(a, static_cast<__mmask16>(0xFFFF), a, b);
  } else {
    return xsimd::max(a, b);
  }
}
template <class Arch>
OCTET_WINO_INLINE Vec<Arch> vmin(Vec<Arch> a, Vec<Arch> b) {
  if constexpr (kIsAvx512<Arch>) {
    return _mm512_mask_min_ps(a, static_cast<__mmask16>(0xFFFF), a, b);
  } else {
    return xsimd::min(a, b);
  }
}

// bias + residual + activation for one output vector, read into locals once per strip
// (the output stores could alias p's floats otherwise).
// The clamp passes y as the second operand: x86 max/min return their second operand when
// either is NaN, so a NaN stays NaN (as in the reference Relu/Clip and ONNX Runtime).
template <class Arch>
struct Epilogue {
  using V = Vec<Arch>;
  const float* residual;
  bool clamp;   // Relu (lo 0, hi +inf) or Clip
  V lo, hi;

  OCTET_WINO_INLINE void store(V y, V bias, size_t off, float* output) const {
    y += bias;
    if (residual != nullptr) y += V::load_unaligned(residual + off);
    if (clamp) y = vmin<Arch>(hi, vmax<Arch>(lo, y));
    y.store_unaligned(output + off);
  }
  OCTET_WINO_INLINE void store_n(V y, V bias, size_t off, float* output, int n) const {
    y += bias;
    if (residual != nullptr) y += load_n<Arch>(residual + off, n);
    if (clamp) y = vmin<Arch>(hi, vmax<Arch>(lo, y));
    winograd::store_n<Arch>(output + off, y, n);
  }
};

// Output rows [oh0, oh0 + rows) of the strip, rows <= 4, from M[36][tiles][co_pad] at tiles
// first_tile .. first_tile + tw - 1.
template <class Arch>
void output_transform_strip(const ConvNhwcParams& p, const float* mbuf, const float* bias, const Epilogue<Arch>& ep,
                            float* output, int oh0, int rows, int tw, int tiles, int first_tile) {
  using V = Vec<Arch>;
  constexpr int W = static_cast<int>(V::size);
  const int co = p.out_c, co_pad = round_up<Arch>(co), out_w = p.out_w;
  const size_t point_stride = static_cast<size_t>(tiles) * co_pad;
  for (int x = 0; x < tw; ++x) {
    const int ow0 = x * kTileOut;
    const int cols = out_w - ow0 < kTileOut ? out_w - ow0 : kTileOut;
    for (int c0 = 0; c0 < co; c0 += W) {
      const int n = co - c0 < W ? co - c0 : W;
      const float* src = mbuf + static_cast<size_t>(first_tile + x) * co_pad + c0;
      V s[6][4];   // s[freq_y][x]
      for (int i = 0; i < 6; ++i) {
        const float* row = src + static_cast<size_t>(i * 6) * point_stride;
        output_1d(V::load_unaligned(row), V::load_unaligned(row + point_stride),
                  V::load_unaligned(row + 2 * point_stride), V::load_unaligned(row + 3 * point_stride),
                  V::load_unaligned(row + 4 * point_stride), V::load_unaligned(row + 5 * point_stride), &s[i][0], 1);
      }
      const V b = V::load_unaligned(bias + c0);
      const size_t base = (static_cast<size_t>(oh0) * out_w + ow0) * co + c0;
      const size_t row_stride = static_cast<size_t>(out_w) * co;
      if (rows == kTileOut && cols == kTileOut && n == W) {
        for (int c = 0; c < kTileOut; ++c) {
          V o[4];   // o[y]
          output_1d(s[0][c], s[1][c], s[2][c], s[3][c], s[4][c], s[5][c], o, 1);
          for (int r = 0; r < kTileOut; ++r) ep.store(o[r], b, base + r * row_stride + c * co, output);
        }
      } else {
        for (int c = 0; c < cols; ++c) {
          V o[4];
          output_1d(s[0][c], s[1][c], s[2][c], s[3][c], s[4][c], s[5][c], o, 1);
          for (int r = 0; r < rows; ++r) ep.store_n(o[r], b, base + r * row_stride + c * co, output, n);
        }
      }
    }
  }
}

template <class Arch>
void run(const ConvNhwcParams& p, const float* packed, const float* input, const float* residual, float* output,
         float* workspace, int32_t oh_begin, int32_t oh_end) {
  if (p.out_w <= 0 || oh_begin >= oh_end) return;
  const int tw = tiles_w<Arch>(p), group = group_strips<Arch>(p), tiles = tw * group;
  const int ci_pad = round_up<Arch>(p.in_c), co_pad = round_up<Arch>(p.out_c);
  float* vbuf = workspace;
  float* mbuf = workspace + static_cast<size_t>(kPoints) * tiles * ci_pad;
  const float* bias = packed + static_cast<size_t>(kPoints) * p.in_c * co_pad;
  using V = Vec<Arch>;
  const Epilogue<Arch> ep{residual, p.activation != Activation::None,
                          V(p.activation == Activation::Clip ? p.clip_min : 0.f),
                          V(p.activation == Activation::Clip ? p.clip_max : __builtin_inff())};
  for (int g0 = oh_begin; g0 < oh_end; g0 += group * kTileOut) {
    const int g_end = oh_end - g0 < group * kTileOut ? oh_end : g0 + group * kTileOut;
    const int strips = (g_end - g0 + kTileOut - 1) / kTileOut;
    for (int s = 0; s < strips; ++s)
      input_transform_strip<Arch>(p, input, g0 + s * kTileOut - p.pad_top, tw, tiles, s * tw, vbuf);
    gemm_group<Arch>(p, packed, vbuf, strips * tw, tiles, mbuf);
    for (int s = 0; s < strips; ++s) {
      const int oh0 = g0 + s * kTileOut;
      const int rows = g_end - oh0 < kTileOut ? g_end - oh0 : kTileOut;
      output_transform_strip<Arch>(p, mbuf, bias, ep, output, oh0, rows, tw, tiles, s * tw);
    }
  }
}

}  // namespace octet::kernels::winograd
