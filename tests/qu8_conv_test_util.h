// Shared by the int8 convolution tests (tests/test_qu8_conv_*.cpp): each case runs every
// qu8_conv variant in the registry this CPU runs (the others are reported as skipped) against
// the scalar oracle qconv_nhwc, bit for bit, on exactly-sized buffers with guard bytes after
// the packed weights, the workspace and the output. Also: the shape and requantisation
// builders the cases use, and ResNet8's conv layers.
#pragma once
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "kernels/dispatch/isa.h"
#include "kernels/reference/qconv.h"
#include "tests/kernel_variants_util.h"

namespace octet::qu8_conv_test {

using kernels::ConvNhwcParams;
using kernels::QConvParams;
using kernels::QConvU8Kernel;

inline constexpr uint8_t kGuard = 0xA5;
inline constexpr size_t kGuardBytes = 64;

// Variants this CPU runs; prints the ones it skips (once).
inline std::vector<const kernels::KernelVariant*> runnable() {
  static const std::vector<const kernels::KernelVariant*> out = kernel_test::runnable(kernels::KernelFamily::ConvQU8);
  return out;
}

// A 64-byte aligned buffer followed by guard bytes.
struct Guarded {
  explicit Guarded(size_t n) : size(n), raw((n + kGuardBytes + 64) / 64 * 64 + 64) {
    uintptr_t a = reinterpret_cast<uintptr_t>(raw.data());
    data = raw.data() + ((64 - a % 64) % 64);
    std::memset(data, 0x5A, size);
    std::memset(data + size, kGuard, kGuardBytes);
  }
  bool intact() const {
    for (size_t i = 0; i < kGuardBytes; ++i)
      if (data[size + i] != kGuard) return false;
    return true;
  }
  size_t size;
  std::vector<uint8_t> raw;
  uint8_t* data = nullptr;
};

struct Case {
  QConvParams q;
  int32_t batch = 1;
  bool residual = false;
  bool bias = true;
  int32_t split = -1;   // run rows [0, split) and [split, out_h) in two calls; -1: one call
  uint32_t seed = 1;
  int32_t x_lo = 0, x_hi = 255;   // input value range
  int32_t w_lo = -128, w_hi = 127;
  int32_t r_lo = 0, r_hi = 255;   // residual value range
  std::vector<float> scales;   // per-channel (QConvParams::channel_scales), or empty
  // A Concat's slice (QConvParams::output_pixel_stride, output_table): pixels out_stride bytes
  // apart (0: dense), the kernel's output pointer out_offset bytes into each, each code through
  // `table` if it is not empty. The bytes outside the slice must stay as they were.
  int32_t out_stride = 0, out_offset = 0;
  std::vector<uint8_t> table;
};

inline std::string describe(const Case& c) {
  const ConvNhwcParams& s = c.q.shape;
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "in %dx%dx%d out %dx%dx%d k %dx%d s %dx%d d %dx%d pad %d,%d batch %d res %d bias %d split %d "
                "zx %d zw %d zy %d [%d,%d] scale %.9g round-first %d zc %d residual-first %d add (%.9g, %.9g, %.9g) "
                "seed %u",
                s.in_h, s.in_w, s.in_c, s.out_h, s.out_w, s.out_c, s.kernel_h, s.kernel_w, s.stride_h, s.stride_w,
                s.dilation_h, s.dilation_w, s.pad_top, s.pad_left, c.batch, c.residual, c.bias, c.split,
                c.q.input_zero_point, c.q.weight_zero_point, c.q.output_zero_point, c.q.output_min, c.q.output_max,
                double(c.q.scale), c.q.round_before_residual, c.q.conv_zero_point, c.q.residual_is_first,
                double(c.q.residual_add.ratio_a), double(c.q.residual_add.ratio_b), double(c.q.residual_add.fixed),
                c.seed);
  return buf + std::string(c.scales.empty() ? "" : " per-channel") +
         (c.out_stride > 0 ? " slice at " + std::to_string(c.out_offset) + " of " + std::to_string(c.out_stride) : "") +
         (c.table.empty() ? "" : " table");
}

// Shape with output size from the padding after (pad_bottom / pad_right).
inline ConvNhwcParams shape(int32_t in_h, int32_t in_w, int32_t in_c, int32_t out_c, int32_t kh, int32_t kw,
                            int32_t sh, int32_t sw, int32_t pt, int32_t pl, int32_t pb, int32_t pr, int32_t dh = 1,
                            int32_t dw = 1) {
  ConvNhwcParams s;
  s.in_h = in_h;
  s.in_w = in_w;
  s.in_c = in_c;
  s.out_c = out_c;
  s.kernel_h = kh;
  s.kernel_w = kw;
  s.stride_h = sh;
  s.stride_w = sw;
  s.dilation_h = dh;
  s.dilation_w = dw;
  s.pad_top = pt;
  s.pad_left = pl;
  s.out_h = (in_h + pt + pb - ((kh - 1) * dh + 1)) / sh + 1;
  s.out_w = (in_w + pl + pr - ((kw - 1) * dw + 1)) / sw + 1;
  return s;
}

// A requantisation scale that keeps most outputs off the clamp: ~ 1 / (spread of acc).
inline float sensible_scale(const ConvNhwcParams& s, std::mt19937& rng) {
  const double k = double(s.kernel_h) * s.kernel_w * s.in_c;
  return float(std::uniform_real_distribution<double>(0.5, 2.0)(rng) * 60.0 / (std::sqrt(k) * 128 * 74));
}
inline void sensible_requant(QConvParams& q, std::mt19937& rng) { q.scale = sensible_scale(q.shape, rng); }

// The clamp drawn from rng: plain (half the time), Relu (lo = zy) or a Clip.
inline void random_clamp(QConvParams& q, std::mt19937& rng) {
  switch (rng() % 4) {
    case 1: q.output_min = q.output_zero_point; break;
    case 2:
      q.output_min = int32_t(rng() % 128);
      q.output_max = 128 + int32_t(rng() % 128);
      break;
    default: break;
  }
}

// The residual Add of round_before_residual as the compiler makes it (make_qadd_float) from
// scales with s_c / s_y and s_r / s_y in [0.3, 3] (a residual block's range), the zero points
// already in q, and the operand order drawn too.
inline void sensible_add(QConvParams& q, std::mt19937& rng) {
  std::uniform_real_distribution<float> ratio(0.3f, 3.0f);
  const float s_y = 0.05f, s_c = s_y * ratio(rng), s_r = s_y * ratio(rng);
  q.residual_is_first = rng() % 2 == 0;
  q.residual_add = q.residual_is_first ? kernels::make_qadd_float(s_r, q.residual_zero_point, s_c, q.conv_zero_point,
                                                                  s_y, q.output_zero_point)
                                       : kernels::make_qadd_float(s_c, q.conv_zero_point, s_r, q.residual_zero_point,
                                                                  s_y, q.output_zero_point);
}

// round_before_residual: the conv into c as sensible_requant makes it, then sensible_add
// (call it once the zero points are set).
inline void sensible_round_first(QConvParams& q, std::mt19937& rng) {
  sensible_requant(q, rng);
  q.round_before_residual = true;
  sensible_add(q, rng);
}

// Runs every runnable variant on the case and compares with the oracle, image by image.
inline void check(const Case& c) {
  QConvParams q = c.q;
  if (!c.scales.empty()) q.channel_scales = c.scales.data();
  q.output_pixel_stride = c.out_stride;
  q.has_output_table = !c.table.empty();
  q.output_table = q.has_output_table ? c.table.data() : nullptr;
  const ConvNhwcParams& s = q.shape;
  SCOPED_TRACE(describe(c));
  std::mt19937 rng(c.seed);
  const size_t in_n = size_t(s.in_h) * s.in_w * s.in_c, res_n = size_t(s.out_h) * s.out_w * s.out_c;
  const size_t out_n = size_t(s.out_h) * s.out_w * size_t(q.y_pixel()), at = size_t(c.out_offset);
  const size_t w_n = size_t(s.out_c) * s.in_c * s.kernel_h * s.kernel_w;
  std::vector<uint8_t> input(in_n * c.batch), residual(c.residual ? res_n * c.batch : 0);
  std::vector<int8_t> weight(w_n);
  std::vector<int32_t> bias(s.out_c);
  std::uniform_int_distribution<int32_t> dx(c.x_lo, c.x_hi), dw(c.w_lo, c.w_hi), dr(c.r_lo, c.r_hi),
      db(-(1 << 20), 1 << 20);
  for (uint8_t& v : input) v = uint8_t(dx(rng));
  for (int8_t& v : weight) v = int8_t(dw(rng));
  for (uint8_t& v : residual) v = uint8_t(dr(rng));
  for (int32_t& v : bias) v = db(rng);
  const int32_t* b = c.bias ? bias.data() : nullptr;

  std::vector<uint8_t> want(out_n * c.batch, 0x5A);   // Guarded's fill outside the slice
  for (int32_t i = 0; i < c.batch; ++i)
    kernels::qconv_nhwc(q, input.data() + i * in_n, weight.data(), b, c.residual ? residual.data() + i * res_n : nullptr,
                        want.data() + i * out_n + at);

  for (const kernels::KernelVariant* v : runnable()) {
    SCOPED_TRACE(v->name);
    const QConvU8Kernel& k = *v->qconv;
    if (!k.supports(q)) {   // only the VNNI variant's table without VBMI (conv.h)
      EXPECT_TRUE(q.has_output_table && std::string(v->name) == "qu8_conv_nhwc_direct_vnni" &&
                  !kernels::cpu_runs_vnni_vbmi());
      continue;
    }
    ASSERT_GE(k.row_tile, 1);
    Guarded packed(k.packed_bytes(q)), ws(k.workspace_bytes(q));
    k.pack(q, weight.data(), b, packed.data);
    ASSERT_TRUE(packed.intact()) << "pack wrote past packed_bytes";
    for (int32_t i = 0; i < c.batch; ++i) {
      Guarded out(out_n);
      // Each image and residual in its own exactly-sized allocation, so that a sanitizer
      // build catches any read past them.
      const std::vector<uint8_t> xi(input.begin() + i * in_n, input.begin() + (i + 1) * in_n);
      const std::vector<uint8_t> ri = c.residual ? std::vector<uint8_t>(residual.begin() + i * res_n,
                                                                        residual.begin() + (i + 1) * res_n)
                                                 : std::vector<uint8_t>();
      const uint8_t* x = xi.data();
      const uint8_t* r = c.residual ? ri.data() : nullptr;
      int32_t split = c.split;
      if (split > 0) split = split / k.row_tile * k.row_tile;
      if (split > 0 && split < s.out_h) {
        k.run(q, packed.data, x, r, out.data + at, ws.data, 0, split);
        k.run(q, packed.data, x, r, out.data + at, ws.data, split, s.out_h);
      } else {
        k.run(q, packed.data, x, r, out.data + at, ws.data, 0, s.out_h);
      }
      ASSERT_TRUE(out.intact()) << "run wrote past the output";
      ASSERT_TRUE(ws.intact()) << "run wrote past workspace_bytes";
      const uint8_t* w = want.data() + i * out_n;
      for (size_t j = 0; j < out_n; ++j) {
        if (out.data[j] != w[j]) {
          // A channel outside [0, out_c): a byte outside the slice.
          const size_t px = j / size_t(q.y_pixel());
          const int64_t co = int64_t(j % size_t(q.y_pixel())) - int64_t(at);
          FAIL() << "image " << i << " pixel (" << px / s.out_w << "," << px % s.out_w << ") channel " << co
                 << ": got " << int(out.data[j]) << ", want " << int(w[j]);
        }
      }
    }
  }
}

// sensible_requant / sensible_round_first drawn from the case's own seed.
inline void seeded_requant(Case& c) {
  std::mt19937 rng(c.seed);
  sensible_requant(c.q, rng);
}
inline void seeded_round_first(Case& c) {
  std::mt19937 rng(c.seed);
  sensible_round_first(c.q, rng);
}

struct Layer {
  int32_t hw, in_c, out_c, k, stride, pad_begin, pad_end;
  ConvNhwcParams shape() const {
    return qu8_conv_test::shape(hw, hw, in_c, out_c, k, k, stride, stride, pad_begin, pad_begin, pad_end, pad_end);
  }
  // The convs of a residual block: 3x3, stride 1, as many channels out as in.
  bool residual_block() const { return k == 3 && stride == 1 && in_c == out_c; }
};
// ResNet8 (MLPerf Tiny); stride-2 3x3 layers are padded TensorFlow "SAME" style (0 before,
// 1 after).
inline constexpr Layer kResNet8[] = {
    {32, 3, 16, 3, 1, 1, 1},  {32, 16, 16, 3, 1, 1, 1}, {32, 16, 32, 3, 2, 0, 1}, {32, 16, 32, 1, 2, 0, 0},
    {16, 32, 32, 3, 1, 1, 1}, {16, 32, 64, 3, 2, 0, 1}, {16, 32, 64, 1, 2, 0, 0}, {8, 64, 64, 3, 1, 1, 1},
};

}  // namespace octet::qu8_conv_test
