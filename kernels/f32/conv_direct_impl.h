// FP32 NHWC direct convolution, header-only and templated on the xsimd architecture:
// included by conv_direct_{sse2,avx2,avx512}.cpp and (through conv_1x1_impl.h) by the 1x1
// files, each of which instantiates it with its own Arch and tile sizes. Everything sits in
// an anonymous namespace so that each ISA file gets private copies (kernels/CMakeLists.txt).
//
// Weights are packed by conv_pack.h: blocks of Lb output channels, [bias][kh][kw][ci][Lb].
// The micro-kernel computes P consecutive output pixels of one row x Vb vectors of output
// channels, P * Vb accumulators held in registers for the whole reduction: per input
// channel it loads Vb weight vectors and broadcasts one input scalar per pixel. With
// dilation_w == 1 the (kw, ci) reduction of one kernel row is a single contiguous run in
// both the input row and the packed weights, so it is one loop.
//
// Padding: rows of the kernel that fall outside the input are skipped (the range of valid
// kh is the same for a whole output row). Columns are handled by copying the input rows the
// call needs into a zero-padded workspace when any pixel would read a padding column, so
// that every pixel, border or not, runs the same unchecked micro-kernel: with ResNet8's
// 8- and 16-wide rows, a bounds-checked border path would cost a quarter of the work.
//
// Epilogue per tile: (+ residual) then activation (chosen once per tile, conv_epilogue.h),
// stored with masked moves for the vectors of the last block that are only partly inside out_c
// (kernels/f32/partial_vector.h).
#pragma once
#include <xsimd/xsimd.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <utility>

#include "kernels/conv_variants.h"
#include "kernels/f32/conv.h"
#include "kernels/f32/conv_epilogue.h"
#include "kernels/f32/conv_pack.h"
#include "kernels/f32/partial_vector.h"

namespace octet::kernels {
namespace {

// Walk of the reduction for one tile: `rows` kernel rows, each `groups` runs of
// `group_len` (tap, channel) steps. Offsets in floats; weight offsets count weight rows
// (one row = Lb floats) so that one walk serves blocks of any width.
struct ConvWalk {
  int32_t rows = 0;
  ptrdiff_t x_row = 0, w_row = 0;
  int32_t groups = 0;
  ptrdiff_t x_group = 0, w_group = 0;
  int32_t group_len = 0;
  ptrdiff_t x_pixel = 0;   // input floats between consecutive pixels of the tile
};

// Bytes of weights a tile prefetches into L2 while it computes, spread over its reduction:
// a share of the next block's, so that they arrive from memory while this block computes
// (a layer's weights are cold in a model run: the other layers' have evicted them).
struct ConvPrefetch {
  const char* lo = nullptr;
  const char* hi = nullptr;
  // Shares [i, i + count) of n of the range.
  ConvPrefetch part(ptrdiff_t i, ptrdiff_t count, ptrdiff_t n) const {
    if (lo == hi) return {};   // no prefetch: skip the two divisions
    const ptrdiff_t bytes = hi - lo;
    return {lo + bytes * i / n, lo + bytes * (i + count) / n};
  }
};

inline int32_t conv_imin(int32_t a, int32_t b) { return a < b ? a : b; }
inline int32_t conv_imax(int32_t a, int32_t b) { return a > b ? a : b; }

// P1 / P2: most pixels per tile when a block is 1 / 2 vectors wide.
template <class Arch, int P1, int P2>
struct ConvDirectF32 {
  using Batch = xsimd::batch<float, Arch>;
  static constexpr int W = static_cast<int>(Batch::size);

  // P pixels x V vectors. w points at the block's bias; w_skip = weight rows to skip
  // before the first kernel row walked. lanes = valid output channels of the block.
  // Prefetch: whether the tile prefetches pf (a separate instantiation, so that the tiles of
  // layers with small weights run the loop without the prefetch steps).
  // Flattened: the epilogue's activation inlined with everything it calls (xsimd's exp for
  // Sigmoid and SiLU, conv_epilogue.h).
  // `count` tiles of P pixels, one after another along the row (x advancing P * wk.x_pixel
  // floats a tile, y and res P * y_pixel): one call for a segment's tiles of one size.
  // Why: a short reduction (16 input channels: 16 steps a tile) paid a call and its register
  // saves per tile (the activation switch stays per tile: hoisting it would copy the whole loop
  // per activation); one call per size measured 2-6% faster on the
  // 1x1s of 16-32 input channels (bench_f32_conv: 16 -> 96 at 112x112 93-96 -> 98-102 GMAC/s,
  // 16 -> 16 76 -> 79, 32 -> 192 at 28x28 111-112 -> 115-117), the same on 64 and 960.
  // pf: the range all `count` tiles prefetch, spread over their reduction steps.
  template <int P, int V, bool Prefetch>
    requires(V == 1 || V == 2)
  [[gnu::flatten]] static void tile(const ConvWalk& wk, const float* x, const float* w, ptrdiff_t w_skip, float* y,
                   const float* res, ptrdiff_t y_pixel, int32_t lanes, const ConvEpilogue& ep, ConvPrefetch pf,
                   int32_t count) {
    constexpr int L = V * W;
    const ptrdiff_t sx = wk.x_pixel;
    // Prefetch pace: the range over the tiles' reduction steps, one or two lines a step.
    const ptrdiff_t steps = ptrdiff_t{wk.rows} * wk.groups * wk.group_len * count;
    const ptrdiff_t pf_step = Prefetch && steps > 0 ? (pf.hi - pf.lo + steps - 1) / steps : 0;
    const char* pfp = pf.lo;
    for (int32_t t = 0; t < count; ++t, x += P * sx, y += P * y_pixel, res = res != nullptr ? res + P * y_pixel : res) {
      Batch acc[P][V];
#pragma GCC unroll 2
      for (int v = 0; v < V; ++v) {
        const Batch b = Batch::load_unaligned(w + v * W);
#pragma GCC unroll 16
        for (int p = 0; p < P; ++p) acc[p][v] = b;
      }
      const float* wbase = w + L + w_skip * L;
      for (int32_t r = 0; r < wk.rows; ++r) {
        for (int32_t g = 0; g < wk.groups; ++g) {
          const float* xp = x + r * wk.x_row + g * wk.x_group;
          const float* wp = wbase + (r * wk.w_row + g * wk.w_group) * L;
          for (int32_t k = 0; k < wk.group_len; ++k) {
            // Two named weight vectors rather than an array: GCC keeps an array of batches in
            // memory here and re-reads it as an FMA operand.
            const Batch w0 = Batch::load_unaligned(wp);
            const Batch w1 = V > 1 ? Batch::load_unaligned(wp + W) : w0;
            wp += L;
            if (Prefetch && pfp < pf.hi) {
              __builtin_prefetch(pfp, 0, 2);
              if (pf_step > 64) __builtin_prefetch(pfp + 64, 0, 2);
              pfp += pf_step;
            }
#pragma GCC unroll 16
            for (int p = 0; p < P; ++p) {
              const Batch xb(xp[p * sx]);
              acc[p][0] = xsimd::fma(xb, w0, acc[p][0]);
              if constexpr (V > 1) acc[p][1] = xsimd::fma(xb, w1, acc[p][1]);
            }
            ++xp;
          }
        }
      }
      with_conv_activation(ep, [&]<Activation A>() [[gnu::always_inline]] {
        store<P, V, A>(acc, y, res, y_pixel, lanes, ep);
      });
    }
  }

  // The epilogue of a tile: (+ residual), the activation A, stored.
  template <int P, int V, Activation A>
  [[gnu::always_inline]] static inline void store(Batch (&acc)[P][V], float* y, const float* res, ptrdiff_t y_pixel,
                                                  int32_t lanes, const ConvEpilogue& ep) {
    constexpr int L = V * W;
    if (lanes >= L) {
#pragma GCC unroll 16
      for (int p = 0; p < P; ++p) {
#pragma GCC unroll 2
        for (int v = 0; v < V; ++v) {
          Batch a = acc[p][v];
          if (res != nullptr) a += Batch::load_unaligned(res + p * y_pixel + v * W);
          conv_activate_as<A>(a, ep).store_unaligned(y + p * y_pixel + v * W);
        }
      }
      return;
    }
    // Last block, partly past out_c: only its `lanes` channels are read and written
    // (kernels/f32/partial_vector.h).
#pragma GCC unroll 16
    for (int p = 0; p < P; ++p) {
#pragma GCC unroll 2
      for (int v = 0; v < V; ++v) {
        const int32_t vl = lanes - v * W;   // > 0: the block has no vector wholly past out_c
        Batch a = acc[p][v];
        float* yv = y + p * y_pixel + v * W;
        const float* rv = res != nullptr ? res + p * y_pixel + v * W : nullptr;
        if (vl >= W) {
          if (rv != nullptr) a += Batch::load_unaligned(rv);
          conv_activate_as<A>(a, ep).store_unaligned(yv);
        } else {
          if (rv != nullptr) a += PartialVector<Arch>::load(rv, vl);
          PartialVector<Arch>::store(yv, conv_activate_as<A>(a, ep), vl);
        }
      }
    }
  }

  using TileFn = void (*)(const ConvWalk&, const float*, const float*, ptrdiff_t, float*, const float*,
                          ptrdiff_t, int32_t, const ConvEpilogue&, ConvPrefetch, int32_t);

  template <int V, bool Prefetch, int... Ps>
  static constexpr auto make_table(std::integer_sequence<int, Ps...>) {
    struct Table {
      TileFn fn[sizeof...(Ps) + 1];
    };
    return Table{{nullptr, &tile<Ps + 1, V, Prefetch>...}};
  }
  // Without kEveryConvEpilogue (the sanitizer builds, kernels/conv_variants.h): the prefetching
  // tiles alone, which with an empty range (pf_step 0) prefetch nothing and read and write what
  // the others do: half the tiles to compile (the normal build tests both).
  static constexpr bool kOnlyPrefetchTiles = !kEveryConvEpilogue;
  static constexpr auto kTiles1 = make_table<1, kOnlyPrefetchTiles>(std::make_integer_sequence<int, P1>{});
  static constexpr auto kTiles2 = make_table<2, kOnlyPrefetchTiles>(std::make_integer_sequence<int, P2>{});
  static constexpr auto kTiles1Prefetch = make_table<1, true>(std::make_integer_sequence<int, P1>{});
  static constexpr auto kTiles2Prefetch = make_table<2, true>(std::make_integer_sequence<int, P2>{});

  // n output pixels spaced x_pixel apart in the input and y_pixel (= out_c) in the output,
  // output channel block b. Pixels are cut into near-equal tiles of at most P, which share
  // the prefetch range pf.
  static void segment(const ConvNhwcParams& p, const ConvBlocking& bl, int32_t b, const ConvWalk& wk, int32_t n,
                      const float* x, const float* packed, ptrdiff_t w_skip, float* y, const float* res,
                      const ConvEpilogue& ep, ConvPrefetch pf) {
    const ptrdiff_t y_pixel = p.out_c;
    const int32_t vb = bl.block_vectors(b, p.out_c);
    const int32_t pmax = vb == 1 ? P1 : P2;
    const bool prefetch = pf.lo != pf.hi;
    const TileFn* fns =
        vb == 1 ? (prefetch ? kTiles1Prefetch.fn : kTiles1.fn) : (prefetch ? kTiles2Prefetch.fn : kTiles2.fn);
    const float* w = packed + bl.block_offset(b);
    const int32_t co0 = b * bl.lanes;
    const int32_t lanes = conv_imin(p.out_c - co0, vb * W);
    const int32_t tiles = (n + pmax - 1) / pmax;
    if (tiles == 0) return;
    // The first `extra` tiles have base + 1 pixels, the others base: one call for each size.
    const int32_t base = n / tiles, extra = n % tiles;
    if (extra > 0)
      fns[base + 1](wk, x, w, w_skip, y + co0, res != nullptr ? res + co0 : nullptr, y_pixel, lanes, ep,
                    pf.part(0, extra, tiles), extra);
    const ptrdiff_t px = ptrdiff_t{extra} * (base + 1);
    const ptrdiff_t yo = px * y_pixel + co0;
    fns[base](wk, x + px * wk.x_pixel, w, w_skip, y + yo, res != nullptr ? res + yo : nullptr, y_pixel, lanes, ep,
              pf.part(extra, tiles - extra, tiles), tiles - extra);
  }

  // Input floats a pass of output pixels may read (256 KiB: half of a small L2).
  static constexpr ptrdiff_t kPassFloats = 64 * 1024;

  // Packed weights from which on run() orders the work for weights that do not stay in cache
  // (512 KiB) and the tiles prefetch the next block's: smaller ones arrive quickly enough
  // through the hardware prefetcher, and the few-channel layers' short reductions measured
  // slower with the prefetch steps.
  static constexpr size_t kLargeWeightFloats = 128 * 1024;
  static bool large_weights(const ConvNhwcParams& p) { return conv_packed_floats(p, W) >= kLargeWeightFloats; }

  // The weights of the block that runs after block b (the first again when another pass
  // follows, none after the last), if the layer's weights are large enough to prefetch.
  static ConvPrefetch next_block(const ConvNhwcParams& p, const ConvBlocking& bl, const float* packed, int32_t b,
                                 bool another_pass) {
    const int32_t nb = b + 1 < bl.blocks ? b + 1 : (another_pass ? 0 : -1);
    if (nb < 0 || !large_weights(p)) return {};
    const char* lo = reinterpret_cast<const char*>(packed + bl.block_offset(nb));
    const size_t bytes = static_cast<size_t>(1 + bl.taps) * bl.block_vectors(nb, p.out_c) * W * sizeof(float);
    return {lo, lo + bytes};
  }

  // The 1x1 GEMM path (stride 1, no padding, rows as wide as the input), its pixels per chunk,
  // and the general path's source row (the input's, or its zero-padded copy's) and rows per pass.
  static bool gemm_path(const ConvNhwcParams& p) {
    return p.kernel_h == 1 && p.kernel_w == 1 && p.stride_h == 1 && p.stride_w == 1 && p.pad_top == 0 &&
           p.pad_left == 0 && p.out_w == p.in_w && p.out_h <= p.in_h;
  }
  // With large weights, whole rows where a chunk holds one: calls of call_rows rows then cut
  // the image into the same chunks as one call on all of it.
  static int32_t gemm_chunk(const ConvNhwcParams& p) {
    if (!large_weights(p)) return conv_imax(64, 4096 / p.in_c);
    const int32_t chunk = conv_imax(16, static_cast<int32_t>(kPassFloats / p.in_c));
    return chunk >= p.out_w && p.out_w > 0 ? chunk / p.out_w * p.out_w : chunk;
  }
  static ptrdiff_t source_row_floats(const ConvNhwcParams& p) {
    return (conv_needs_padded_rows(p) ? conv_padded_width(p) : ptrdiff_t{p.in_w}) * p.in_c;
  }
  static int32_t pass_rows(const ConvNhwcParams& p) {
    if (!large_weights(p)) return 1;
    return conv_imax(1, static_cast<int32_t>(kPassFloats / (ptrdiff_t{p.stride_h} * source_row_floats(p))));
  }

  // ConvF32Kernel::call_rows: with large weights, the rows of one pass (one GEMM chunk of
  // pixels on the 1x1 path), over which each block of weights is read once; else one row.
  static int32_t call_rows(const ConvNhwcParams& p) {
    if (!large_weights(p) || p.out_h <= 0 || p.out_w <= 0) return 1;
    const int32_t rows = gemm_path(p) ? conv_imax(1, gemm_chunk(p) / p.out_w) : pass_rows(p);
    return conv_imin(rows, p.out_h);
  }

  static bool supports(const ConvNhwcParams& p) {
    return p.in_h > 0 && p.in_w > 0 && p.in_c > 0 && p.out_h > 0 && p.out_w > 0 && p.out_c > 0 &&
           p.kernel_h > 0 && p.kernel_w > 0 && p.stride_h > 0 && p.stride_w > 0 && p.dilation_h > 0 &&
           p.dilation_w > 0 && p.pad_top >= 0 && p.pad_left >= 0;
  }

  static size_t packed_floats(const ConvNhwcParams& p) { return conv_packed_floats(p, W); }

  static void pack(const ConvNhwcParams& p, const float* weight, const float* bias, float* packed) {
    conv_pack_weights(p, W, weight, bias, packed);
  }

  static size_t workspace_floats(const ConvNhwcParams& p) {
    if (!conv_needs_padded_rows(p)) return 0;
    return static_cast<size_t>(p.in_h) * static_cast<size_t>(conv_padded_width(p)) * static_cast<size_t>(p.in_c);
  }

  static void run(const ConvNhwcParams& p, const float* packed, const float* input, const float* residual,
                  float* output, float* workspace, int32_t oh_begin, int32_t oh_end) {
    oh_begin = conv_imax(oh_begin, 0);
    oh_end = conv_imin(oh_end, p.out_h);
    if (oh_begin >= oh_end) return;
    const ConvBlocking bl = conv_blocking(p, W);
    const ConvEpilogue ep = conv_epilogue(p);
    const ptrdiff_t in_c = p.in_c;
    const ptrdiff_t out_row = ptrdiff_t{p.out_w} * p.out_c;

    // 1x1, stride 1, no padding, rows as wide as the input: the rows are one contiguous
    // run of pixels, i.e. a GEMM [pixels x in_c] . [in_c x out_c].
    if (gemm_path(p)) {
      ConvWalk wk;
      wk.rows = 1;
      wk.groups = 1;
      wk.group_len = p.in_c;
      wk.x_pixel = in_c;
      // Chunks of pixels whose inputs stay in cache while every block of weights passes over
      // them: in L1 when the weights are small (they stay in L2 across chunks), else in L2
      // (a block's weights are then read from memory once per chunk).
      const int32_t chunk = gemm_chunk(p);
      const int32_t px_end = oh_end * p.out_w;
      for (int32_t px = oh_begin * p.out_w; px < px_end; px += chunk) {
        const int32_t n = conv_imin(chunk, px_end - px);
        const ptrdiff_t yo = ptrdiff_t{px} * p.out_c;
        for (int32_t b = 0; b < bl.blocks; ++b)
          segment(p, bl, b, wk, n, input + px * in_c, packed, 0, output + yo,
                  residual != nullptr ? residual + yo : nullptr, ep, next_block(p, bl, packed, b, px + n < px_end));
      }
      return;
    }

    // Source rows: the input itself, or zero-padded copies of the rows this call reads.
    const ptrdiff_t wp = conv_padded_width(p);
    const ptrdiff_t src_row = source_row_floats(p);
    const int32_t ih_lo = conv_imax(0, oh_begin * p.stride_h - p.pad_top);
    const int32_t ih_hi =
        conv_imin(p.in_h, (oh_end - 1) * p.stride_h - p.pad_top + (p.kernel_h - 1) * p.dilation_h + 1);
    const float* src = input;
    int32_t src_first = 0;   // input row held at src
    if (conv_needs_padded_rows(p)) {
      src = workspace;
      src_first = ih_lo;
      const ptrdiff_t left = conv_imin(p.pad_left, static_cast<int32_t>(wp));
      const ptrdiff_t copy = conv_imax(0, static_cast<int32_t>(conv_imin(p.in_w, static_cast<int32_t>(wp - left))));
      for (int32_t ih = ih_lo; ih < ih_hi; ++ih) {
        float* dst = workspace + (ih - ih_lo) * src_row;
        const float* s = input + ptrdiff_t{ih} * p.in_w * in_c;
        if (left > 0) std::memset(dst, 0, sizeof(float) * left * in_c);
        if (copy > 0) std::memcpy(dst + left * in_c, s, sizeof(float) * copy * in_c);
        const ptrdiff_t right = wp - left - copy;
        if (right > 0) std::memset(dst + (left + copy) * in_c, 0, sizeof(float) * right * in_c);
      }
    }

    ConvWalk wk;
    wk.x_pixel = ptrdiff_t{p.stride_w} * in_c;
    if (p.dilation_w == 1) {
      wk.groups = 1;
      wk.group_len = p.kernel_w * p.in_c;
    } else {
      wk.groups = p.kernel_w;
      wk.group_len = p.in_c;
      wk.x_group = ptrdiff_t{p.dilation_w} * in_c;
      wk.w_group = in_c;
    }
    wk.x_row = ptrdiff_t{p.dilation_h} * src_row;
    wk.w_row = ptrdiff_t{p.kernel_w} * in_c;

    // Large weights: passes of output rows whose input rows stay in L2 while every block of
    // weights passes over them, so that a block's weights are read from memory once per pass
    // and reused from cache across the pass's rows (row by row over all blocks, the deep
    // layers' weights, megabytes, would stream from L3 once per output row). Small weights
    // stay in L2 anyway: row by row, the row's inputs stay in L1 across the blocks.
    const int32_t pass = pass_rows(p);
    for (int32_t r0 = oh_begin; r0 < oh_end; r0 += pass) {
      const int32_t r1 = conv_imin(oh_end, r0 + pass);
      for (int32_t b = 0; b < bl.blocks; ++b) {
        const ConvPrefetch pf = next_block(p, bl, packed, b, r1 < oh_end);
        for (int32_t oh = r0; oh < r1; ++oh) {
          // Valid kernel rows: 0 <= ih0 + kh * dilation_h < in_h.
          const int32_t ih0 = oh * p.stride_h - p.pad_top;
          const int32_t dh = p.dilation_h;
          const int32_t kh0 = ih0 >= 0 ? 0 : (-ih0 + dh - 1) / dh;
          const int32_t kh1 = ih0 >= p.in_h ? 0 : conv_imin(p.kernel_h, (p.in_h - 1 - ih0) / dh + 1);
          wk.rows = conv_imax(0, kh1 - kh0);
          const float* x = wk.rows > 0 ? src + (ih0 + kh0 * dh - src_first) * src_row : src;
          const ptrdiff_t yo = oh * out_row;
          segment(p, bl, b, wk, p.out_w, x, packed, kh0 * wk.w_row, output + yo,
                  residual != nullptr ? residual + yo : nullptr, ep, pf.part(oh - r0, 1, r1 - r0));
        }
      }
    }
  }
};

}  // namespace
}  // namespace octet::kernels
