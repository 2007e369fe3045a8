// int8 NHWC convolution (kernels/int8/conv_*), shapes: every qu8_conv variant this CPU runs
// against the scalar oracle qconv_nhwc, bit for bit (tests/qu8_conv_test_util.h), over random
// shapes and the edge cases (odd channel counts, strides, dilation, asymmetric padding, 1x1 /
// 3x3 / 5x5 and non-square kernels), batches of images through one packed weight buffer,
// output rows computed in pieces, ResNet8's layers, large images, and GEMMs as 1x1
// convolutions; the registry and supports(). The oracle's window walk itself is checked
// against the FP32 reference convolution.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "kernels/reference/conv.h"
#include "qu8_conv_test_util.h"

namespace octet::qu8_conv_test {
namespace {

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
    q.scale = 1.f;
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
        seeded_requant(c);
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
    const int32_t out_c = pick({1, 8, 10, 16, 17, 24, 31, 32, 33, 48, 64, 65, 80, 88, 96, 100});
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
    c.q.conv_zero_point = int32_t(rng() % 256);
    if (c.residual) {
      sensible_round_first(c.q, rng);
    } else {
      sensible_requant(c.q, rng);
    }
    random_clamp(c.q, rng);
    check(c);
  }
}

TEST(QConvVariants, ResNet8Layers) {
  uint32_t seed = 300;
  for (const Layer& l : kResNet8)
    for (int32_t zw : {0, -128}) {   // int8/u8s8 and uint8 schemes
      Case c;
      c.seed = ++seed;
      c.q.shape = l.shape();
      c.q.input_zero_point = zw == 0 ? 131 : 0;
      c.q.weight_zero_point = zw;
      c.q.output_zero_point = 7;
      c.q.output_min = 7;   // Relu
      c.residual = l.residual_block();
      c.q.residual_zero_point = 60;
      c.q.conv_zero_point = 90;
      c.batch = 7;
      c.split = c.q.shape.out_h / 3;
      if (c.residual) {
        seeded_round_first(c);
      } else {
        seeded_requant(c);
      }
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
    if (c.residual) {
      seeded_round_first(c);
    } else {
      seeded_requant(c);
    }
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
      seeded_requant(c);
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
    seeded_requant(c);
    check(c);
  }
}

// The VNNI kernel's paired tiles (conv_direct_impl.h: a last super-block of two vectors whose
// second holds 1-8 channels, 17-24 or 64 + 17-24 output channels): random shapes with odd pixel
// counts per tile, stride 2, asymmetric padding, batch 1 and 7, both weight zero points
// (the window sums' corrections of two pixels in one vector), with and without the residual,
// per-tensor and per-channel scales, and a Concat slice through a table.
TEST(QConvVariants, PairedTiles) {
  std::mt19937 rng(4242);
  auto pick = [&](std::initializer_list<int32_t> l) { return *(l.begin() + rng() % l.size()); };
  for (int it = 0; it < 80; ++it) {
    Case c;
    c.seed = 16000 + uint32_t(it);
    const int32_t k = pick({1, 3, 1}), st = pick({1, 2}), in_c = pick({3, 16, 24, 33, 144});
    const int32_t out_c = pick({17, 20, 23, 24, 81, 88});
    auto pad = [&]() { return k == 1 ? 0 : int32_t(rng() % 2); };
    c.q.shape = shape(1 + int32_t(rng() % 13), 1 + int32_t(rng() % 37), in_c, out_c, k, k, st, st, pad(), pad(), pad(),
                      pad());
    if (c.q.shape.out_h < 1 || c.q.shape.out_w < 1) continue;
    c.q.input_zero_point = pick({0, 255, int32_t(rng() % 256)});
    c.q.weight_zero_point = pick({0, 0, -128, int32_t(rng() % 256) - 128});
    c.q.output_zero_point = pick({0, 255, int32_t(rng() % 256)});
    c.batch = it % 2 ? 7 : 1;
    if (it % 3 == 0) {
      c.residual = true;
      c.q.conv_zero_point = pick({0, 255, int32_t(rng() % 256)});
      c.q.residual_zero_point = pick({0, 255, int32_t(rng() % 256)});
      seeded_round_first(c);
    } else {
      seeded_requant(c);
      if (it % 3 == 1 && c.q.weight_zero_point == 0) {   // per channel
        std::mt19937 r2(c.seed);
        for (int32_t o = 0; o < out_c; ++o) c.scales.push_back(c.q.scale * (0.5f + float(r2() % 100) / 64.f));
      }
      if (it % 5 == 2) {   // a Concat slice through a table
        c.out_offset = 5;
        c.out_stride = out_c + 11;
        for (int v = 0; v < 256; ++v) c.table.push_back(uint8_t(rng()));
      }
    }
    if (rng() % 2 == 0) c.q.output_min = c.q.output_zero_point;   // Relu
    check(c);
  }
}

TEST(QConvVariants, SupportsEveryValidShape) {
  QConvParams q;
  q.shape = shape(5, 5, 3, 3, 3, 3, 2, 1, 2, 0, 2, 0, 2, 1);
  q.scale = 0.001f;
  for (const kernels::KernelVariant* v : runnable()) EXPECT_TRUE(v->qconv->supports(q)) << v->name;
  q.shape.in_c = 0;
  for (const kernels::KernelVariant* v : runnable()) EXPECT_FALSE(v->qconv->supports(q)) << v->name;
}

}  // namespace
}  // namespace octet::qu8_conv_test
