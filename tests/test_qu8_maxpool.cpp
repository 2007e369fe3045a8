// The int8 max pool kernels (kernels/int8/maxpool.h) against their oracle
// (kernels/reference/qmaxpool.h) on random shapes and codes: odd channel counts (tails of
// every vector width), strides 1 to 3, asymmetric padding, dilation, ceil_mode's extra row and
// column, windows wholly in the padding, with and without a requantisation table, row ranges;
// the oracle against hand values; the requantisation table against ONNX's formulas.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "kernel_variants_util.h"
#include "kernels/reference/qmaxpool.h"

namespace octet {
namespace {

kernels::PoolNhwcParams shape(int32_t in_h, int32_t in_w, int32_t channels, int32_t k, int32_t stride,
                              int32_t dilation, int32_t pt, int32_t pl, int32_t pb, int32_t pr, bool ceil_mode) {
  kernels::PoolNhwcParams p;
  p.in_h = in_h, p.in_w = in_w, p.channels = channels;
  p.kernel_h = p.kernel_w = k;
  p.stride_h = p.stride_w = stride;
  p.dilation_h = p.dilation_w = dilation;
  p.pad_top = pt, p.pad_left = pl, p.pad_bottom = pb, p.pad_right = pr;
  auto out = [&](int32_t in, int32_t a, int32_t b) {
    const int32_t span = in + a + b - dilation * (k - 1) - 1;
    return (ceil_mode ? (span + stride - 1) / stride : span / stride) + 1;
  };
  p.out_h = out(in_h, pt, pb);
  p.out_w = out(in_w, pl, pr);
  return p;
}

std::vector<uint8_t> random_codes(size_t n, uint32_t seed, int lo, int hi) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> d(lo, hi);
  std::vector<uint8_t> v(n);
  for (uint8_t& x : v) x = static_cast<uint8_t>(d(rng));
  return v;
}

TEST(QU8MaxPoolReference, HandValues) {
  // 1 channel, 3x3 input, 2x2 kernel stride 1, pad 1 on the top and left only: the first
  // window holds one tap, the padding never wins over code 0.
  const kernels::PoolNhwcParams p = shape(3, 3, 1, 2, 1, 1, 1, 1, 0, 0, false);
  ASSERT_EQ(p.out_h, 3);
  const std::vector<uint8_t> in{0, 7, 3,   //
                                9, 1, 2,   //
                                4, 8, 5};
  std::vector<uint8_t> out(9, 99);
  kernels::max_pool_qu8_nhwc_ref(p, nullptr, in.data(), out.data(), 0, p.out_h);
  EXPECT_EQ(out, (std::vector<uint8_t>{0, 7, 7, 9, 9, 7, 9, 9, 8}));
  uint8_t table[256];
  for (int i = 0; i < 256; ++i) table[i] = static_cast<uint8_t>(255 - i);
  kernels::max_pool_qu8_nhwc_ref(p, table, in.data(), out.data(), 0, p.out_h);
  EXPECT_EQ(out, (std::vector<uint8_t>{255, 248, 248, 246, 246, 248, 246, 246, 247}));
}

TEST(QU8MaxPoolReference, WindowWhollyInThePaddingWritesZero) {
  // A 1x1 input, kernel 2 with dilation 2 and pad 1: the taps -1 and 1 are both outside, so
  // the window is all padding; float MaxPool's lowest value quantizes to 0, whatever the table.
  const kernels::PoolNhwcParams p = shape(1, 1, 3, 2, 1, 2, 1, 1, 1, 1, false);
  ASSERT_EQ(p.out_h, 1);
  const std::vector<uint8_t> in{5, 6, 7};
  std::vector<uint8_t> out(3, 99);
  uint8_t table[256];
  for (int i = 0; i < 256; ++i) table[i] = 200;
  kernels::max_pool_qu8_nhwc_ref(p, table, in.data(), out.data(), 0, 1);
  EXPECT_EQ(out, (std::vector<uint8_t>{0, 0, 0}));
}

TEST(QU8RequantTable, IdentityForEqualParametersAndOnnxFormulasOtherwise) {
  uint8_t table[256];
  for (float s : {1e-4f, 0.0173f, 0.1f, 3.7f})
    for (int32_t zp : {0, 1, 128, 255}) EXPECT_TRUE(kernels::requantize_table_qu8(s, zp, s, zp, table));
  EXPECT_FALSE(kernels::requantize_table_qu8(0.02f, 100, 0.05f, 10, table));
  for (int c = 0; c < 256; ++c) {
    const float x = static_cast<float>(c - 100) * 0.02f;
    const float q = std::nearbyint(x / 0.05f) + 10.f;
    EXPECT_EQ(table[c], static_cast<uint8_t>(q < 0 ? 0 : q > 255 ? 255 : q)) << c;
  }
  // Ties go to even: (c - 0) * 0.5 / 1.0 = 0.5, 1.5, 2.5 -> 0, 2, 2.
  kernels::requantize_table_qu8(0.5f, 0, 1.f, 0, table);
  EXPECT_EQ(table[1], 0);
  EXPECT_EQ(table[3], 2);
  EXPECT_EQ(table[5], 2);
  // Saturation at both ends.
  kernels::requantize_table_qu8(1.f, 128, 0.25f, 128, table);
  EXPECT_EQ(table[0], 0);
  EXPECT_EQ(table[255], 255);
  EXPECT_EQ(table[129], 132);
}

struct Case {
  kernels::PoolNhwcParams p;
  std::string what;
};

std::vector<Case> cases() {
  std::vector<Case> out;
  out.push_back({shape(111, 111, 64, 3, 2, 1, 0, 0, 0, 0, true), "squeezenet ceil_mode"});
  out.push_back({shape(112, 112, 64, 3, 2, 1, 1, 1, 1, 1, false), "resnet stem"});
  out.push_back({shape(13, 11, 200, 3, 2, 1, 1, 0, 0, 1, true), "asymmetric pads, 200 channels"});
  out.push_back({shape(9, 10, 1, 2, 2, 1, 0, 0, 0, 0, false), "1 channel"});
  out.push_back({shape(8, 7, 129, 3, 1, 2, 2, 1, 2, 3, false), "dilation 2, 129 channels"});
  out.push_back({shape(10, 10, 37, 5, 3, 1, 2, 2, 2, 2, true), "5x5 stride 3"});
  out.push_back({shape(6, 6, 95, 1, 2, 1, 0, 0, 0, 0, false), "1x1 stride 2"});
  out.push_back({shape(4, 5, 7, 3, 2, 2, 2, 2, 2, 2, true), "windows in the padding"});
  // Rows of 13 and 14 whole windows: the interior's groups of 4 pixels end with 1 and 2 left.
  out.push_back({shape(6, 15, 70, 3, 1, 1, 0, 0, 0, 0, false), "13 whole windows a row"});
  out.push_back({shape(5, 16, 130, 3, 1, 1, 1, 0, 0, 0, false), "14 whole windows a row"});
  std::mt19937 rng(17);
  for (int i = 0; i < 12; ++i) {
    const int32_t k = 1 + int32_t(rng() % 4), stride = 1 + int32_t(rng() % 3), dil = 1 + int32_t(rng() % 2);
    const int32_t pad = k > 1 ? int32_t(rng() % uint32_t(k)) : 0;
    const int32_t in_h = dil * (k - 1) + 1 + int32_t(rng() % 9), in_w = dil * (k - 1) + 1 + int32_t(rng() % 9);
    out.push_back({shape(in_h, in_w, 1 + int32_t(rng() % 150), k, stride, dil, pad, int32_t(rng() % uint32_t(pad + 1)),
                         int32_t(rng() % uint32_t(pad + 1)), pad, rng() % 2 == 0),
                   "random " + std::to_string(i)});
  }
  return out;
}

class QU8MaxPool : public ::testing::TestWithParam<kernel_test::VariantParam> {};

TEST_P(QU8MaxPool, BitExactWithTheReference) {
  const kernels::KernelVariant& v = *GetParam().v;
  if (!v.supported()) GTEST_SKIP() << "CPU lacks " << kernels::isa_name(v.isa);
  uint8_t table[256];
  kernels::requantize_table_qu8(0.031f, 121, 0.047f, 3, table);
  uint32_t seed = 1;
  for (const Case& c : cases()) {
    SCOPED_TRACE(c.what);
    const kernels::PoolNhwcParams& p = c.p;
    const size_t out_n = size_t(p.out_h) * p.out_w * p.channels;
    // Random codes, and codes that sit near 0 and 255 (the maxima's identity and saturation).
    for (auto [lo, hi] : {std::pair{0, 255}, std::pair{0, 3}, std::pair{250, 255}}) {
      const std::vector<uint8_t> in = random_codes(size_t(p.in_h) * p.in_w * p.channels, seed++, lo, hi);
      for (const uint8_t* t : {static_cast<const uint8_t*>(nullptr), static_cast<const uint8_t*>(table)}) {
        std::vector<uint8_t> want(out_n, 0xAB), got(out_n + 64, 0xCD);
        kernels::max_pool_qu8_nhwc_ref(p, t, in.data(), want.data(), 0, p.out_h);
        // In two row ranges, as threads split it.
        const int32_t mid = p.out_h / 2;
        v.qmaxpool->run(p, t, in.data(), got.data(), 0, mid);
        v.qmaxpool->run(p, t, in.data(), got.data(), mid, p.out_h);
        for (size_t i = out_n; i < got.size(); ++i) ASSERT_EQ(got[i], 0xCD) << "wrote past the output";
        got.resize(out_n);
        ASSERT_EQ(got, want) << (t ? "with table" : "no table") << " codes [" << lo << ", " << hi << "]";
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Variants, QU8MaxPool,
                         ::testing::ValuesIn(kernel_test::variant_params(kernels::KernelFamily::MaxPoolQU8)),
                         kernel_test::isa_param_name);

}  // namespace
}  // namespace octet
