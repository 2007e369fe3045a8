// int8 NHWC direct convolution: the part shared by the AVX2 and AVX-512 VNNI variants
// (geometry, weight packing, input staging, zero-point sums, tiling). Each ISA file supplies a
// micro-kernel policy `M` (conv_direct_avx2.cpp, conv_direct_vnni.cpp) and instantiates
// QConvDirect<M>. Everything sits in an anonymous namespace so that each ISA file gets private
// copies (kernels/CMakeLists.txt).
//
// The reduction. For one output pixel the (kh, kw, ci) taps are walked as kernel rows, each
// made of `runs` contiguous runs of input elements: with dilation_w == 1 a kernel row is one
// run of kernel_w * in_c elements (NHWC keeps the taps of a row side by side), otherwise each
// tap is a run of in_c. A run is consumed in steps of M::E elements (VNNI: 4 bytes for one
// vpdpbusd; AVX2: 2 int16 for one vpmaddwd), the last step padded with zero weights, so an
// odd in_c (the RGB stem) costs at most E-1 dead slots per run rather than a channel copy.
// Each call writes the offsets of all steps from a pixel's window origin into the workspace,
// and the micro-kernel runs one flat loop over that table.
//
// Packed weights: output channels in vectors of M::L lanes, grouped in super-blocks of up to
// M::Vmax vectors. A super-block is [int32 bias: V*L][step][v][lane][E elements] with steps in
// (kh, run, step) order, so the micro-kernel walks it linearly. Lanes past out_c are zero.
//
// Zero points. With padding taps reading input_zp (the staged rows are filled with it):
//   Σ (x - zx)(w - zw) = Σ x*w - zw*Σx - zx*Σw + K*zx*zw        (K = kh*kw*in_c, real taps)
// The last two terms are folded into the packed bias. AVX2 packs w - zw as int16, so its zw
// term vanishes (-zx*Σ(w-zw) = -zx*Σw + K*zx*zw, the same fold). VNNI multiplies by int8, so
// for zw != 0 it adds -zw*Σx per output pixel: channel sums per input pixel, then a window sum
// (M::kWindowSum, conv_direct_window_sums.h). All int32 arithmetic wraps modulo 2^32 like the
// reference's accumulator.
//
// Input staging. When no tap of any pixel falls in the padding and the runs are whole steps,
// a uint8 kernel reads the input in place. Otherwise (and always for AVX2, which widens to
// int16) the rows a call needs are copied, in chunks of rows that fit kStageBudget, into the
// workspace with pad_left / pad_top columns and rows of input_zp and slack for the last dead
// slots. Output pixels are then walked row by row in tiles of P pixels x V vectors; when the
// rows are contiguous in the source as well (1x1 stride 1, GEMM), a chunk is one flat run of
// pixels. Super-blocks are the outer loop so that their weights stay in L1 while the staged
// rows are re-read. Output pixels are QConvParams::y_pixel() apart (a Concat's slice), and
// with an output table the tiles of kind 2 store each code through it where M::table_ok()
// (VNNI: AVX-512 VBMI's byte permutes); elsewhere the plain tiles store the codes and each
// block's bytes go through the table after them, the same bytes, so a plan compiled on a CPU
// with VBMI runs on one without.
//
// Unclamped epilogue (kind 3, where M::kUnclamped). requantize_float clamps the scaled value
// to [lo - zy, hi - zy] in float before rounding, because vcvtps2dq turns anything at or past
// 2^31 into INT_MIN. Where a super-block's accumulators provably scale to well under 2^31
// (unclamped_ok: |bias| + K * 255 * 128 times the largest scale below 2^30) and the output's
// range is [0, 255], the clamp can follow the rounding instead, and the stores' saturating
// packs make it: round(clamp(v, -zy, 255 - zy)) + zy = clamp(round(v) + zy, 0, 255), rounding
// being monotone and the bounds integers. Two operations less per vector of 16 outputs, which
// the short reductions of MobileNetV2's 1x1 convs (16-32 input channels) are bound by.
//
// Paired tiles (M::kPair). A last super-block of two vectors whose second holds at most 8
// output channels (out_c = 64 n + 17..24: MobileNetV2's 24-channel projections) packs that
// vector's 8 channels twice (lanes 8-15 repeat lanes 0-7: block_lane), so that one vpdpbusd
// serves two pixels, the first in its low half, the second in its high half: 3 vpdpbusd and
// 3 epilogue vectors per two pixels instead of 4.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <utility>

#include "kernels/conv_variants.h"
#include "kernels/int8/conv.h"
#include "kernels/int8/conv_direct_tile.h"
#include "kernels/int8/conv_direct_window_sums.h"

namespace octet::kernels {
namespace {

constexpr size_t kStageBudget = 64 * 1024;   // bytes of staged input rows per chunk
constexpr size_t kSlack = 64;                // bytes after the staged rows (dead-slot reads)

template <class M>
struct QConvDirect {
  using T = typename M::T;   // staged input element: uint8 (VNNI) or int16 (AVX2)
  using W = typename M::W;   // packed weight element: int8 or int16
  static constexpr int L = M::L, E = M::E, Vmax = M::Vmax;

  struct Geom {
    int32_t runs, run_len, steps, nvec, blocks;
    int64_t kslots;         // steps per output pixel
    bool direct;            // read the input in place
    int32_t src_w;          // source row width in pixels (in_w, or the padded width)
    int32_t chunk_rows;     // output rows per staged chunk
    int32_t rows_for(int32_t n, const ConvNhwcParams& s) const {
      return (n - 1) * s.stride_h + (s.kernel_h - 1) * s.dilation_h + 1;
    }
  };

  static Geom geom(const QConvParams& q) {
    const ConvNhwcParams& s = q.shape;
    Geom g;
    g.runs = s.dilation_w == 1 ? 1 : s.kernel_w;
    g.run_len = s.dilation_w == 1 ? s.kernel_w * s.in_c : s.in_c;
    g.steps = (g.run_len + E - 1) / E;
    g.kslots = int64_t{s.kernel_h} * g.runs * g.steps;
    g.nvec = (s.out_c + L - 1) / L;
    g.blocks = (g.nvec + Vmax - 1) / Vmax;
    const int32_t need_w = (s.out_w - 1) * s.stride_w + (s.kernel_w - 1) * s.dilation_w + 1;
    const int32_t need_h = (s.out_h - 1) * s.stride_h + (s.kernel_h - 1) * s.dilation_h + 1;
    g.direct = M::kDirect && g.run_len % E == 0 && s.pad_top == 0 && s.pad_left == 0 && need_w <= s.in_w &&
               need_h <= s.in_h;
    g.src_w = g.direct ? s.in_w : need_w;
    const size_t row_bytes = size_t(g.src_w) * size_t(s.in_c) * sizeof(T);
    const size_t fit_rows = kStageBudget / (row_bytes > 0 ? row_bytes : 1);
    const int32_t ext = (s.kernel_h - 1) * s.dilation_h + 1;
    int32_t n = fit_rows > size_t(ext) ? int32_t((fit_rows - size_t(ext)) / size_t(s.stride_h)) + 1 : 1;
    g.chunk_rows = qc_max(1, qc_min(n, s.out_h));
    return g;
  }

  static bool window_sums(const QConvParams& q) { return M::kWindowSum && q.weight_zero_point != 0; }

  static size_t block_bytes(const Geom& g, int32_t v) {
    return sizeof(int32_t) * size_t(v) * L + size_t(g.kslots) * size_t(v) * L * E * sizeof(W);
  }
  static int32_t block_vectors(const Geom& g, int32_t b) { return qc_min(Vmax, g.nvec - b * Vmax); }
  // Whether super-block b runs the paired tiles (see the top of the file).
  static bool paired(const ConvNhwcParams& s, const Geom& g, int32_t b) {
    return M::kPair && block_vectors(g, b) == 2 && s.out_c - b * Vmax * L <= L + L / 2;
  }
  // The output channel (relative to the super-block's first) that lane l of a super-block holds.
  static int32_t block_lane(bool pair, int32_t l) { return pair && l >= L ? L + (l - L) % (L / 2) : l; }

  static bool supports(const QConvParams& q) {
    const ConvNhwcParams& s = q.shape;
    return s.in_h > 0 && s.in_w > 0 && s.in_c > 0 && s.out_h > 0 && s.out_w > 0 && s.out_c > 0 &&
           s.kernel_h > 0 && s.kernel_w > 0 && s.stride_h > 0 && s.stride_w > 0 && s.dilation_h > 0 &&
           s.dilation_w > 0 && s.pad_top >= 0 && s.pad_left >= 0 && output_layout_ok(q);
  }

  static size_t packed_bytes(const QConvParams& q) {
    const Geom g = geom(q);
    if (g.blocks == 0) return 0;
    return size_t(g.blocks - 1) * block_bytes(g, Vmax) + block_bytes(g, block_vectors(g, g.blocks - 1));
  }

  static void pack(const QConvParams& q, const int8_t* w_oihw, const int32_t* bias, void* packed) {
    const ConvNhwcParams& s = q.shape;
    const Geom g = geom(q);
    const int64_t K = int64_t{s.kernel_h} * s.kernel_w * s.in_c;
    auto weight = [&](int32_t co, int32_t ci, int32_t kh, int32_t kw) -> int32_t {
      return w_oihw[((int64_t{co} * s.in_c + ci) * s.kernel_h + kh) * s.kernel_w + kw];
    };
    uint8_t* base = static_cast<uint8_t*>(packed);
    for (int32_t b = 0; b < g.blocks; ++b) {
      const int32_t V = block_vectors(g, b), co0 = b * Vmax * L;
      const bool pair = paired(s, g, b);
      int32_t* bb = reinterpret_cast<int32_t*>(base + size_t(b) * block_bytes(g, Vmax));
      for (int32_t l = 0; l < V * L; ++l) {
        const int32_t co = co0 + block_lane(pair, l);
        int64_t folded = 0;
        if (co < s.out_c) {
          int64_t wsum = 0;
          for (int32_t ci = 0; ci < s.in_c; ++ci)
            for (int32_t kh = 0; kh < s.kernel_h; ++kh)
              for (int32_t kw = 0; kw < s.kernel_w; ++kw) wsum += weight(co, ci, kh, kw);
          folded = (bias != nullptr ? bias[co] : 0) - int64_t{q.input_zero_point} * wsum +
                   K * q.input_zero_point * q.weight_zero_point;
        }
        bb[l] = static_cast<int32_t>(static_cast<uint32_t>(folded));   // modulo 2^32
      }
      W* w = reinterpret_cast<W*>(bb + V * L);
      for (int32_t kh = 0; kh < s.kernel_h; ++kh)
        for (int32_t u = 0; u < g.runs; ++u)
          for (int32_t st = 0; st < g.steps; ++st)
            for (int32_t l = 0; l < V * L; ++l)
              for (int32_t e = 0; e < E; ++e) {
                const int32_t co = co0 + block_lane(pair, l), k = st * E + e;   // k: element of the run
                const int32_t kw = s.dilation_w == 1 ? k / s.in_c : u, ci = s.dilation_w == 1 ? k % s.in_c : k;
                *w++ = co < s.out_c && k < g.run_len ? M::weight(weight(co, ci, kh, kw), q.weight_zero_point) : W(0);
              }
    }
  }

  // Workspace: [step offsets][staged rows + slack][window sums: S1 rows x src_w | H rows x
  // out_w | corr].
  struct Layout {
    size_t stage = 0, s1 = 0, h = 0, corr = 0, total = 0;
  };
  static Layout layout(const QConvParams& q, const Geom& g) {
    const ConvNhwcParams& s = q.shape;
    const size_t rows = size_t(g.rows_for(g.chunk_rows, s));
    Layout o;
    size_t at = (size_t(g.kslots) * 4 + 63) / 64 * 64;
    o.stage = at;
    if (!g.direct) at += (rows * size_t(g.src_w) * size_t(s.in_c) * sizeof(T) + kSlack + 63) / 64 * 64;
    if (window_sums(q)) {
      o.s1 = at;
      at += (rows * size_t(g.src_w) * 4 + 63) / 64 * 64;
      o.h = at;
      at += (rows * size_t(s.out_w) * 4 + 63) / 64 * 64;
      o.corr = at;
      at += (size_t(g.chunk_rows) * size_t(s.out_w) * 4 + 63) / 64 * 64;
    }
    o.total = at;
    return o;
  }

  static size_t workspace_bytes(const QConvParams& q) { return layout(q, geom(q)).total; }

  // Copies padded source rows [r0, r1) (padded coordinates) into dst, filling with input_zp.
  static void stage(const QConvParams& q, const Geom& g, const uint8_t* input, int32_t r0, int32_t r1, T* dst) {
    const ConvNhwcParams& s = q.shape;
    const size_t C = size_t(s.in_c), row = size_t(g.src_w) * C;
    const uint8_t zx = static_cast<uint8_t>(q.input_zero_point);
    const int32_t left = qc_min(s.pad_left, g.src_w);
    const int32_t copy = qc_max(0, qc_min(s.in_w, g.src_w - left));
    for (int32_t r = r0; r < r1; ++r, dst += row) {
      const int32_t ih = r - s.pad_top;
      if (ih < 0 || ih >= s.in_h) {
        M::fill(dst, zx, row);
        continue;
      }
      M::fill(dst, zx, size_t(left) * C);
      M::copy(dst + size_t(left) * C, input + (size_t(ih) * size_t(s.in_w)) * C, size_t(copy) * C);
      M::fill(dst + size_t(left + copy) * C, zx, row - size_t(left + copy) * C);
    }
    M::fill(dst, zx, kSlack / sizeof(T));
  }

  using TileFn = void (*)(const QTileArgs&, const T*, const W*, const int32_t*, uint8_t*, const uint8_t*, int32_t);

  // The epilogue kinds compiled: all four, or without kEveryConvEpilogue (the sanitizer builds,
  // kernels/conv_variants.h) kinds 0 and 1 alone: an
  // output table then follows the plain tiles (table_after, as on a VNNI CPU without VBMI) and
  // no super-block takes kind 3. Every kind's tiles load and store the same bytes of the input,
  // weights and output (kind 2 also reads the 256-byte table); their requantisations differ,
  // and the normal build tests each kind bit-exact. Half the tiles:
  // clang 14 with ASan and UBSan took 83 CPU-seconds on conv_direct_vnni.cpp, 44 with these.
  static constexpr bool kEveryKind = kEveryConvEpilogue;
  static constexpr bool kUnclamped = kEveryKind && M::kUnclamped;

  // kT<V, K>.fn[P]: the tile of P pixels x V vectors with epilogue kind K (QTileArgs::kind;
  // empty past Vmax and for the kinds not compiled), so that each tile compiles to one straight path.
  template <int V, int K, int... Ps>
  static constexpr auto make_table(std::integer_sequence<int, Ps...>) {
    struct Table {
      TileFn fn[sizeof...(Ps) + 1];
    };
    return Table{{nullptr, &M::template tile<Ps + 1, V, K>...}};
  }
  template <int V, int K>
  static constexpr auto table() {
    constexpr int pmax = V > Vmax || K > 3 || (K == 2 && !kEveryKind) || (K == 3 && !kUnclamped) ? 0
                         : V == 1                                          ? M::P1
                         : V == 2                                          ? M::P2
                         : V == 3                                          ? M::P3
                                                                           : M::P4;
    return make_table<V, K>(std::make_integer_sequence<int, pmax>{});
  }
  static constexpr auto kT1 = table<1, 0>();
  static constexpr auto kT2 = table<2, 0>();
  static constexpr auto kT3 = table<3, 0>();
  static constexpr auto kT4 = table<4, 0>();
  static constexpr auto kT1k = table<1, 1>();
  static constexpr auto kT2k = table<2, 1>();
  static constexpr auto kT3k = table<3, 1>();
  static constexpr auto kT4k = table<4, 1>();
  static constexpr auto kT1t = table<1, 2>();
  static constexpr auto kT2t = table<2, 2>();
  static constexpr auto kT3t = table<3, 2>();
  static constexpr auto kT4t = table<4, 2>();
  static constexpr auto kT1u = table<1, 3>();
  static constexpr auto kT2u = table<2, 3>();
  static constexpr auto kT3u = table<3, 3>();
  static constexpr auto kT4u = table<4, 3>();
  // The paired tiles of two vectors (M::tile_pair), by epilogue kind; empty without M::kPair
  // and for the kinds not compiled (kEveryKind, kUnclamped above: no super-block takes them).
  template <int K, int... Ps>
  static constexpr auto make_pair_table(std::integer_sequence<int, Ps...>) {
    struct Table {
      TileFn fn[sizeof...(Ps) + 1];
    };
    return Table{{nullptr, &M::template tile_pair<Ps + 1, K>...}};
  }
  template <int K>
  static constexpr auto pair_table() {
    if constexpr (M::kPair && (K < 2 || (K == 2 && kEveryKind) || (K == 3 && kUnclamped)))
      return make_pair_table<K>(std::make_integer_sequence<int, M::PP>{});
    else return make_table<1, 99>(std::make_integer_sequence<int, 0>{});
  }
  static constexpr auto kTp = pair_table<0>();
  static constexpr auto kTpk = pair_table<1>();
  static constexpr auto kTpt = pair_table<2>();
  static constexpr auto kTpu = pair_table<3>();

  // Whether a super-block of the plain conv may take the unclamped epilogue (kind 3, above):
  // the output range is [0, 255], no window sums (zw = 0: the accumulator is the packed bias
  // plus K products of a uint8 code and an int8 weight, each at most 255 * 128 in magnitude),
  // and every lane's |bias| + K * 255 * 128, times its scale, stays under 2^30 (a margin of 2
  // over the float rounding of acc and of the product).
  static bool unclamped_ok(const QConvParams& q, const Geom& g, const int32_t* bias, const float* scales,
                           int32_t lanes) {
    if (!kUnclamped || q.output_min != 0 || q.output_max != 255 || window_sums(q)) return false;
    const double products = double(g.kslots) * E * 255.0 * 128.0;
    for (int32_t l = 0; l < lanes; ++l) {
      const double b = bias[l] < 0 ? -double(bias[l]) : double(bias[l]);
      if (!((b + products) * double(scales[l]) < 1073741824.0)) return false;
    }
    return true;
  }

  // n pixels of one segment (uniform source stride a.x_pixel), one super-block.
  static void segment(const QTileArgs& a, int32_t V, bool pair, int32_t n, const T* x, const W* w,
                      const int32_t* corr, uint8_t* y, const uint8_t* res, int32_t lanes) {
    static_assert(Vmax <= 4);
    const int32_t pmax = pair ? M::PP : V == 1 ? M::P1 : V == 2 ? M::P2 : V == 3 ? M::P3 : M::P4;
    const TileFn* fns = pair           ? (a.kind == 0 ? kTp.fn : a.kind == 1 ? kTpk.fn : a.kind == 2 ? kTpt.fn : kTpu.fn)
                        : a.kind == 0 ? (V == 1 ? kT1.fn : V == 2 ? kT2.fn : V == 3 ? kT3.fn : kT4.fn)
                        : a.kind == 1 ? (V == 1 ? kT1k.fn : V == 2 ? kT2k.fn : V == 3 ? kT3k.fn : kT4k.fn)
                        : a.kind == 2 ? (V == 1 ? kT1t.fn : V == 2 ? kT2t.fn : V == 3 ? kT3t.fn : kT4t.fn)
                                      : (V == 1 ? kT1u.fn : V == 2 ? kT2u.fn : V == 3 ? kT3u.fn : kT4u.fn);
    const int32_t tiles = (n + pmax - 1) / pmax;
    if (tiles == 0) return;
    const int32_t base = n / tiles, extra = n % tiles;
    int32_t px = 0;
    for (int32_t t = 0; t < tiles; ++t) {
      const int32_t np = base + (t < extra ? 1 : 0);
      const ptrdiff_t yo = ptrdiff_t{px} * a.y_pixel;
      fns[np](a, x + px * a.x_pixel, w, corr != nullptr ? corr + px : nullptr, y + yo,
              res != nullptr ? res + yo : nullptr, lanes);
      px += np;
    }
  }

  static void run(const QConvParams& q, const void* packed, const uint8_t* input, const uint8_t* residual,
                  uint8_t* output, void* workspace, int32_t oh_begin, int32_t oh_end) {
    const ConvNhwcParams& s = q.shape;
    oh_begin = qc_max(oh_begin, 0);
    oh_end = qc_min(oh_end, s.out_h);
    if (oh_begin >= oh_end) return;
    const Geom g = geom(q);
    const Layout lo = layout(q, g);
    uint8_t* ws = static_cast<uint8_t*>(workspace);
    const bool sums = window_sums(q);
    const size_t C = size_t(s.in_c), pitch = size_t(g.src_w) * C;

    QTileArgs a;
    a.x_pixel = ptrdiff_t{s.stride_w} * s.in_c;
    int32_t* offs = reinterpret_cast<int32_t*>(ws);
    for (int32_t kh = 0, t = 0; kh < s.kernel_h; ++kh)
      for (int32_t u = 0; u < g.runs; ++u)
        for (int32_t st = 0; st < g.steps; ++st)
          offs[t++] = int32_t(kh * s.dilation_h * ptrdiff_t(pitch) + u * s.dilation_w * s.in_c + st * E);
    a.step_offset = offs;
    a.nsteps = int32_t(g.kslots);
    a.y_pixel = q.y_pixel();
    a.zero_point = q.output_zero_point;
    a.lo = q.output_min;
    a.hi = q.output_max;
    a.round_first = q.round_before_residual;
    a.residual_first = q.residual_is_first;
    a.conv_zero_point = q.conv_zero_point;
    a.add = q.residual_add;
    a.table = q.has_output_table ? q.output_table : nullptr;
    const bool table_after = q.has_output_table && !(kEveryKind && M::table_ok());   // see the top of the file
    a.kind = q.round_before_residual ? 1 : q.has_output_table && !table_after ? 2 : 0;
    // Each super-block's scales copied into a zero-padded table, so that the tiles load whole
    // vectors (QTileArgs::scales).
    alignas(64) float block_scales[Vmax * L];
    a.scales = block_scales;
    // Rows are one run of pixels when the next output row starts one pixel step after the last.
    const bool flat = ptrdiff_t{s.stride_h} * ptrdiff_t(pitch) == ptrdiff_t{s.out_w} * a.x_pixel;
    // A residual comes only with a dense output (output_layout_ok), so it shares the offsets.
    const ptrdiff_t out_row = ptrdiff_t{s.out_w} * a.y_pixel;

    for (int32_t c0 = oh_begin; c0 < oh_end; c0 += g.chunk_rows) {
      const int32_t c1 = qc_min(oh_end, c0 + g.chunk_rows);
      const int32_t r0 = c0 * s.stride_h, r1 = r0 + g.rows_for(c1 - c0, s);
      const T* src;
      if (g.direct) {
        src = reinterpret_cast<const T*>(input) + size_t(r0) * pitch;
      } else {
        stage(q, g, input, r0, r1, reinterpret_cast<T*>(ws + lo.stage));
        src = reinterpret_cast<const T*>(ws + lo.stage);
      }
      int32_t* corr = nullptr;
      if constexpr (M::kWindowSum) {
        if (sums) {
          corr = reinterpret_cast<int32_t*>(ws + lo.corr);
          QWindowSums<M>::correction(q, g.rows_for(c1 - c0, s), g.src_w, src, pitch, c0, c1,
                                     reinterpret_cast<int32_t*>(ws + lo.s1),
                            reinterpret_cast<int32_t*>(ws + lo.h), corr);
        }
      }
      const uint8_t* pw = static_cast<const uint8_t*>(packed);
      for (int32_t b = 0; b < g.blocks; ++b) {
        const int32_t V = block_vectors(g, b), co0 = b * Vmax * L;
        const W* w = reinterpret_cast<const W*>(pw + size_t(b) * block_bytes(g, Vmax));
        const int32_t lanes = qc_min(s.out_c - co0, V * L);
        const bool pair = paired(s, g, b);
        for (int32_t l = 0; l < Vmax * L; ++l) {
          const int32_t c = l < V * L ? block_lane(pair, l) : l;
          block_scales[l] = c >= lanes ? 0.f : q.channel_scales != nullptr ? q.channel_scales[co0 + c] : q.scale;
        }
        const int32_t kind = a.kind;
        if (kind == 0 && unclamped_ok(q, g, reinterpret_cast<const int32_t*>(w), block_scales, lanes)) a.kind = 3;
        uint8_t* y = output + ptrdiff_t{c0} * out_row + co0;
        const uint8_t* res = residual != nullptr ? residual + ptrdiff_t{c0} * out_row + co0 : nullptr;
        if (flat) {
          segment(a, V, pair, (c1 - c0) * s.out_w, src, w, corr, y, res, lanes);
        } else {
          for (int32_t oh = c0; oh < c1; ++oh) {
            const ptrdiff_t yo = ptrdiff_t{oh - c0} * out_row;
            segment(a, V, pair, s.out_w, src + size_t(oh - c0) * s.stride_h * pitch, w,
                    corr != nullptr ? corr + size_t(oh - c0) * s.out_w : nullptr, y + yo,
                    res != nullptr ? res + yo : nullptr, lanes);
          }
        }
        a.kind = kind;
        if (table_after)
          for (int32_t oh = c0; oh < c1; ++oh)
            for (int32_t ow = 0; ow < s.out_w; ++ow) {
              uint8_t* px = y + ptrdiff_t{oh - c0} * out_row + ptrdiff_t{ow} * a.y_pixel;
              for (int32_t l = 0; l < lanes; ++l) px[l] = q.output_table[px[l]];
            }
      }
    }
  }
};

}  // namespace
}  // namespace octet::kernels
