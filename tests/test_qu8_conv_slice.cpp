// int8 NHWC convolution (kernels/int8/conv_*) writing into a Concat's slice: output pixels
// QConvParams::output_pixel_stride apart, each code through output_table (the Concat's
// requantisation of that input), as engine/qconv_into_concat.h plans it. Every qu8_conv
// variant this CPU runs against the scalar oracle, bit for bit, with the bytes outside the
// slice untouched (tests/qu8_conv_test_util.h): odd channel counts, stride 2, asymmetric
// padding, batch 1 and 7, rows in pieces, the packed 64-byte stores (whole vectors of 16
// channels); and the oracle against the dense conv followed by the concat slice step's own
// arithmetic.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "kernels/reference/qmaxpool.h"
#include "qu8_conv_test_util.h"

namespace octet::qu8_conv_test {
namespace {

std::vector<uint8_t> random_table(uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> t(256);
  for (uint8_t& v : t) v = uint8_t(rng());
  return t;
}

// The oracle writing into a slice through a table gives what the dense conv and then the
// Concat's slice step (QConcatSliceStep: table[c] into [offset, offset + out_c) of each row)
// give, with the table the compiler builds (requantize_table_qu8), and leaves the rest.
TEST(QConvReference, SliceAndTableAreTheConvThenTheConcatSlice) {
  std::mt19937 rng(77);
  for (int it = 0; it < 30; ++it) {
    QConvParams q;
    const int32_t k = 1 + 2 * int32_t(rng() % 2), st = 1 + int32_t(rng() % 2);
    q.shape = shape(3 + int32_t(rng() % 6), 3 + int32_t(rng() % 6), 1 + int32_t(rng() % 9), 1 + int32_t(rng() % 20), k,
                    k, st, st, int32_t(rng() % k), int32_t(rng() % k), 0, int32_t(rng() % k));
    const ConvNhwcParams& s = q.shape;
    q.input_zero_point = int32_t(rng() % 256);
    q.weight_zero_point = int32_t(rng() % 7) - 3;
    q.output_zero_point = int32_t(rng() % 256);
    sensible_requant(q, rng);
    const int32_t before = int32_t(rng() % 5), after = int32_t(rng() % 5), row = before + s.out_c + after;
    std::vector<uint8_t> table(256);
    const bool tabled = rng() % 3 != 0;
    if (tabled)
      kernels::requantize_table_qu8(0.03f + float(rng() % 100) * 1e-4f, int32_t(rng() % 256), 0.04f,
                                    int32_t(rng() % 256), table.data());
    const size_t pixels = size_t(s.out_h) * s.out_w;
    std::vector<uint8_t> x(size_t(s.in_h) * s.in_w * s.in_c);
    std::vector<int8_t> w(size_t(s.out_c) * s.in_c * k * k);
    std::vector<int32_t> bias(size_t(s.out_c));
    for (uint8_t& v : x) v = uint8_t(rng());
    for (int8_t& v : w) v = int8_t(rng());
    for (int32_t& v : bias) v = int32_t(rng() % 20001) - 10000;
    std::vector<uint8_t> dense(pixels * s.out_c), want(pixels * row, 7), got(pixels * row, 7);
    kernels::qconv_nhwc(q, x.data(), w.data(), bias.data(), nullptr, dense.data());
    for (size_t p = 0; p < pixels; ++p)
      for (int32_t c = 0; c < s.out_c; ++c) {
        const uint8_t v = dense[p * s.out_c + c];
        want[p * row + before + c] = tabled ? table[v] : v;
      }
    q.output_pixel_stride = row;
    q.has_output_table = tabled;
    q.output_table = tabled ? table.data() : nullptr;
    kernels::qconv_nhwc(q, x.data(), w.data(), bias.data(), nullptr, got.data() + before);
    ASSERT_EQ(got, want) << "it " << it;
  }
}

// A slice case: `extra` channels of other inputs around the conv's, split before / after.
Case slice_case(ConvNhwcParams s, int32_t before, int32_t after, bool table, uint32_t seed) {
  Case c;
  c.q.shape = s;
  c.seed = seed;
  c.out_offset = before;
  c.out_stride = before + s.out_c + after;
  if (table) c.table = random_table(seed * 31 + 5);
  c.q.input_zero_point = int32_t(seed * 37 % 256);
  c.q.weight_zero_point = seed % 3 == 0 ? 0 : int32_t(seed % 11) - 5;
  c.q.output_zero_point = int32_t(seed * 53 % 256);
  seeded_requant(c);
  return c;
}

TEST(QConvVariants, ConcatSliceOddChannelsStridesPadding) {
  uint32_t seed = 500;
  for (int32_t in_c : {1, 3, 17})
    for (int32_t out_c : {1, 10, 17, 33})
      for (int32_t k : {1, 3})
        for (int32_t stride : {1, 2}) {
          // Asymmetric padding: before = k / 2, after = 0.
          const ConvNhwcParams s = shape(9, 8, in_c, out_c, k, k, stride, stride, k / 2, k / 2, 0, 0);
          Case c = slice_case(s, int32_t(seed % 3) * 5, int32_t(seed % 2) * 7 + 1, seed % 2 == 0, seed);
          c.batch = seed % 4 == 0 ? 7 : 1;
          c.split = seed % 5 == 0 ? 3 : -1;
          ++seed;
          check(c);
        }
}

// Whole vectors of 16 channels (the packed stores: a pixel's 64 channels in one store) and
// SqueezeNet's Fire shapes: expand1x1 and expand3x3 into the two halves of their Concat.
TEST(QConvVariants, ConcatSliceWholeVectors) {
  uint32_t seed = 700;
  for (int32_t out_c : {16, 32, 48, 64, 128, 192})
    for (int32_t k : {1, 3})
      for (bool table : {false, true})
        for (bool second : {false, true}) {
          const ConvNhwcParams s = shape(13, 13, 32, out_c, k, k, 1, 1, k / 2, k / 2, k / 2, k / 2);
          Case c = slice_case(s, second ? out_c : 0, second ? 0 : out_c, table, ++seed);
          c.batch = seed % 3 == 0 ? 7 : 1;
          check(c);
        }
}

TEST(QConvVariants, ConcatSliceRandomShapes) {
  std::mt19937 rng(4242);
  auto pick = [&](std::initializer_list<int32_t> l) { return *(l.begin() + rng() % l.size()); };
  for (int it = 0; it < 80; ++it) {
    const int32_t kh = pick({1, 3, 5, 2}), kw = rng() % 4 == 0 ? pick({1, 3}) : kh;
    const int32_t sh = pick({1, 2, 1, 3}), sw = rng() % 4 == 0 ? pick({1, 2}) : sh;
    const int32_t in_c = pick({1, 3, 4, 5, 8, 16, 17, 32, 33, 64});
    const int32_t out_c = pick({1, 8, 10, 16, 17, 31, 32, 33, 48, 64, 65, 100});
    auto pad = [&](int32_t k) { return int32_t(rng() % uint32_t(k)); };
    ConvNhwcParams s = shape(1 + int32_t(rng() % 12), 1 + int32_t(rng() % 20), in_c, out_c, kh, kw, sh, sw, pad(kh),
                             pad(kw), pad(kh), pad(kw));
    if (s.out_h < 1 || s.out_w < 1) continue;
    Case c = slice_case(s, int32_t(rng() % 70), int32_t(rng() % 70), rng() % 2 == 0, 2000 + uint32_t(it));
    c.batch = rng() % 5 == 0 ? 7 : 1;
    c.bias = rng() % 5 != 0;
    c.split = rng() % 3 == 0 ? int32_t(rng() % uint32_t(s.out_h + 1)) : -1;
    random_clamp(c.q, rng);
    check(c);
  }
}

// Per-channel scales, and outputs over the whole code range (every table entry read).
TEST(QConvVariants, ConcatSlicePerChannelAndEveryCode) {
  uint32_t seed = 900;
  for (int32_t out_c : {7, 64})
    for (float spread : {1.f, 50.f}) {
      Case c = slice_case(shape(11, 9, 24, out_c, 3, 3, 1, 1, 1, 1, 1, 1), 5, 11, true, ++seed);
      std::mt19937 rng(seed);
      for (int32_t i = 0; i < out_c; ++i) c.scales.push_back(sensible_scale(c.q.shape, rng) * spread);
      c.batch = 7;
      check(c);
    }
}

// A residual needs a dense output without a table (conv.h): every variant refuses the rest.
TEST(QConvVariants, ConcatSliceRefusedWithResidual) {
  QConvParams q;
  q.shape = shape(5, 5, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1);
  q.round_before_residual = true;
  for (const kernels::KernelVariant* v : runnable()) {
    SCOPED_TRACE(v->name);
    q.output_pixel_stride = 0, q.has_output_table = false;
    EXPECT_TRUE(v->qconv->supports(q));
    q.output_pixel_stride = 16;
    EXPECT_FALSE(v->qconv->supports(q));
    q.output_pixel_stride = 8, q.has_output_table = true;
    EXPECT_FALSE(v->qconv->supports(q));
    q.round_before_residual = false, q.output_pixel_stride = 7, q.has_output_table = false;
    EXPECT_FALSE(v->qconv->supports(q)) << "pixels closer than out_c";
    q.round_before_residual = true;
  }
}

}  // namespace
}  // namespace octet::qu8_conv_test
