// int8 NHWC depthwise convolution (kernels/int8/dwconv_*): every qu8_dwconv variant this CPU
// runs against the scalar oracle qdwconv_nhwc, bit for bit, on random shapes (odd channel
// counts, 3x3 / 5x5 / non-square kernels, stride 1 and 2, dilation, asymmetric padding),
// batches of 1 and 7 images through one packed weight buffer, output rows computed in pieces,
// per-tensor and per-channel float scales, weight zero points, clamps, accumulators over all of
// int32 and the float epilogue's edges (tiny, huge and zero scales, accumulators past 2^24
// where float(acc) rounds, ties to even). The oracle itself is checked against the FP32
// reference convolution with groups == channels, and its requantisation against ONNX
// Runtime's rule worked by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "kernel_variants_util.h"
#include "kernels/reference/conv.h"
#include "kernels/reference/qdwconv.h"
#include "qu8_conv_test_util.h"

namespace octet {
namespace {

using kernels::ConvNhwcParams;
using kernels::QConvParams;
using qu8_conv_test::shape;

size_t input_bytes(const ConvNhwcParams& s) { return size_t(s.in_h) * s.in_w * s.in_c; }
size_t output_bytes(const ConvNhwcParams& s) { return size_t(s.out_h) * s.out_w * s.out_c; }
size_t weight_count(const ConvNhwcParams& s) { return size_t(s.out_c) * s.kernel_h * s.kernel_w; }

// With scale 1 and small values, y = zy + acc exactly: the oracle's window
// walk against the FP32 grouped reference on (x - zx) and (w - zw).
TEST(QDwConvReference, MatchesFloatDepthwiseConvolution) {
  std::mt19937 rng(5);
  for (int it = 0; it < 40; ++it) {
    const int32_t k = 1 + 2 * int32_t(rng() % 3), st = 1 + int32_t(rng() % 2), dl = 1 + int32_t(rng() % 2);
    const int32_t c = 1 + int32_t(rng() % 9);
    QConvParams q;
    q.shape = shape(3 + int32_t(rng() % 7), 3 + int32_t(rng() % 7), c, c, k, k, st, st, int32_t(rng() % k),
                    int32_t(rng() % k), int32_t(rng() % k), int32_t(rng() % k), dl, dl);
    const ConvNhwcParams& s = q.shape;
    if (s.out_h < 1 || s.out_w < 1) continue;
    q.input_zero_point = 100;
    q.weight_zero_point = 3;
    q.output_zero_point = 128;
    q.scale = 1.0f;
    std::vector<uint8_t> x(input_bytes(s)), got(output_bytes(s));
    std::vector<int8_t> w(weight_count(s));
    std::vector<int32_t> bias(size_t(s.out_c));
    for (uint8_t& v : x) v = uint8_t(98 + rng() % 5);   // x - zx in [-2, 2]
    for (int8_t& v : w) v = int8_t(1 + rng() % 5);       // w - zw in [-2, 2]
    for (int32_t& v : bias) v = int32_t(rng() % 11) - 5;
    kernels::qdwconv_nhwc(q, x.data(), w.data(), bias.data(), got.data(), 0, s.out_h);

    kernels::ConvParams f;
    f.in_channels = f.out_channels = f.groups = c;
    f.in = {1, s.in_h, s.in_w};
    f.out = {1, s.out_h, s.out_w};
    f.kernel = {1, k, k};
    f.stride = {1, st, st};
    f.dilation = {1, dl, dl};
    f.pad_begin = {0, s.pad_top, s.pad_left};
    std::vector<float> xf(x.size()), wf(w.size()), bf(bias.begin(), bias.end()), yf(got.size());
    for (int32_t h = 0; h < s.in_h; ++h)   // NHWC -> NCHW
      for (int32_t ww = 0; ww < s.in_w; ++ww)
        for (int32_t ch = 0; ch < c; ++ch)
          xf[(size_t(ch) * s.in_h + h) * s.in_w + ww] = float(x[(size_t(h) * s.in_w + ww) * c + ch] - 100);
    for (size_t i = 0; i < w.size(); ++i) wf[i] = float(w[i] - 3);
    kernels::conv_f32_ref(f, xf.data(), wf.data(), bf.data(), yf.data());
    for (int32_t ch = 0; ch < c; ++ch)
      for (int32_t h = 0; h < s.out_h; ++h)
        for (int32_t ww = 0; ww < s.out_w; ++ww)
          ASSERT_EQ(int(got[(size_t(h) * s.out_w + ww) * c + ch]),
                    128 + int32_t(yf[(size_t(ch) * s.out_h + h) * s.out_w + ww]))
              << "it " << it;
  }
}

struct Case {
  QConvParams q;
  std::vector<float> scales;   // per channel, or empty
  int batch = 1;
  uint32_t seed = 0;
  bool any_bias = false;   // biases over all of int32 (accumulators near the wrap), else +-100000
  // Or, when not empty, these biases, with every input code at the input zero point (acc = bias).
  std::vector<int32_t> fixed_bias;
};

std::string describe(const Case& c) {
  const ConvNhwcParams& s = c.q.shape;
  return std::to_string(s.in_h) + "x" + std::to_string(s.in_w) + "x" + std::to_string(s.in_c) + " k" +
         std::to_string(s.kernel_h) + "x" + std::to_string(s.kernel_w) + " s" + std::to_string(s.stride_h) + " d" +
         std::to_string(s.dilation_h) + " pad " + std::to_string(s.pad_top) + "," + std::to_string(s.pad_left) +
         " -> " + std::to_string(s.out_h) + "x" + std::to_string(s.out_w) + " zx " +
         std::to_string(c.q.input_zero_point) + " zw " + std::to_string(c.q.weight_zero_point) + " scale " +
         std::to_string(c.q.scale) + " clamp [" +
         std::to_string(c.q.output_min) + "," + std::to_string(c.q.output_max) + "] batch " +
         std::to_string(c.batch) + (c.scales.empty() ? "" : " per-channel") + " seed " + std::to_string(c.seed);
}

// The u8s8 variant (kernels/int8/dwconv_u8s8_vnni.cpp) takes symmetric weights only, 3x3 and
// 5x5 kernels with column stride 1 or 2 and no column dilation, more than 16 channels; every
// other variant takes every depthwise layer.
bool expect_supported(const kernels::KernelVariant& v, const QConvParams& q) {
  if (std::string(v.name) != "qu8_dwconv_nhwc_u8s8_vnni") return true;
  const ConvNhwcParams& s = q.shape;
  return q.weight_zero_point == 0 && s.out_c > 16 && s.kernel_h == s.kernel_w && (s.kernel_h == 3 || s.kernel_h == 5) &&
         s.dilation_w == 1 && (s.stride_w == 1 || s.stride_w == 2);
}

// Cases each variant ran, by name (a test checks that a narrow variant met enough of them).
std::map<std::string, int>& cases_run() {
  static std::map<std::string, int> runs;
  return runs;
}

// A variant that checks its packed bytes accepts pack()'s and refuses any other accumulator
// bound (the int64 after the weights, dwconv_u8s8_pack.h); the bytes are left as they were.
void expect_packed_ok_refuses_edits(const kernels::QDwConvU8Kernel& k, const QConvParams& q, void* packed) {
  EXPECT_TRUE(k.packed_ok(q, packed));
  uint8_t* at = static_cast<uint8_t*>(packed) + k.packed_bytes(q) - sizeof(int64_t);
  int64_t bound;
  std::memcpy(&bound, at, sizeof bound);
  for (const int64_t other : {bound - 1, bound + 1, int64_t{0}}) {
    std::memcpy(at, &other, sizeof other);
    EXPECT_FALSE(k.packed_ok(q, packed)) << other;
  }
  std::memcpy(at, &bound, sizeof bound);
  // The u8s8 variant's shifted rows (dwconv_u8s8_pack.h: int32 bias' for the padded channels,
  // then per 64-channel block the unshifted groups and the shifted ones, [group][kernel_w][64
  // lanes][4 bytes]): slot 0 of block 0's first shifted group, lane 0, is 0 in pack()'s bytes;
  // a weight there (which the bound would not count) is refused.
  if (std::string(k.name) != "qu8_dwconv_nhwc_u8s8_vnni") return;
  const int32_t padded = (q.shape.out_c + 63) / 64 * 64, half = (q.shape.kernel_h + 3) / 4;
  int8_t* shifted = static_cast<int8_t*>(packed) + 4 * padded + 4 * 64 * half * q.shape.kernel_w;
  ASSERT_EQ(*shifted, 0);
  *shifted = 1;
  EXPECT_FALSE(k.packed_ok(q, packed));
  *shifted = 0;
  EXPECT_TRUE(k.packed_ok(q, packed));
}

// Every runnable variant against the oracle: the whole batch through one packed buffer, each
// image's rows in two pieces split at a random row. Returns the oracle's output.
std::vector<uint8_t> expect_variants_match(const Case& c) {
  SCOPED_TRACE(describe(c));
  QConvParams q = c.q;
  if (!c.scales.empty()) q.channel_scales = c.scales.data();
  const ConvNhwcParams& s = q.shape;
  std::mt19937 rng(c.seed);
  std::vector<uint8_t> x(input_bytes(s) * size_t(c.batch));
  std::vector<int8_t> w(weight_count(s));
  std::vector<int32_t> bias(size_t(s.out_c));
  for (uint8_t& v : x) v = c.fixed_bias.empty() ? uint8_t(rng()) : uint8_t(q.input_zero_point);
  for (int8_t& v : w) v = int8_t(rng());
  for (int32_t& v : bias) v = c.any_bias ? int32_t(rng()) : int32_t(rng() % 200001) - 100000;
  if (!c.fixed_bias.empty()) bias = c.fixed_bias;
  std::vector<uint8_t> want(output_bytes(s) * size_t(c.batch));
  for (int b = 0; b < c.batch; ++b)
    kernels::qdwconv_nhwc(q, x.data() + input_bytes(s) * size_t(b), w.data(), bias.data(),
                          want.data() + output_bytes(s) * size_t(b), 0, s.out_h);
  const std::vector<const kernels::KernelVariant*> variants = kernel_test::runnable(kernels::KernelFamily::DwConvQU8);
  EXPECT_FALSE(variants.empty());
  for (const kernels::KernelVariant* v : variants) {
    SCOPED_TRACE(v->name);
    const kernels::QDwConvU8Kernel& k = *v->qdwconv;
    EXPECT_EQ(k.supports(q), expect_supported(*v, q));
    if (!k.supports(q)) continue;
    ++cases_run()[v->name];
    std::vector<uint8_t> packed(k.packed_bytes(q) + 64);
    void* aligned = packed.data() + (64 - reinterpret_cast<uintptr_t>(packed.data()) % 64) % 64;
    k.pack(q, w.data(), bias.data(), aligned);
    if (k.packed_ok != nullptr) expect_packed_ok_refuses_edits(k, q, aligned);
    std::vector<uint8_t> got(want.size(), 0xA5);
    const int32_t split = int32_t(rng() % uint32_t(s.out_h + 1));
    for (int b = 0; b < c.batch; ++b) {
      const uint8_t* in = x.data() + input_bytes(s) * size_t(b);
      uint8_t* out = got.data() + output_bytes(s) * size_t(b);
      k.run(q, aligned, in, out, 0, split);
      k.run(q, aligned, in, out, split, s.out_h);
    }
    size_t bad = 0;
    for (size_t i = 0; i < want.size(); ++i) bad += got[i] != want[i];
    EXPECT_EQ(bad, 0u) << "first difference at byte " << [&] {
      size_t i = 0;
      while (i < want.size() && got[i] == want[i]) ++i;
      return i;
    }();
  }
  return want;
}

// A random case: channels 1..40 (odd counts, fewer and more than a vector), kernels 1..5 per
// axis, stride 1-2, dilation 1-2, asymmetric padding, random scales per tensor or channel.
// Symmetric: the u8s8 variant's layers instead (weight zero point 0, 3x3 or 5x5, 17..160
// channels: one to three 64-channel blocks and every tail), the rows' stride and dilation free,
// the columns' stride 1 or 2.
Case random_case(std::mt19937& rng, uint32_t seed, bool symmetric = false) {
  Case c;
  c.seed = seed;
  int32_t ch = 1 + int32_t(rng() % 40), kh = 1 + int32_t(rng() % 5), kw = rng() % 3 == 0 ? 1 + int32_t(rng() % 5) : kh;
  int32_t st = 1 + int32_t(rng() % 2), st_h = st, dl = rng() % 4 == 0 ? 2 : 1, dl_h = dl;
  if (symmetric) {
    ch = 17 + int32_t(rng() % 144);
    kh = kw = rng() % 2 ? 3 : 5;
    st_h = 1 + int32_t(rng() % 2);
    dl_h = rng() % 4 == 0 ? 2 : 1;
    dl = 1;
  }
  do {
    c.q.shape = shape(1 + int32_t(rng() % 17), 1 + int32_t(rng() % 17), ch, ch, kh, kw, st_h, st, int32_t(rng() % kh),
                      int32_t(rng() % kw), int32_t(rng() % kh), int32_t(rng() % kw), dl_h, dl);
  } while (c.q.shape.out_h < 1 || c.q.shape.out_w < 1);
  c.q.input_zero_point = int32_t(rng() % 256);
  c.q.weight_zero_point = symmetric || rng() % 2 ? 0 : int32_t(rng() % 256) - 128;
  c.q.output_zero_point = int32_t(rng() % 256);
  c.q.output_min = rng() % 2 ? 0 : int32_t(rng() % 100);
  c.q.output_max = rng() % 2 ? 255 : 155 + int32_t(rng() % 101);
  // s_in * s_w / s_out between 2^-14 and 2^-2.
  std::uniform_real_distribution<float> log2m(-14.0f, -2.0f);
  if (rng() % 2) {
    c.scales.resize(size_t(ch));
    for (float& r : c.scales) r = std::exp2(log2m(rng));
  } else {
    c.q.scale = std::exp2(log2m(rng));
  }
  c.batch = rng() % 2 ? 1 : 7;
  return c;
}

TEST(QDwConvVariants, RandomShapesMatchTheOracle) {
  std::mt19937 rng(2024);
  cases_run().clear();
  for (uint32_t i = 0; i < 300; ++i) expect_variants_match(random_case(rng, i));
  for (const kernels::KernelVariant* v : kernel_test::runnable(kernels::KernelFamily::DwConvQU8))
    EXPECT_GE(cases_run()[v->name], 10) << v->name;
}

TEST(QDwConvVariants, RandomSymmetricLayersMatchTheOracle) {
  std::mt19937 rng(2025);
  cases_run().clear();
  for (uint32_t i = 0; i < 200; ++i) expect_variants_match(random_case(rng, 20000 + i, true));
  for (const kernels::KernelVariant* v : kernel_test::runnable(kernels::KernelFamily::DwConvQU8))
    EXPECT_EQ(cases_run()[v->name], 200) << v->name;
}

// Symmetric weights (the u8s8 variant's layers): every width of its channel blocks (64, 32 and
// 16 channels, full and partial, several blocks), 3x3 and 5x5, stride 1 and 2 (the rows'
// stride and dilation free), asymmetric padding, input widths around its register block.
TEST(QDwConvVariants, SymmetricWeightsChannelBlocks) {
  uint32_t seed = 9900;
  for (int32_t ch : {1, 15, 16, 17, 31, 32, 33, 63, 64, 65, 96, 144, 200})
    for (int32_t k : {3, 5})
      for (int32_t stride : {1, 2}) {
        Case c;
        c.seed = ++seed;
        const int32_t w = 1 + int32_t(seed % 23), dh = seed % 5 == 0 ? 2 : 1, sh = seed % 7 == 0 ? 3 - stride : stride;
        c.q.shape = shape(9, w, ch, ch, k, k, sh, stride, k / 2, seed % 3, (k - 1) / 2, k - 1 - int32_t(seed % 3), dh, 1);
        if (c.q.shape.out_h < 1 || c.q.shape.out_w < 1) continue;
        c.q.input_zero_point = int32_t(seed * 37 % 256);
        c.q.output_zero_point = int32_t(seed * 11 % 256);
        c.q.output_min = seed % 2 ? 0 : 20;
        c.q.output_max = seed % 3 ? 255 : 230;
        for (int32_t i = 0; i < ch; ++i) c.scales.push_back(0.0005f + 0.00007f * float(i % 29));
        if (seed % 4 == 0) {
          c.q.scale = 0.003f;
          c.scales.clear();
        }
        c.any_bias = seed % 6 == 0;
        c.batch = seed % 3 == 0 ? 7 : 1;
        expect_variants_match(c);
      }
}

// MobileNet's layers: 3x3 stride 1 and 2 with symmetric padding, 5x5, a channel count that is
// not a multiple of any vector, per tensor and per channel.
// 32 channels, 3x3 at stride 1 (the u8s8 variant's pixel pairs): input widths 1..20 (odd and
// even interior runs, none at all), asymmetric padding, odd row counts, both clamp forms.
TEST(QDwConvVariants, ThirtyTwoChannelPixelPairs) {
  uint32_t seed = 9950;
  for (int32_t w = 1; w <= 20; ++w) {
    Case c;
    c.seed = ++seed;
    const int32_t pl = w % 3 == 0 ? 0 : 1, pr = w % 4 == 0 ? 2 : 1;
    c.q.shape = shape(5 + w % 4, w, 32, 32, 3, 3, 1, 1, 1, pl, w % 2, pr);
    if (c.q.shape.out_w < 1) continue;
    c.q.input_zero_point = int32_t(seed * 29 % 256);
    c.q.output_zero_point = int32_t(seed * 13 % 256);
    c.q.output_max = w % 2 ? 255 : 200;
    for (int32_t i = 0; i < 32; ++i) c.scales.push_back(0.001f + 0.0001f * float(i));
    c.any_bias = w % 5 == 0;
    c.batch = w % 3 == 0 ? 7 : 1;
    expect_variants_match(c);
  }
}

TEST(QDwConvVariants, MobileNetLayers) {
  uint32_t seed = 7000;
  for (int32_t k : {3, 5})
    for (int32_t stride : {1, 2})
      for (int32_t ch : {16, 72, 33})
        for (bool per_channel : {false, true}) {
          Case c;
          c.seed = ++seed;
          c.q.shape = shape(14, 14, ch, ch, k, k, stride, stride, k / 2, k / 2, k / 2, k / 2);
          c.q.input_zero_point = 3;
          c.q.output_zero_point = 0;   // a Relu merged into the range: y >= 0 by the clamp
          for (int32_t i = 0; i < ch; ++i) c.scales.push_back(0.002f + 0.0003f * float(i));
          if (!per_channel) {
            c.q.scale = c.scales[0];
            c.scales.clear();
          }
          c.batch = 7;
          expect_variants_match(c);
        }
}

// A 3x3 stride-1 pad-1 case of the epilogue tests below.
Case three_by_three(uint32_t seed, int32_t h, int32_t w, int32_t channels, int32_t input_zp, int32_t output_zp,
                    float scale, bool any_bias) {
  Case c;
  c.seed = seed;
  c.any_bias = any_bias;
  c.q.shape = shape(h, w, channels, channels, 3, 3, 1, 1, 1, 1, 1, 1);
  c.q.input_zero_point = input_zp;
  c.q.output_zero_point = output_zp;
  c.q.scale = scale;
  return c;
}

// Tiny, zero and huge scales: products far below one code, exactly 0, and past float's range
// (float(acc) * 1e30 is infinite for |acc| > 3.4e8, and the clamp still gives 0 or 255), with
// the extreme zero points and biases over all of int32.
TEST(QDwConvVariants, ExtremeScales) {
  uint32_t seed = 9000;
  for (float scale : {0.0f, 1e-40f, 1e-9f, 0.4999f, 3.0f, 1000.0f, 1e30f, 3e38f})
    for (bool any_bias : {false, true}) {
      for (int32_t zw : {-128, 0}) {   // 0: the u8s8 variant too
        Case c = three_by_three(++seed, 5, 6, 19, 255, 128, scale, any_bias);
        c.q.weight_zero_point = zw;
        const std::vector<uint8_t> y = expect_variants_match(c);
        if (scale == 0.0f) {
          for (uint8_t v : y) ASSERT_EQ(v, 128);   // 0 * acc = 0: the zero point
        }
      }
    }
}

// Accumulators over all of int32 (float(acc) rounds to 24 bits past 2^24), scales putting them
// across the whole code range, per tensor and per channel, with a clamp.
TEST(QDwConvVariants, LargeAccumulators) {
  uint32_t seed = 9500;
  for (float scale : {0x1p-24f, 0x1.8p-25f, 0x1p-31f, 0x1.3p-20f})
    for (bool per_channel : {false, true}) {
      Case c = three_by_three(++seed, 6, 9, 21, 7, 120, scale, true);
      c.q.output_min = 3;
      c.q.output_max = 250;
      if (per_channel)
        for (int32_t i = 0; i < 21; ++i) c.scales.push_back(scale * (1.0f + 0.0625f * float(i)));
      expect_variants_match(c);
    }
}

// ONNX Runtime's rule worked by hand: float(acc) first (24 bits), then the product rounded
// half to even. Every input code is the zero point, so acc = bias in every pixel, padding or
// not; each channel's (bias, scale) makes a tie:
//   2^24 + 1 -> float 2^24 (tie, even), * 5 * 2^-25 = 2.5 -> 2 (exactly: 2.5000001 -> 3)
//   -(2^24 + 1) -> -2.5 -> -2;  2^25 + 2 -> float 2^25, * 5 * 2^-26 = 2.5 -> 2
//   5 * 0.5 = 2.5 -> 2;  7 * 0.5 = 3.5 -> 4;  -7 * 0.5 -> -4;  3 * 0.5 = 1.5 -> 2;  -1 * 0.5 -> -0
TEST(QDwConvVariants, FloatAccumulatorAndTiesToEven) {
  const std::vector<int32_t> bias{(1 << 24) + 1, -((1 << 24) + 1), (1 << 25) + 2, 5, 7, -7, 3, -1};
  const std::vector<float> scales{0x5p-25f, 0x5p-25f, 0x5p-26f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f};
  const std::vector<int32_t> steps{2, -2, 2, 2, 4, -4, 2, 0};
  const int32_t channels = int32_t(bias.size());
  for (int32_t stride : {1, 2}) {
    Case c;
    c.seed = 9800 + uint32_t(stride);
    c.q.shape = shape(5, 7, channels, channels, 3, 3, stride, stride, 1, 1, 1, 1);
    c.q.input_zero_point = 77;
    c.q.weight_zero_point = 5;
    c.q.output_zero_point = 100;
    c.fixed_bias = bias;
    c.scales = scales;
    c.batch = 7;
    const std::vector<uint8_t> y = expect_variants_match(c);
    for (size_t i = 0; i < y.size(); ++i) ASSERT_EQ(int(y[i]), 100 + steps[i % size_t(channels)]) << "byte " << i;
  }
}

// Channel counts past one 64-channel block (the stride-1 loop order's), with a partial vector
// in the last block, through the register-blocked 3x3 and 5x5 paths and the generic one.
TEST(QDwConvVariants, SeveralChannelBlocks) {
  uint32_t seed = 9700;
  for (int32_t ch : {65, 100, 144})
    for (int32_t k : {3, 5, 4})
      for (int32_t stride : {1, 2}) {
        Case c;
        c.seed = ++seed;
        c.q.shape = shape(11, 13, ch, ch, k, k, stride, stride, k / 2, 1, (k - 1) / 2, 0);
        c.q.input_zero_point = 128;
        c.q.weight_zero_point = seed % 2 ? 0 : -5;
        c.q.output_zero_point = 10;
        c.q.scale = 0.0037f;
        c.batch = seed % 3 == 0 ? 7 : 1;
        expect_variants_match(c);
      }
}

TEST(QDwConvVariants, SupportsDepthwiseOnly) {
  for (const kernels::KernelVariant* v : kernels::variants_of(kernels::KernelFamily::DwConvQU8)) {
    SCOPED_TRACE(v->name);
    QConvParams q;
    q.shape = shape(8, 8, 24, 24, 3, 3, 1, 1, 1, 1, 1, 1);   // 24: every variant's channel count
    q.scale = 0.5f;
    EXPECT_TRUE(v->qdwconv->supports(q));
    q.shape.out_c = 48;   // a channel multiplier of 2 is not depthwise
    EXPECT_FALSE(v->qdwconv->supports(q));
    q.shape.out_c = 24;
    q.round_before_residual = true;   // no residual
    EXPECT_FALSE(v->qdwconv->supports(q));
    q.round_before_residual = false;
    for (float bad : {std::numeric_limits<float>::infinity(), std::numeric_limits<float>::quiet_NaN()}) {
      q.scale = bad;   // a scale must be finite
      EXPECT_FALSE(v->qdwconv->supports(q));
    }
  }
}

}  // namespace
}  // namespace octet
