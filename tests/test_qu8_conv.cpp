// int8 NHWC convolution (kernels/int8/conv_*) against the scalar oracle qconv_nhwc, bit for
// bit, for every qu8_conv variant in the registry this CPU runs (the others are reported as
// skipped): random shapes over the edge cases (odd channel counts, strides, dilation,
// asymmetric padding, 1x1 / 3x3 / 5x5 and non-square kernels), batches of images through one
// packed weight buffer, output rows computed in pieces, residual on and off, Relu and Clip
// clamps, extreme zero points and values, requantisation shifts from 1 to 62, ResNet8's
// layers, and GEMMs as 1x1 convolutions. Every call runs on exactly-sized buffers with guard
// bytes after the packed weights, the workspace and the output. The oracle itself is checked
// against the FP32 reference convolution and against hand-computed roundings.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <algorithm>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "kernels/int8/conv.h"
#include "kernels/reference/conv.h"
#include "kernels/reference/qconv.h"
#include "kernels/reference/qvector.h"
#include "kernels/registry.h"

namespace octet {
namespace {

using kernels::ConvNhwcParams;
using kernels::QConvParams;
using kernels::QConvU8Kernel;

constexpr uint8_t kGuard = 0xA5;
constexpr size_t kGuardBytes = 64;

// Variants this CPU runs; prints the ones it skips (once).
std::vector<const kernels::KernelVariant*> runnable() {
  static const std::vector<const kernels::KernelVariant*> out = [] {
    std::vector<const kernels::KernelVariant*> r;
    for (const kernels::KernelVariant& v : kernels::kernel_variants()) {
      if (v.family != kernels::KernelFamily::ConvQU8) continue;
      if (v.supported())
        r.push_back(&v);
      else
        std::printf("[  SKIPPED ] %s: CPU lacks %s\n", v.name, kernels::isa_name(v.isa));
    }
    return r;
  }();
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
};

std::string describe(const Case& c) {
  const ConvNhwcParams& s = c.q.shape;
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "in %dx%dx%d out %dx%dx%d k %dx%d s %dx%d d %dx%d pad %d,%d batch %d res %d bias %d split %d "
                "zx %d zw %d zy %d [%d,%d] m %d s %d mr %d zr %d round-first %d zc %d mc %d add-shift %d seed %u",
                s.in_h, s.in_w, s.in_c, s.out_h, s.out_w, s.out_c, s.kernel_h, s.kernel_w, s.stride_h, s.stride_w,
                s.dilation_h, s.dilation_w, s.pad_top, s.pad_left, c.batch, c.residual, c.bias, c.split,
                c.q.input_zero_point, c.q.weight_zero_point, c.q.output_zero_point, c.q.output_min, c.q.output_max,
                c.q.requant.multiplier, c.q.requant.shift, c.q.residual_multiplier, c.q.residual_zero_point,
                c.q.round_before_residual, c.q.conv_zero_point, c.q.conv_multiplier, c.q.add_shift, c.seed);
  return buf;
}

// Shape with output size from the padding after (pad_bottom / pad_right).
ConvNhwcParams shape(int32_t in_h, int32_t in_w, int32_t in_c, int32_t out_c, int32_t kh, int32_t kw, int32_t sh,
                     int32_t sw, int32_t pt, int32_t pl, int32_t pb, int32_t pr, int32_t dh = 1, int32_t dw = 1) {
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

// A requantisation that keeps most outputs off the clamp: M ~ 1 / (spread of acc).
void sensible_requant(QConvParams& q, std::mt19937& rng, bool residual) {
  const ConvNhwcParams& s = q.shape;
  const double k = double(s.kernel_h) * s.kernel_w * s.in_c;
  const double m1 = std::ldexp(std::uniform_real_distribution<double>(0.5, 2.0)(rng), 0) * 60.0 / (std::sqrt(k) * 128 * 74);
  const double m2 = std::uniform_real_distribution<double>(0.1, 1.5)(rng);
  if (residual) {
    ASSERT_TRUE(kernels::make_requant_pair(m1, m2, &q.requant, &q.residual_multiplier));
  } else {
    ASSERT_TRUE(kernels::make_requant(m1, &q.requant));
  }
}

// round_before_residual: the conv into c as sensible_requant makes it, then an Add with
// s_c / s_y and s_r / s_y in [0.3, 3] (a residual block's range).
void sensible_round_first(QConvParams& q, std::mt19937& rng) {
  sensible_requant(q, rng, false);
  q.round_before_residual = true;
  std::uniform_real_distribution<double> ratio(0.3, 3.0);
  kernels::Requant a;
  ASSERT_TRUE(kernels::make_requant_pair(ratio(rng), ratio(rng), &a, &q.residual_multiplier));
  q.conv_multiplier = a.multiplier;
  q.add_shift = a.shift;
}

// Runs every runnable variant on the case and compares with the oracle, image by image.
void check(const Case& c) {
  const QConvParams& q = c.q;
  const ConvNhwcParams& s = q.shape;
  SCOPED_TRACE(describe(c));
  std::mt19937 rng(c.seed);
  const size_t in_n = size_t(s.in_h) * s.in_w * s.in_c, out_n = size_t(s.out_h) * s.out_w * s.out_c;
  const size_t w_n = size_t(s.out_c) * s.in_c * s.kernel_h * s.kernel_w;
  std::vector<uint8_t> input(in_n * c.batch), residual(c.residual ? out_n * c.batch : 0);
  std::vector<int8_t> weight(w_n);
  std::vector<int32_t> bias(s.out_c);
  std::uniform_int_distribution<int32_t> dx(c.x_lo, c.x_hi), dw(c.w_lo, c.w_hi), dr(c.r_lo, c.r_hi),
      db(-(1 << 20), 1 << 20);
  for (uint8_t& v : input) v = uint8_t(dx(rng));
  for (int8_t& v : weight) v = int8_t(dw(rng));
  for (uint8_t& v : residual) v = uint8_t(dr(rng));
  for (int32_t& v : bias) v = db(rng);
  const int32_t* b = c.bias ? bias.data() : nullptr;

  std::vector<uint8_t> want(out_n * c.batch);
  for (int32_t i = 0; i < c.batch; ++i)
    kernels::qconv_nhwc(q, input.data() + i * in_n, weight.data(), b, c.residual ? residual.data() + i * out_n : nullptr,
                        want.data() + i * out_n);

  for (const kernels::KernelVariant* v : runnable()) {
    SCOPED_TRACE(v->name);
    const QConvU8Kernel& k = *v->qconv;
    ASSERT_TRUE(k.supports(q));
    ASSERT_GE(k.row_tile, 1);
    Guarded packed(k.packed_bytes(q)), ws(k.workspace_bytes(q));
    k.pack(q, weight.data(), b, packed.data);
    ASSERT_TRUE(packed.intact()) << "pack wrote past packed_bytes";
    for (int32_t i = 0; i < c.batch; ++i) {
      Guarded out(out_n);
      // Each image and residual in its own exactly-sized allocation, so that a sanitizer
      // build catches any read past them.
      const std::vector<uint8_t> xi(input.begin() + i * in_n, input.begin() + (i + 1) * in_n);
      const std::vector<uint8_t> ri = c.residual ? std::vector<uint8_t>(residual.begin() + i * out_n,
                                                                        residual.begin() + (i + 1) * out_n)
                                                 : std::vector<uint8_t>();
      const uint8_t* x = xi.data();
      const uint8_t* r = c.residual ? ri.data() : nullptr;
      int32_t split = c.split;
      if (split > 0) split = split / k.row_tile * k.row_tile;
      if (split > 0 && split < s.out_h) {
        k.run(q, packed.data, x, r, out.data, ws.data, 0, split);
        k.run(q, packed.data, x, r, out.data, ws.data, split, s.out_h);
      } else {
        k.run(q, packed.data, x, r, out.data, ws.data, 0, s.out_h);
      }
      ASSERT_TRUE(out.intact()) << "run wrote past the output";
      ASSERT_TRUE(ws.intact()) << "run wrote past workspace_bytes";
      const uint8_t* w = want.data() + i * out_n;
      for (size_t j = 0; j < out_n; ++j) {
        if (out.data[j] != w[j]) {
          const size_t co = j % s.out_c, px = j / s.out_c;
          FAIL() << "image " << i << " pixel (" << px / s.out_w << "," << px % s.out_w << ") channel " << co
                 << ": got " << int(out.data[j]) << ", want " << int(w[j]);
        }
      }
    }
  }
}

// ---- the oracle itself -------------------------------------------------------------------

// With M = 1 (m = 2^30, s = 30) and small values, y = zy + acc exactly, so the oracle's
// window walk can be compared with the FP32 NCHW reference on (x - zx) and (w - zw).
TEST(QConvReference, MatchesFloatConvolution) {
  std::mt19937 rng(11);
  for (int it = 0; it < 40; ++it) {
    const int32_t k = 1 + 2 * int32_t(rng() % 3), st = 1 + int32_t(rng() % 2), dl = 1 + int32_t(rng() % 2);
    QConvParams q;
    q.shape = shape(3 + int32_t(rng() % 7), 3 + int32_t(rng() % 7), 1 + int32_t(rng() % 5), 1 + int32_t(rng() % 5), k,
                    k, st, st, int32_t(rng() % k), int32_t(rng() % k), int32_t(rng() % k), int32_t(rng() % k), dl, dl);
    const ConvNhwcParams& s = q.shape;
    if (s.out_h < 1 || s.out_w < 1) continue;
    q.input_zero_point = 100;
    q.weight_zero_point = 3;
    q.output_zero_point = 128;
    q.requant = {1 << 30, 30};
    const size_t in_n = size_t(s.in_h) * s.in_w * s.in_c, out_n = size_t(s.out_h) * s.out_w * s.out_c;
    std::vector<uint8_t> x(in_n);
    std::vector<int8_t> w(size_t(s.out_c) * s.in_c * k * k);
    std::vector<int32_t> bias(s.out_c);
    for (uint8_t& v : x) v = uint8_t(98 + rng() % 5);   // x - zx in [-2, 2]
    for (int8_t& v : w) v = int8_t(1 + rng() % 5);       // w - zw in [-2, 2]
    for (int32_t& v : bias) v = int32_t(rng() % 11) - 5;
    std::vector<uint8_t> got(out_n);
    kernels::qconv_nhwc(q, x.data(), w.data(), bias.data(), nullptr, got.data());

    kernels::ConvParams f;
    f.in_channels = s.in_c;
    f.out_channels = s.out_c;
    f.in = {1, s.in_h, s.in_w};
    f.out = {1, s.out_h, s.out_w};
    f.kernel = {1, k, k};
    f.stride = {1, st, st};
    f.dilation = {1, dl, dl};
    f.pad_begin = {0, s.pad_top, s.pad_left};
    std::vector<float> xf(in_n), wf(w.size()), bf(bias.begin(), bias.end()), yf(out_n);
    for (int32_t h = 0; h < s.in_h; ++h)   // NHWC -> NCHW
      for (int32_t ww = 0; ww < s.in_w; ++ww)
        for (int32_t c = 0; c < s.in_c; ++c)
          xf[(size_t(c) * s.in_h + h) * s.in_w + ww] = float(x[(size_t(h) * s.in_w + ww) * s.in_c + c] - 100);
    for (size_t i = 0; i < w.size(); ++i) wf[i] = float(w[i] - 3);
    kernels::conv_f32_ref(f, xf.data(), wf.data(), bf.data(), yf.data());
    for (int32_t c = 0; c < s.out_c; ++c)
      for (int32_t h = 0; h < s.out_h; ++h)
        for (int32_t ww = 0; ww < s.out_w; ++ww) {
          const int32_t want = 128 + int32_t(yf[(size_t(c) * s.out_h + h) * s.out_w + ww]);
          ASSERT_EQ(int(got[(size_t(h) * s.out_w + ww) * s.out_c + c]), want) << "it " << it;
        }
  }
}

// 1x1 single tap: y = clamp(zy + round_half_up(acc * m / 2^s)) and the residual term.
TEST(QConvReference, RoundsHalfUpAndClamps) {
  QConvParams q;
  q.shape = shape(1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0);
  q.requant = {1 << 30, 31};   // M = 0.5
  q.output_zero_point = 10;
  const int8_t w = 1;
  auto y = [&](int32_t bias, const uint8_t* res) {
    const uint8_t x = 0;
    uint8_t out = 0;
    kernels::qconv_nhwc(q, &x, &w, &bias, res, &out);
    return int(out);
  };
  EXPECT_EQ(y(5, nullptr), 13);    // 2.5 -> 3
  EXPECT_EQ(y(-5, nullptr), 8);    // -2.5 -> -2
  EXPECT_EQ(y(-7, nullptr), 7);    // -3.5 -> -3
  EXPECT_EQ(y(1000, nullptr), 255);
  EXPECT_EQ(y(-1000, nullptr), 0);
  q.output_min = 10;   // Relu: lo = zy
  EXPECT_EQ(y(-5, nullptr), 10);
  q.output_min = 0;
  q.residual_multiplier = 1 << 30;   // residual M = 0.5 too
  q.residual_zero_point = 7;
  const uint8_t r = 12;              // (12 - 7) * 0.5 = 2.5
  EXPECT_EQ(y(0, &r), 13);           // 0 + 2.5 -> 3
  EXPECT_EQ(y(1, &r), 13);           // 0.5 + 2.5 = 3
  EXPECT_EQ(y(-6, &r), 10);          // -3 + 2.5 = -0.5 -> 0
}

// ---- the variants ------------------------------------------------------------------------

TEST(QConvVariants, RegistryHasAllThree) {
  int n = 0;
  for (const kernels::KernelVariant& v : kernels::kernel_variants())
    if (v.family == kernels::KernelFamily::ConvQU8) ++n;
  EXPECT_EQ(n, 3);
  EXPECT_FALSE(runnable().empty());   // the scalar variant runs everywhere
}

TEST(QConvVariants, OddChannelCounts) {
  uint32_t seed = 100;
  for (int32_t in_c : {1, 3, 5, 17})
    for (int32_t out_c : {1, 10, 17, 33})
      for (int32_t k : {1, 3}) {
        Case c;
        c.q.shape = shape(7, 6, in_c, out_c, k, k, 1, 1, k / 2, k / 2, k / 2, k / 2);
        c.q.input_zero_point = 37;
        c.q.weight_zero_point = (in_c + out_c) % 2 ? 5 : 0;
        c.q.output_zero_point = 120;
        c.seed = ++seed;
        std::mt19937 rng(c.seed);
        sensible_requant(c.q, rng, false);
        check(c);
      }
}

// Random shapes over every combination the interface allows.
TEST(QConvVariants, RandomShapes) {
  std::mt19937 rng(2024);
  auto pick = [&](std::initializer_list<int32_t> l) { return *(l.begin() + rng() % l.size()); };
  for (int it = 0; it < 150; ++it) {
    Case c;
    c.seed = 1000 + uint32_t(it);
    const int32_t kh = pick({1, 3, 5, 3, 2}), kw = rng() % 4 == 0 ? pick({1, 3, 5, 2}) : kh;
    const int32_t sh = pick({1, 2, 1, 3}), sw = rng() % 4 == 0 ? pick({1, 2}) : sh;
    const int32_t dh = rng() % 6 == 0 ? 2 : 1, dw = rng() % 6 == 0 ? 2 : 1;
    const int32_t in_c = pick({1, 3, 4, 5, 8, 16, 17, 32, 33, 64, 70});
    const int32_t out_c = pick({1, 8, 10, 16, 17, 31, 32, 33, 48, 64, 65, 100});
    const int32_t in_h = 1 + int32_t(rng() % 12), in_w = 1 + int32_t(rng() % 20);
    auto pad = [&](int32_t k) { return int32_t(rng() % uint32_t(k)); };
    c.q.shape = shape(in_h, in_w, in_c, out_c, kh, kw, sh, sw, pad(kh), pad(kw), pad(kh), pad(kw), dh, dw);
    if (c.q.shape.out_h < 1 || c.q.shape.out_w < 1) continue;
    c.q.input_zero_point = pick({0, 255, 128, int32_t(rng() % 256)});
    c.q.weight_zero_point = pick({0, 0, -128, 127, int32_t(rng() % 256) - 128});
    c.q.output_zero_point = pick({0, 255, int32_t(rng() % 256)});
    c.residual = rng() % 2 == 0;
    c.q.residual_zero_point = int32_t(rng() % 256);
    c.bias = rng() % 5 != 0;
    c.batch = rng() % 5 == 0 ? 3 : 1;
    c.split = rng() % 3 == 0 ? int32_t(rng() % uint32_t(c.q.shape.out_h + 1)) : -1;
    sensible_requant(c.q, rng, c.residual);
    switch (rng() % 4) {   // the clamp: plain, Relu (lo = zy), Clip
      case 1: c.q.output_min = c.q.output_zero_point; break;
      case 2:
        c.q.output_min = int32_t(rng() % 128);
        c.q.output_max = 128 + int32_t(rng() % 128);
        break;
      default: break;
    }
    check(c);
  }
}

// Every shift from 1 to 62, with multipliers over their whole range and with M = m / 2^s
// below 1/2 (the SIMD variants' fast epilogue: shifts right or left of 32, up to 52):
// outputs saturate at small shifts and round to the zero point at large ones; the 64-bit
// rounding must match throughout.
TEST(QConvVariants, RequantShifts) {
  std::mt19937 rng(77);
  for (int32_t shift = 1; shift <= 62; ++shift) {
    for (int small = 0; small < 2; ++small) {
      Case c;
      c.seed = 5000 + uint32_t(shift) * 2 + uint32_t(small);
      c.q.shape = shape(5, 9, 19, 21, 3, 3, 1, 2, 1, 1, 1, 0);
      const int32_t bits = small ? std::min(shift, 31) - 1 : 31;   // m < 2^bits
      c.q.requant = {bits > 0 ? int32_t(rng() >> (32 - bits)) : 0, shift};
      c.q.input_zero_point = 77;
      c.q.weight_zero_point = shift % 3 == 0 ? -9 : 0;
      c.q.output_zero_point = int32_t(rng() % 256);
      c.residual = shift % 2 == 0;
      c.q.residual_multiplier = int32_t(rng() >> (small ? 8 : 1));
      c.q.residual_zero_point = int32_t(rng() % 256);
      check(c);
    }
  }
}

// Power-of-two multipliers (M = 2^-j): exact halves are frequent, on both signs, so a
// rounding that is not half-up (or an off-by-one rounding constant) shows.
TEST(QConvVariants, RoundingTies) {
  for (int32_t j = 1; j <= 10; ++j) {
    Case c;
    c.seed = 6000 + uint32_t(j);
    c.q.shape = shape(4, 8, 5, 20, 3, 3, 1, 1, 1, 1, 1, 1);
    c.q.requant = {1 << 30, 30 + j};
    c.q.input_zero_point = 128;
    c.q.weight_zero_point = j % 2 ? 0 : 1;
    c.q.output_zero_point = 128;
    c.x_lo = 120;   // small accumulators, both signs: many land on a tie
    c.x_hi = 136;
    c.w_lo = -4;
    c.w_hi = 4;
    c.bias = false;
    c.residual = j > 5;
    c.q.residual_multiplier = 1 << 29;
    c.q.residual_zero_point = 128;
    check(c);
  }
}

// Extreme zero points with inputs and weights pinned at their extremes, where the folded
// corrections and the window sums are largest.
TEST(QConvVariants, ExtremeZeroPoints) {
  uint32_t seed = 9000;
  for (int32_t zx : {0, 255})
    for (int32_t zw : {-128, 0, 127})
      for (int32_t zy : {0, 255})
        for (int values = 0; values < 3; ++values) {
          Case c;
          c.seed = ++seed;
          c.q.shape = shape(6, 7, 35, 18, 3, 3, 1, 1, 1, 1, 1, 1);
          c.q.input_zero_point = zx;
          c.q.weight_zero_point = zw;
          c.q.output_zero_point = zy;
          c.residual = values == 1;
          c.q.residual_zero_point = 255 - zy;
          if (values == 0) {   // all x = 255 - zx, all w = extreme away from zw
            c.x_lo = c.x_hi = 255 - zx;
            c.w_lo = c.w_hi = zw > 0 ? -128 : 127;
          } else if (values == 1) {
            c.x_lo = c.x_hi = zx;   // every tap equals the zero point: acc = bias
          }
          std::mt19937 rng(c.seed);
          sensible_requant(c.q, rng, c.residual);
          check(c);
        }
}

struct Layer {
  int32_t hw, in_c, out_c, k, stride, pad_begin, pad_end;
};
// ResNet8 (MLPerf Tiny); stride-2 3x3 layers are padded TensorFlow "SAME" style (0 before,
// 1 after).
const Layer kResNet8[] = {
    {32, 3, 16, 3, 1, 1, 1},  {32, 16, 16, 3, 1, 1, 1}, {32, 16, 32, 3, 2, 0, 1}, {32, 16, 32, 1, 2, 0, 0},
    {16, 32, 32, 3, 1, 1, 1}, {16, 32, 64, 3, 2, 0, 1}, {16, 32, 64, 1, 2, 0, 0}, {8, 64, 64, 3, 1, 1, 1},
};

TEST(QConvVariants, ResNet8Layers) {
  uint32_t seed = 300;
  for (const Layer& l : kResNet8)
    for (int32_t zw : {0, -128}) {   // int8/u8s8 and uint8 schemes
      Case c;
      c.seed = ++seed;
      c.q.shape = shape(l.hw, l.hw, l.in_c, l.out_c, l.k, l.k, l.stride, l.stride, l.pad_begin, l.pad_begin,
                        l.pad_end, l.pad_end);
      c.q.input_zero_point = zw == 0 ? 131 : 0;
      c.q.weight_zero_point = zw;
      c.q.output_zero_point = 7;
      c.q.output_min = 7;   // Relu
      c.residual = l.k == 3 && l.stride == 1 && l.in_c == l.out_c;
      c.q.residual_zero_point = 60;
      c.batch = 7;
      c.split = c.q.shape.out_h / 3;
      std::mt19937 rng(c.seed);
      sensible_requant(c.q, rng, c.residual);
      check(c);
    }
}

// Output rows one call at a time, and in two pieces at every split point.
TEST(QConvVariants, RowSplitsStitch) {
  for (int32_t split = 0; split <= 9; ++split) {
    Case c;
    c.seed = 700 + uint32_t(split);
    c.q.shape = shape(17, 11, 13, 24, 3, 3, 2, 1, 1, 0, 1, 2);   // out 9 x 11
    c.q.input_zero_point = 3;
    c.q.weight_zero_point = split % 2 ? 0 : 33;
    c.q.output_zero_point = 100;
    c.split = split;
    c.residual = split % 3 == 0;
    std::mt19937 rng(c.seed);
    sensible_requant(c.q, rng, c.residual);
    check(c);
  }
}

// GEMM [m, k] x [k, n] as a 1x1 convolution over an m x 1 image: the classifier head and
// square products.
TEST(QConvVariants, Gemm) {
  struct G {
    int32_t m, k, n;
  };
  uint32_t seed = 800;
  for (const G g : {G{1, 64, 10}, G{64, 64, 10}, G{64, 64, 64}, G{128, 128, 128}, G{256, 256, 256}, G{7, 300, 33}})
    for (int32_t zw : {0, -128}) {
      Case c;
      c.seed = ++seed;
      c.q.shape = shape(g.m, 1, g.k, g.n, 1, 1, 1, 1, 0, 0, 0, 0);
      c.q.input_zero_point = 128;
      c.q.weight_zero_point = zw;
      c.q.output_zero_point = 128;
      std::mt19937 rng(c.seed);
      sensible_requant(c.q, rng, false);
      check(c);
    }
}

// Large images and channel counts that need several staged chunks of rows.
TEST(QConvVariants, LargeImagesInChunks) {
  uint32_t seed = 900;
  for (int32_t zw : {0, 21}) {
    Case c;
    c.seed = ++seed;
    c.q.shape = shape(40, 70, 48, 20, 3, 3, 1, 1, 1, 1, 1, 1);
    c.q.input_zero_point = 9;
    c.q.weight_zero_point = zw;
    c.q.output_zero_point = 30;
    c.split = 17;
    std::mt19937 rng(c.seed);
    sensible_requant(c.q, rng, false);
    check(c);
  }
}

// A reduction long enough to overflow int32: every variant wraps modulo 2^32 exactly as the
// reference's int32 accumulator does (interface: acc is int32), including the folded
// zero-point terms and the window sums.
TEST(QConvVariants, AccumulatorWrapsLikeTheReference) {
  for (int32_t zw : {127, 0}) {
    Case c;
    c.seed = 950 + uint32_t(zw);
    c.q.shape = shape(2, 1, 70000, 3, 1, 1, 1, 1, 0, 0, 0, 0);   // |acc| up to 70000 * 255 * 255
    c.q.input_zero_point = 0;
    c.q.weight_zero_point = zw;
    c.q.output_zero_point = 128;
    c.q.requant = {1 << 30, 50};
    c.x_lo = 250;
    c.w_lo = -128;
    c.w_hi = -120;
    check(c);
  }
}

// ---- round_before_residual: the conv rounded to c, then the Add --------------------------

// The mode's definition (conv.h): the reference equals the reference conv into c (zero point
// zc, clamp [0, 255]) followed by the reference Add (qvector.h), bit for bit, over random
// shapes, zero points, multipliers, shifts and clamps.
TEST(QConvReference, RoundBeforeResidualIsConvThenAdd) {
  std::mt19937 rng(4242);
  auto pick = [&](std::initializer_list<int32_t> l) { return *(l.begin() + rng() % l.size()); };
  for (int it = 0; it < 300; ++it) {
    const int32_t k = pick({1, 3}), st = pick({1, 2});
    QConvParams q;
    q.shape = shape(1 + int32_t(rng() % 9), 1 + int32_t(rng() % 9), 1 + int32_t(rng() % 20), 1 + int32_t(rng() % 20),
                    k, k, st, st, k / 2, k / 2, k / 2, k / 2);
    const ConvNhwcParams& s = q.shape;
    q.input_zero_point = pick({0, 255, int32_t(rng() % 256)});
    q.weight_zero_point = pick({0, -128, 127, int32_t(rng() % 256) - 128});
    q.output_zero_point = pick({0, 255, int32_t(rng() % 256)});
    q.conv_zero_point = pick({0, 255, int32_t(rng() % 256)});
    q.residual_zero_point = pick({0, 255, int32_t(rng() % 256)});
    q.round_before_residual = true;
    if (it % 3 == 0) {   // any shifts and multipliers, saturating or not
      q.requant = {int32_t(rng() >> 1), 1 + int32_t(rng() % 62)};
      q.conv_multiplier = int32_t(rng() >> (1 + rng() % 31));
      q.residual_multiplier = int32_t(rng() >> (1 + rng() % 31));
      q.add_shift = 1 + int32_t(rng() % 62);
    } else {
      sensible_round_first(q, rng);
    }
    if (rng() % 3 == 0) q.output_min = q.output_zero_point;   // Relu
    if (rng() % 4 == 0) q.output_max = std::max(q.output_min, 128 + int32_t(rng() % 128));
    const size_t in_n = size_t(s.in_h) * s.in_w * s.in_c, out_n = size_t(s.out_h) * s.out_w * s.out_c;
    std::vector<uint8_t> x(in_n), r(out_n), c(out_n), want(out_n), got(out_n);
    std::vector<int8_t> w(size_t(s.out_c) * s.in_c * k * k);
    std::vector<int32_t> bias(size_t(s.out_c));
    for (uint8_t& v : x) v = uint8_t(rng());
    for (uint8_t& v : r) v = uint8_t(rng());
    for (int8_t& v : w) v = int8_t(rng());
    for (int32_t& v : bias) v = int32_t(rng() % (1 << 21)) - (1 << 20);
    kernels::qconv_nhwc(q, x.data(), w.data(), bias.data(), r.data(), got.data());

    QConvParams conv = q;   // the conv into c alone
    conv.round_before_residual = false;
    conv.output_zero_point = q.conv_zero_point;
    conv.output_min = 0;
    conv.output_max = 255;
    kernels::qconv_nhwc(conv, x.data(), w.data(), bias.data(), nullptr, c.data());
    kernels::QAddParams add;
    add.a_zero_point = q.conv_zero_point;
    add.b_zero_point = q.residual_zero_point;
    add.output_zero_point = q.output_zero_point;
    add.a_multiplier = q.conv_multiplier;
    add.b_multiplier = q.residual_multiplier;
    add.shift = q.add_shift;
    add.output_min = q.output_min;
    add.output_max = q.output_max;
    kernels::add_qu8_ref(int64_t(out_n), c.data(), r.data(), want.data(), add);
    for (size_t j = 0; j < out_n; ++j) ASSERT_EQ(int(got[j]), int(want[j])) << "it " << it << " element " << j;
  }
}

// By hand, on a 1x1 single tap: c is rounded (half up) and clamped to [0, 255] before the
// Add, which rounds again; fusing without the first rounding would give other codes.
TEST(QConvReference, RoundBeforeResidualByHand) {
  QConvParams q;
  q.shape = shape(1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0);
  q.requant = {1 << 30, 31};   // c = zc + round(acc / 2)
  q.round_before_residual = true;
  q.conv_zero_point = 250;
  q.conv_multiplier = 3 << 28;   // add_shift 30: (c - zc) * 0.75
  q.residual_multiplier = 1 << 29;   // (r - zr) * 0.5
  q.add_shift = 30;
  q.residual_zero_point = 8;
  q.output_zero_point = 100;
  const int8_t w = 1;
  auto y = [&](int32_t bias, uint8_t r) {
    const uint8_t x = 0;
    uint8_t out = 0;
    kernels::qconv_nhwc(q, &x, &w, &bias, &r, &out);
    return int(out);
  };
  EXPECT_EQ(y(3, 8), 102);     // c = 250 + round(1.5) = 252; 100 + round(2 * 0.75) = 102 (not 1.125 -> 101)
  EXPECT_EQ(y(-3, 8), 99);     // c = 250 + round(-1.5) = 249; 100 + round(-0.75) = 99
  EXPECT_EQ(y(20, 8), 104);    // c = 260 clamps to 255: 100 + round(5 * 0.75 = 3.75) = 104
  EXPECT_EQ(y(20, 13), 106);   // + (13 - 8) * 0.5: 3.75 + 2.5 = 6.25 -> 106
}

TEST(QConvVariants, RoundBeforeResidualRandomShapes) {
  std::mt19937 rng(5151);
  auto pick = [&](std::initializer_list<int32_t> l) { return *(l.begin() + rng() % l.size()); };
  for (int it = 0; it < 100; ++it) {
    Case c;
    c.seed = 12000 + uint32_t(it);
    const int32_t kh = pick({1, 3, 5, 3}), kw = rng() % 4 == 0 ? pick({1, 3, 2}) : kh;
    const int32_t sh = pick({1, 2, 1}), sw = rng() % 4 == 0 ? pick({1, 2}) : sh;
    const int32_t dh = rng() % 6 == 0 ? 2 : 1, dw = rng() % 6 == 0 ? 2 : 1;
    const int32_t in_c = pick({1, 3, 8, 16, 17, 32, 33, 64});
    const int32_t out_c = pick({1, 8, 10, 16, 17, 32, 33, 48, 64, 65});
    auto pad = [&](int32_t k) { return int32_t(rng() % uint32_t(k)); };
    c.q.shape = shape(1 + int32_t(rng() % 12), 1 + int32_t(rng() % 20), in_c, out_c, kh, kw, sh, sw, pad(kh), pad(kw),
                      pad(kh), pad(kw), dh, dw);
    if (c.q.shape.out_h < 1 || c.q.shape.out_w < 1) continue;
    c.q.input_zero_point = pick({0, 255, int32_t(rng() % 256)});
    c.q.weight_zero_point = pick({0, 0, -128, 127, int32_t(rng() % 256) - 128});
    c.q.output_zero_point = pick({0, 255, int32_t(rng() % 256)});
    c.q.conv_zero_point = pick({0, 255, int32_t(rng() % 256)});
    c.q.residual_zero_point = pick({0, 255, int32_t(rng() % 256)});
    c.residual = true;
    c.bias = rng() % 5 != 0;
    c.batch = rng() % 5 == 0 ? 3 : 1;
    c.split = rng() % 3 == 0 ? int32_t(rng() % uint32_t(c.q.shape.out_h + 1)) : -1;
    sensible_round_first(c.q, rng);
    if (rng() % 2 == 0) c.q.output_min = c.q.output_zero_point;   // Relu
    check(c);
  }
}

// ResNet8's residual convs (3x3, stride 1, in_c = out_c) with the parameters of both weight
// schemes, Relu, batches and row splits.
TEST(QConvVariants, RoundBeforeResidualResNet8Layers) {
  uint32_t seed = 13000;
  for (const Layer& l : kResNet8) {
    if (!(l.k == 3 && l.stride == 1 && l.in_c == l.out_c)) continue;
    for (int32_t zw : {0, -128}) {
      Case c;
      c.seed = ++seed;
      c.q.shape = shape(l.hw, l.hw, l.in_c, l.out_c, 3, 3, 1, 1, 1, 1, 1, 1);
      c.q.input_zero_point = zw == 0 ? 0 : 131;
      c.q.weight_zero_point = zw;
      c.q.conv_zero_point = 119;
      c.q.residual_zero_point = 0;
      c.q.output_zero_point = 0;
      c.q.output_min = 0;   // Relu at zero point 0
      c.residual = true;
      c.batch = 5;
      c.split = c.q.shape.out_h / 3;
      std::mt19937 rng(c.seed);
      sensible_round_first(c.q, rng);
      check(c);
    }
  }
}

// Every add shift from 1 to 62 with multipliers over their whole range (outputs saturate at
// small shifts and round to the zero point at large ones), and both conv epilogue paths (M
// below and above 1/2); shifts 9/10 and 52/53 cross the SIMD fast path's bounds.
TEST(QConvVariants, RoundBeforeResidualShifts) {
  std::mt19937 rng(78);
  for (int32_t shift = 1; shift <= 62; ++shift) {
    for (int wide = 0; wide < 2; ++wide) {
      Case c;
      c.seed = 14000 + uint32_t(shift) * 2 + uint32_t(wide);
      c.q.shape = shape(5, 9, 19, 21, 3, 3, 1, 1, 1, 1, 1, 1);
      c.q.input_zero_point = 77;
      c.q.weight_zero_point = shift % 3 == 0 ? -9 : 0;
      c.q.output_zero_point = int32_t(rng() % 256);
      c.q.conv_zero_point = int32_t(rng() % 256);
      c.q.residual_zero_point = int32_t(rng() % 256);
      c.residual = true;
      std::mt19937 r2(c.seed);
      sensible_round_first(c.q, r2);
      if (wide) c.q.requant = {int32_t(rng() >> 1), 1 + int32_t(rng() % 62)};   // any conv epilogue
      c.q.add_shift = shift;
      const int32_t bits = wide ? 31 : std::min(31, std::max(1, shift - 1));
      c.q.conv_multiplier = int32_t(rng() >> (32 - bits));
      c.q.residual_multiplier = int32_t(rng() >> (32 - bits));
      check(c);
    }
  }
}

// Extreme zero points (c, residual, output) with the conv saturating c at both ends and the
// residual pinned at its extremes.
TEST(QConvVariants, RoundBeforeResidualExtremeZeroPoints) {
  uint32_t seed = 15000;
  for (int32_t zc : {0, 255})
    for (int32_t zr : {0, 255})
      for (int32_t zy : {0, 255})
        for (int values = 0; values < 3; ++values) {
          Case c;
          c.seed = ++seed;
          c.q.shape = shape(6, 7, 35, 18, 3, 3, 1, 1, 1, 1, 1, 1);
          c.q.input_zero_point = values == 2 ? 255 : 0;
          c.q.weight_zero_point = values == 1 ? 127 : 0;
          c.q.output_zero_point = zy;
          c.q.conv_zero_point = zc;
          c.q.residual_zero_point = zr;
          c.residual = true;
          c.r_lo = c.r_hi = 255 - zr;
          if (values == 0) {   // acc as large as it gets: c saturates
            c.x_lo = c.x_hi = 255;
            c.w_lo = c.w_hi = zc == 0 ? -128 : 127;
          }
          std::mt19937 rng(c.seed);
          sensible_round_first(c.q, rng);
          if (values == 0) c.q.requant = {1 << 30, 20};
          check(c);
        }
}

TEST(QConvVariants, SupportsEveryValidShape) {
  QConvParams q;
  q.shape = shape(5, 5, 3, 3, 3, 3, 2, 1, 2, 0, 2, 0, 2, 1);
  q.requant = {1 << 30, 40};
  for (const kernels::KernelVariant* v : runnable()) EXPECT_TRUE(v->qconv->supports(q)) << v->name;
  q.shape.in_c = 0;
  for (const kernels::KernelVariant* v : runnable()) EXPECT_FALSE(v->qconv->supports(q)) << v->name;
}

}  // namespace
}  // namespace octet
