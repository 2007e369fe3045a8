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
};

std::string describe(const Case& c) {
  const ConvNhwcParams& s = c.q.shape;
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "in %dx%dx%d out %dx%dx%d k %dx%d s %dx%d d %dx%d pad %d,%d batch %d res %d bias %d split %d "
                "zx %d zw %d zy %d [%d,%d] m %d s %d mr %d zr %d seed %u",
                s.in_h, s.in_w, s.in_c, s.out_h, s.out_w, s.out_c, s.kernel_h, s.kernel_w, s.stride_h, s.stride_w,
                s.dilation_h, s.dilation_w, s.pad_top, s.pad_left, c.batch, c.residual, c.bias, c.split,
                c.q.input_zero_point, c.q.weight_zero_point, c.q.output_zero_point, c.q.output_min, c.q.output_max,
                c.q.requant.multiplier, c.q.requant.shift, c.q.residual_multiplier, c.q.residual_zero_point, c.seed);
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
  std::uniform_int_distribution<int32_t> dx(c.x_lo, c.x_hi), dw(c.w_lo, c.w_hi), dr(0, 255),
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
      const uint8_t* x = input.data() + i * in_n;
      const uint8_t* r = c.residual ? residual.data() + i * out_n : nullptr;
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
