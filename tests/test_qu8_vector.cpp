// int8 element-wise kernels (kernels/int8/vector.h): every registered variant against the
// scalar oracles of kernels/reference/qvector.h, byte for byte (float outputs bit for bit):
// quantize (tails, extreme scales and zero points, ties, NaN / inf / huge inputs, a quotient
// that a reciprocal multiply would round differently), dequantize, and the float
// requantisation of ONNX Runtime's QLinear kernels: the add and the mul (lengths 0..300 and
// 4099, raw ratios from 0 to saturation, Relu-style clamps, the squeeze-excitation broadcast),
// average pooling over NHWC (odd channels, strides, dilation, asymmetric and oversized pads,
// count_include_pad, row ranges stitched from pieces) and global average pooling (ResNet8's
// 8x8x64 and odd sizes). Guard bytes after every output catch writes past the end. A few tests
// pin the reference itself to hand-computed numbers (ties round to even) and to codes ONNX
// Runtime computed.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <iterator>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "kernels/int8/requant.h"
#include "kernels/int8/vector.h"
#include "kernels/reference/qvector.h"
#include "tests/kernel_variants_util.h"

namespace octet {
namespace {

using kernels::PoolNhwcParams;
using kernels::QAddParams;
using kernels::QPoolParams;
using kernels::VectorQU8Kernels;

constexpr uint8_t kGuard = 0xA5;
constexpr int kGuardBytes = 64;

using Variant = kernel_test::VariantParam;

std::vector<Variant> variants() { return kernel_test::variant_params(kernels::KernelFamily::VectorQU8); }

TEST(QU8VectorRegistry, ThreeVariantsAreRegistered) {
  std::vector<std::string> names;
  for (const Variant& v : variants()) names.push_back(v.v->name);
  EXPECT_EQ(names, (std::vector<std::string>{"qu8_vector_scalar", "qu8_vector_avx2", "qu8_vector_avx512"}));
}

// A buffer of n bytes followed by guard bytes; `check` says whether the guard is intact.
struct Guarded {
  std::vector<uint8_t> bytes;
  explicit Guarded(size_t n, uint8_t fill) : bytes(n, fill) { bytes.resize(n + kGuardBytes, kGuard); }
  uint8_t* data() { return bytes.data(); }
  bool guard_intact(size_t n) const {
    for (size_t i = n; i < bytes.size(); ++i)
      if (bytes[i] != kGuard) return false;
    return true;
  }
};

// First mismatching index, or -1.
int64_t first_mismatch(const uint8_t* got, const uint8_t* want, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    if (got[i] != want[i]) return i;
  return -1;
}

std::vector<uint8_t> random_bytes(size_t n, std::mt19937& rng);   // defined with the add tests

class QU8Vector : public ::testing::TestWithParam<Variant> {
 protected:
  void SetUp() override {
    if (!GetParam().v->supported()) GTEST_SKIP() << "CPU lacks " << kernels::isa_name(GetParam().v->isa);
  }
  const VectorQU8Kernels& k() const { return *GetParam().v->qvector; }

  void check_quantize(const std::vector<float>& x, float scale, int32_t zp) {
    const int64_t n = static_cast<int64_t>(x.size());
    Guarded got(x.size(), 0x11);
    std::vector<uint8_t> want(x.size());
    k().quantize(n, x.data(), scale, zp, got.data());
    kernels::quantize_qu8_ref(n, x.data(), scale, zp, want.data());
    const int64_t bad = first_mismatch(got.data(), want.data(), n);
    EXPECT_EQ(bad, -1) << "n " << n << " scale " << scale << " zp " << zp << ": x " << x[bad < 0 ? 0 : bad]
                       << " got " << int(got.data()[bad < 0 ? 0 : bad]) << " want " << int(want[bad < 0 ? 0 : bad]);
    EXPECT_TRUE(got.guard_intact(x.size())) << "wrote past n = " << n;
  }

  void check_add(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b, const QAddParams& p) {
    const int64_t n = static_cast<int64_t>(a.size());
    Guarded got(a.size(), 0x11);
    std::vector<uint8_t> want(a.size());
    k().add(n, a.data(), b.data(), got.data(), p);
    kernels::add_qu8_ref(n, a.data(), b.data(), want.data(), p);
    const int64_t bad = first_mismatch(got.data(), want.data(), n);
    const int64_t i = bad < 0 ? 0 : bad;
    EXPECT_EQ(bad, -1) << "n " << n << " ratios " << p.rescale.ratio_a << "," << p.rescale.ratio_b << " fixed "
                       << p.rescale.fixed << " clamp [" << p.output_min << "," << p.output_max << "]: a " << int(a[i])
                       << " b " << int(b[i]) << " got " << int(got.data()[i]) << " want " << int(want[i]);
    EXPECT_TRUE(got.guard_intact(a.size())) << "wrote past n = " << n;
  }

  // rows x cols of a, b broadcast over the rows (b_row_stride 0) or of a's shape (cols).
  void check_mul(int64_t rows, int32_t cols, bool broadcast, const kernels::QMulParams& p, std::mt19937& rng) {
    const size_t n = static_cast<size_t>(rows * cols);
    const std::vector<uint8_t> a = random_bytes(n, rng);
    const std::vector<uint8_t> b = random_bytes(broadcast ? size_t(cols) : n, rng);
    const int64_t stride = broadcast ? 0 : cols;
    Guarded got(n, 0x11);
    std::vector<uint8_t> want(n);
    k().mul(rows, cols, a.data(), b.data(), stride, got.data(), p);
    kernels::mul_qu8_ref(rows, cols, a.data(), b.data(), stride, want.data(), p);
    const int64_t bad = first_mismatch(got.data(), want.data(), int64_t(n));
    EXPECT_EQ(bad, -1) << rows << "x" << cols << (broadcast ? " broadcast" : " same shape") << " zp " << p.a_zero_point
                       << "," << p.b_zero_point << "," << p.output_zero_point << " ratio " << p.ratio << " clamp ["
                       << p.output_min << "," << p.output_max << "]";
    EXPECT_TRUE(got.guard_intact(n)) << "wrote past " << n;
  }
};

// ---- quantize ----------------------------------------------------------------------------

TEST(QU8VectorReference, QuantizeKnownValues) {
  // scale 0.5, zp 10: x / 0.5 = 2.5 -> 2 and 3.5 -> 4 (half to even), -2.5 -> -2.
  const float x[] = {1.25f, 1.75f, -1.25f, 0.f, -0.f, NAN, INFINITY, -INFINITY, 1e30f, -1e30f, 122.4f, 122.8f, -5.f, -5.3f};
  const uint8_t want[] = {12, 14, 8, 10, 10, 10, 255, 0, 255, 0, 255, 255, 0, 0};
  uint8_t q[14];
  kernels::quantize_qu8_ref(14, x, 0.5f, 10, q);
  for (int i = 0; i < 14; ++i) EXPECT_EQ(int(q[i]), int(want[i])) << "x = " << x[i];
  // 122.4 / 0.5 = 244.8 -> 245 + 10 saturates; check one inside the range too.
  const float y[] = {61.f, 61.25f, 61.75f};
  kernels::quantize_qu8_ref(3, y, 0.5f, 10, q);
  EXPECT_EQ(int(q[0]), 132);
  EXPECT_EQ(int(q[1]), 132);   // 122.5 -> 122
  EXPECT_EQ(int(q[2]), 134);   // 123.5 -> 124
}

// Inputs whose float quotient x / scale lands next to a .5 tie where x * (1 / scale) lands
// on the other side: a kernel that multiplies by the reciprocal would round them differently.
std::vector<float> reciprocal_traps(float scale, int want) {
  std::vector<float> out;
  const float inv = 1.f / scale;
  for (int k = -300; k < 300 && static_cast<int>(out.size()) < want; ++k) {
    float x = (static_cast<float>(k) + 0.5f) * scale;
    for (int step = 0; step < 8; ++step, x = std::nextafter(x, INFINITY)) {
      if (std::nearbyint(x / scale) != std::nearbyint(x * inv)) out.push_back(x);
    }
  }
  return out;
}

TEST_P(QU8Vector, QuantizeMatchesReference) {
  std::mt19937 rng(7);
  const float scales[] = {1.f, 0.5f, 0.1f, 1.f / 255.f, 0.0123f, 3.7f, 1e-30f, 1e30f, 1e-40f /* denormal */};
  const int32_t zps[] = {0, 255, 128, 1, 254, 37};
  const int64_t sizes[] = {1, 7, 15, 16, 17, 31, 32, 33, 63, 64, 65, 1000};
  for (float scale : scales) {
    std::vector<float> traps = reciprocal_traps(scale, 64);
    for (int32_t zp : zps) {
      for (int64_t n : sizes) {
        std::vector<float> x(static_cast<size_t>(n));
        std::uniform_real_distribution<float> range(-300.f * scale, 300.f * scale);
        std::uniform_int_distribution<int> half(-300, 300);
        for (size_t i = 0; i < x.size(); ++i) {
          switch (rng() % 8) {
            case 0: x[i] = (static_cast<float>(half(rng)) + 0.5f) * scale; break;   // ties (exact when scale is 2^k)
            case 1: x[i] = traps.empty() ? range(rng) : traps[rng() % traps.size()]; break;
            default: x[i] = range(rng);
          }
        }
        check_quantize(x, scale, zp);
        if (HasFailure()) return;
      }
    }
  }
}

TEST_P(QU8Vector, QuantizeSpecialValues) {
  const float specials[] = {NAN, -NAN, INFINITY, -INFINITY, FLT_MAX, -FLT_MAX, FLT_MIN, -FLT_MIN, 1e-45f, -1e-45f,
                            0.f, -0.f, 2147483648.f, -2147483904.f, 1e10f, -1e10f, 255.5f, -0.5f, 0.5f, 1.5f, 127.5f};
  // Every position of a 33-wide vector holds each special value once, so that full vectors
  // and tails of every variant see them.
  std::vector<float> x;
  for (int r = 0; r < 33; ++r)
    for (size_t i = 0; i < std::size(specials); ++i) x.push_back(specials[(i + r) % std::size(specials)]);
  for (float scale : {1.f, 1e-20f, 7.f, FLT_MAX, 1e-45f}) {
    for (int32_t zp : {0, 128, 255}) {
      for (size_t n : {size_t{1}, size_t{5}, size_t{17}, x.size()}) {
        check_quantize(std::vector<float>(x.begin(), x.begin() + static_cast<long>(n)), scale, zp);
      }
    }
  }
  // The kernels on NaN: zp whatever the zero point.
  uint8_t q[20];
  std::vector<float> nan(20, NAN);
  for (int32_t zp : {0, 77, 255}) {
    k().quantize(20, nan.data(), 0.1f, zp, q);
    for (uint8_t v : q) ASSERT_EQ(int(v), zp);
  }
}

// Planar floats into channels-last codes: each code is the reference's quantize of its float,
// at pixel i's channel c; planes further apart than n (a padded plane) and every tail length
// of the 16- and 8-pixel blocks; special values included; nothing written past n * channels.
TEST_P(QU8Vector, QuantizePlanesIsEachPlaneQuantizedAndInterleaved) {
  std::mt19937 rng(11);
  const float specials[] = {NAN, INFINITY, -INFINITY, 0.5f, -0.5f, 1.5f, 255.5f, 1e10f, -0.f};
  for (int32_t channels = 1; channels <= 4; ++channels) {
    for (int64_t n : {1, 7, 8, 15, 16, 17, 31, 33, 50, 677}) {
      for (int64_t gap : {0, 3}) {
        const int64_t plane = n + gap;
        std::vector<float> x(static_cast<size_t>(plane * channels));
        std::uniform_real_distribution<float> range(-3.f, 3.f);
        for (float& v : x) v = rng() % 10 == 0 ? specials[rng() % std::size(specials)] : range(rng);
        for (auto [scale, zp] : {std::pair{0.0123f, 128}, std::pair{1.f, 0}, std::pair{1.f / 255.f, 7}}) {
          Guarded got(static_cast<size_t>(n * channels), 0x11);
          k().quantize_planes(channels, n, x.data(), plane, scale, zp, got.data());
          for (int32_t c = 0; c < channels; ++c) {
            std::vector<uint8_t> want(static_cast<size_t>(n));
            kernels::quantize_qu8_ref(n, x.data() + c * plane, scale, zp, want.data());
            for (int64_t i = 0; i < n; ++i)
              ASSERT_EQ(int(got.data()[i * channels + c]), int(want[static_cast<size_t>(i)]))
                  << "channels " << channels << " n " << n << " plane " << plane << " pixel " << i << " channel " << c;
          }
          ASSERT_TRUE(got.guard_intact(static_cast<size_t>(n * channels))) << "wrote past n * channels, n " << n;
        }
      }
    }
  }
}

// ---- dequantize --------------------------------------------------------------------------

TEST_P(QU8Vector, DequantizeMatchesReferenceBitForBit) {
  std::vector<uint8_t> codes(1000 + 37);
  for (size_t i = 0; i < codes.size(); ++i) codes[i] = static_cast<uint8_t>(i * 37 + i / 256);
  for (float scale : {1.f, 0.1f, 1.f / 255.f, 3.3e-5f, 1e-40f, 1e38f}) {
    for (int32_t zp : {0, 1, 128, 255}) {
      for (int64_t n : {1, 7, 15, 16, 17, 63, 64, 65, 256, 1000, 1037}) {
        std::vector<float> got(static_cast<size_t>(n) + 16, -7.f), want(static_cast<size_t>(n));
        k().dequantize(n, codes.data(), scale, zp, got.data());
        kernels::dequantize_qu8_ref(n, codes.data(), scale, zp, want.data());
        ASSERT_EQ(std::memcmp(got.data(), want.data(), sizeof(float) * static_cast<size_t>(n)), 0)
            << "n " << n << " scale " << scale << " zp " << zp;
        for (size_t i = static_cast<size_t>(n); i < got.size(); ++i) ASSERT_EQ(got[i], -7.f) << "wrote past n = " << n;
      }
    }
  }
  // Reference on known numbers: (200 - 128) * 0.5 = 36, (0 - 128) * 0.5 = -64.
  const uint8_t q[] = {200, 0, 128};
  float x[3];
  kernels::dequantize_qu8_ref(3, q, 0.5f, 128, x);
  EXPECT_EQ(x[0], 36.f);
  EXPECT_EQ(x[1], -64.f);
  EXPECT_EQ(x[2], 0.f);
}

// ---- add ---------------------------------------------------------------------------------

std::vector<uint8_t> random_bytes(size_t n, std::mt19937& rng) {
  std::vector<uint8_t> v(n);
  for (uint8_t& b : v) b = static_cast<uint8_t>(rng());
  // Extremes at the start, so every size sees them.
  if (n > 0) v[0] = 0;
  if (n > 1) v[1] = 255;
  return v;
}

// Zero points at the ends of the range or random, by trial.
struct ZeroPoints {
  int32_t a, b, y;
};
ZeroPoints vary_zero_points(int trial, std::mt19937& rng) {
  const int32_t zps[] = {0, 255, static_cast<int32_t>(rng() % 256)};
  return {zps[trial % 3], zps[(trial / 3) % 3], zps[(trial + 1) % 3]};
}

// On every 4th trial (trial % 4 == 2) a random clamp, on trial % 4 == 1 a merged Relu.
template <typename Params>
void vary_clamp(Params& p, int trial, int32_t output_zero_point, std::mt19937& rng) {
  if (trial % 4 == 1) p.output_min = output_zero_point;
  if (trial % 4 == 2) {
    p.output_min = static_cast<int32_t>(rng() % 128);
    p.output_max = 128 + static_cast<int32_t>(rng() % 128);
  }
}

float log_uniform(std::mt19937& rng, double lo_exp2, double hi_exp2) {
  return static_cast<float>(std::exp2(std::uniform_real_distribution<double>(lo_exp2, hi_exp2)(rng)));
}

// Lengths 0..300 (every tail of every vector width), and 4099.
int64_t vector_length(int trial, std::mt19937& rng) { return trial % 10 == 9 ? 4099 : int64_t(rng() % 301); }

TEST_P(QU8Vector, AddFromScalesMatchesReference) {
  std::mt19937 rng(3);
  for (int trial = 0; trial < 300; ++trial) {
    const ZeroPoints z = vary_zero_points(trial, rng);
    QAddParams p;
    p.rescale = kernels::make_qadd_float(log_uniform(rng, -10, 0), z.a, log_uniform(rng, -10, 0), z.b,
                                             log_uniform(rng, -10, 0), z.y, trial % 2 ? 128 : 0);   // int8 codes on odd trials
    vary_clamp(p, trial, z.y, rng);
    const int64_t n = vector_length(trial, rng);
    check_add(random_bytes(static_cast<size_t>(n), rng), random_bytes(static_cast<size_t>(n), rng), p);
    if (HasFailure()) return;
  }
}

TEST_P(QU8Vector, AddRawConstantsTiesAndSaturation) {
  // Ratios of 0, powers of two (t lands on .5 ties: 0.5 * odd), huge ones that saturate,
  // negative and huge `fixed`: the float clamp and the rounding of every variant.
  std::mt19937 rng(5);
  const float ratios[] = {0.f, 0.5f, 0.25f, 1.f, 3.f, 1e-7f, 1e6f, 0x1p64f};
  const float fixeds[] = {0.f, 0.5f, -0.5f, 127.5f, -300.f, 1e9f, -1e9f, 2.25f};
  for (int trial = 0; trial < 200; ++trial) {
    QAddParams p;
    p.rescale.ratio_a = ratios[trial % std::size(ratios)];
    p.rescale.ratio_b = ratios[(trial / 3) % std::size(ratios)];
    p.rescale.fixed = fixeds[(trial / 7) % std::size(fixeds)];
    p.rescale.code_offset = (trial / 5) % 2 ? 128 : 0;
    vary_clamp(p, trial, 128, rng);
    const size_t n = 1 + rng() % 100;
    check_add(random_bytes(n, rng), random_bytes(n, rng), p);
    if (HasFailure()) return;
  }
}

TEST(QU8VectorReference, AddKnownValuesRoundTiesToEven) {
  // ratio_a 0.5, ratio_b 0.25, fixed 10: t = 0.5 a + 0.25 b + 10.
  QAddParams p;
  p.rescale = {0.5f, 0.25f, 10.f};
  const uint8_t a[] = {1, 3, 0, 0, 2, 255, 0};
  const uint8_t b[] = {0, 0, 2, 6, 4, 255, 1};
  // 10.5 -> 10, 11.5 -> 12, 10.5 -> 10, 11.5 -> 12, 12 -> 12, 201.25 -> 201, 10.25 -> 10
  uint8_t y[7];
  kernels::add_qu8_ref(7, a, b, y, p);
  EXPECT_EQ(std::vector<int>(y, y + 7), (std::vector<int>{10, 12, 10, 12, 12, 201, 10}));
  p.output_min = 11;   // a clamp after the rounding: 10 -> 11
  kernels::add_qu8_ref(7, a, b, y, p);
  EXPECT_EQ(int(y[0]), 11);
}

TEST(QU8VectorReference, AddMatchesOnnxRuntimeWhereFixedIsRoundedOnce) {
  // Scales, zero points and codes from tests/ort_parity/vector_parity.py --add-fixed-variants,
  // with the code ONNX Runtime 1.30 computed (QLinearAdd, AVX2 kernel). make_qadd_float fuses
  // the first product of `fixed` as ORT's build does; rounding the two products separately
  // gives the other neighbour.
  struct Case {
    float sa;
    int32_t za;
    float sb;
    int32_t zb;
    float sc;
    int32_t zc;
    uint8_t a, b;
    int ort;
  };
  const Case cases[] = {{0.024338838f, 211, 0.049915485f, 21, 0.006272232f, 210, 6, 117, 179},
                        {0.029898342f, 126, 0.03869116f, 218, 0.008061986f, 226, 167, 156, 81},
                        {0.054448653f, 67, 0.004892558f, 46, 0.013472329f, 146, 94, 14, 243}};
  for (const Case& c : cases) {
    QAddParams p;
    p.rescale = kernels::make_qadd_float(c.sa, c.za, c.sb, c.zb, c.sc, c.zc);
    uint8_t y = 0;
    kernels::add_qu8_ref(1, &c.a, &c.b, &y, p);
    EXPECT_EQ(int(y), c.ort);
    // fixed with the two products rounded separately: the other neighbour.
    const float part_a = p.rescale.ratio_a * float(c.za), part_b = p.rescale.ratio_b * float(c.zb);
    p.rescale.fixed = float(c.zc) - (part_a + part_b);
    kernels::add_qu8_ref(1, &c.a, &c.b, &y, p);
    EXPECT_EQ(std::abs(int(y) - c.ort), 1);
  }
}

TEST(QU8VectorReference, AddApproximatesRealSum) {
  // s_a = 0.05, s_b = 0.02, s_y = 0.06: the dequantized output is within half an output step
  // (plus float rounding) of the sum of the dequantized inputs, unless clamped.
  const float sa = 0.05f, sb = 0.02f, sy = 0.06f;
  QAddParams p;
  p.rescale = kernels::make_qadd_float(sa, 100, sb, 30, sy, 120);
  std::vector<uint8_t> a(256 * 8), b(a.size()), y(a.size());
  for (size_t i = 0; i < a.size(); ++i) {
    a[i] = static_cast<uint8_t>(i);
    b[i] = static_cast<uint8_t>(i * 31 / 8);
  }
  kernels::add_qu8_ref(int64_t(a.size()), a.data(), b.data(), y.data(), p);
  int checked = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    const double real = double(sa) * (a[i] - 100) + double(sb) * (b[i] - 30);
    const double code = 120 + real / sy;
    if (code < 0.5 || code > 254.5) {
      EXPECT_EQ(int(y[i]), code < 0.5 ? 0 : 255);
      continue;
    }
    EXPECT_LE(std::fabs(sy * (y[i] - 120) - real), sy * (0.5 + 1e-5)) << "a " << int(a[i]) << " b " << int(b[i]);
    ++checked;
  }
  EXPECT_GT(checked, 1000);
}

// ---- average pooling ---------------------------------------------------------------------

std::string describe(const PoolNhwcParams& p) {
  auto s = [](int32_t v) { return std::to_string(v); };
  return "in " + s(p.in_h) + "x" + s(p.in_w) + "x" + s(p.channels) + " out " + s(p.out_h) + "x" + s(p.out_w) +
         " k " + s(p.kernel_h) + "x" + s(p.kernel_w) + " s " + s(p.stride_h) + "x" + s(p.stride_w) + " d " +
         s(p.dilation_h) + "x" + s(p.dilation_w) + " pads t" + s(p.pad_top) + " l" + s(p.pad_left) + " b" +
         s(p.pad_bottom) + " r" + s(p.pad_right) + (p.count_include_pad ? " count_include_pad" : "");
}

int32_t out_size(int32_t in, int32_t k, int32_t s, int32_t d, int32_t pb, int32_t pe, bool ceil_mode) {
  const int32_t span = in + pb + pe - ((k - 1) * d + 1);
  if (span < 0) return 0;
  return (ceil_mode ? (span + s - 1) / s : span / s) + 1;
}

// Undilated geometry with the output size of floor mode; pads top, left, bottom, right.
PoolNhwcParams pool_geometry(int32_t in_h, int32_t in_w, int32_t channels, int32_t kernel_h, int32_t kernel_w,
                             int32_t stride, std::array<int32_t, 4> pads) {
  PoolNhwcParams s;
  s.in_h = in_h;
  s.in_w = in_w;
  s.channels = channels;
  s.kernel_h = kernel_h;
  s.kernel_w = kernel_w;
  s.stride_h = s.stride_w = stride;
  s.pad_top = pads[0];
  s.pad_left = pads[1];
  s.pad_bottom = pads[2];
  s.pad_right = pads[3];
  s.out_h = out_size(in_h, kernel_h, stride, 1, pads[0], pads[2], false);
  s.out_w = out_size(in_w, kernel_w, stride, 1, pads[1], pads[3], false);
  return s;
}

class QU8Pool : public QU8Vector {
 protected:
  // Runs the kernel over row pieces ending at `cuts` (then out_h) and compares the whole
  // output with the reference.
  void check_pool(const QPoolParams& p, const std::vector<int32_t>& cuts, uint32_t seed) {
    const PoolNhwcParams& s = p.shape;
    SCOPED_TRACE(describe(s) + " scales " + std::to_string(p.input_scale) + "->" + std::to_string(p.output_scale) +
                 " zp " + std::to_string(p.input_zero_point) + "->" + std::to_string(p.output_zero_point) + " clamp [" +
                 std::to_string(p.output_min) + "," + std::to_string(p.output_max) + "]");
    std::mt19937 rng(seed);
    const size_t in_size = size_t(s.in_h) * s.in_w * s.channels, out_size = size_t(s.out_h) * s.out_w * s.channels;
    std::vector<uint8_t> in = random_bytes(in_size, rng);
    if (seed % 4 == 0) std::fill(in.begin(), in.end(), uint8_t(seed % 3 == 0 ? 255 : 0));   // saturated sums
    Guarded got(out_size, 0x11);
    std::vector<uint8_t> want(out_size, 0x22);
    int32_t begin = 0;
    std::vector<int32_t> ends = cuts;
    ends.push_back(s.out_h);
    for (int32_t end : ends) {
      if (end > s.out_h) end = s.out_h;
      if (end < begin) continue;
      k().average(p, in.data(), got.data(), begin, end);
      begin = end;
    }
    kernels::average_pool_qu8_ref(p, in.data(), want.data(), 0, s.out_h);
    const int64_t bad = first_mismatch(got.data(), want.data(), int64_t(out_size));
    EXPECT_EQ(bad, -1) << "output " << bad << " (channel " << (bad < 0 ? 0 : bad % s.channels) << ") got "
                       << int(got.data()[bad < 0 ? 0 : bad]) << " want " << int(want[bad < 0 ? 0 : size_t(bad)]);
    EXPECT_TRUE(got.guard_intact(out_size)) << "wrote past the output";
    // One piece alone writes its rows and no other.
    const int32_t b = s.out_h / 3, e = 2 * s.out_h / 3 + 1 < s.out_h ? 2 * s.out_h / 3 + 1 : s.out_h;
    Guarded piece(out_size, 0x11);
    k().average(p, in.data(), piece.data(), b, e);
    const size_t row = size_t(s.out_w) * s.channels;
    for (size_t i = 0; i < out_size; ++i) {
      const bool inside = i >= size_t(b) * row && i < size_t(e) * row;
      if (piece.data()[i] != (inside ? want[i] : uint8_t{0x11})) {
        ADD_FAILURE() << "rows [" << b << "," << e << "): output " << i << (inside ? " wrong" : " written");
        break;
      }
    }
  }
};

TEST_P(QU8Pool, AverageMatchesReferenceOnRandomShapes) {
  std::mt19937 rng(42);
  auto pick = [&](int32_t lo, int32_t hi) { return std::uniform_int_distribution<int32_t>(lo, hi)(rng); };
  const int32_t channel_counts[] = {1, 3, 5, 8, 15, 16, 17, 33, 64, 67, 80};
  int run = 0;
  for (int trial = 0; trial < 400; ++trial) {
    QPoolParams p;
    PoolNhwcParams& s = p.shape;
    s.channels = channel_counts[trial % std::size(channel_counts)];
    s.kernel_h = pick(1, 4);
    s.kernel_w = pick(1, 4);
    s.stride_h = pick(1, 3);
    s.stride_w = pick(1, 3);
    s.dilation_h = trial % 5 == 0 ? 2 : 1;   // the kernels take dilation (the compiler refuses it)
    s.dilation_w = trial % 7 == 0 ? 2 : 1;
    const bool oversized = trial % 11 == 0;   // pads >= kernel: windows with no input tap
    s.pad_top = pick(0, oversized ? s.kernel_h + 1 : s.kernel_h - 1);
    s.pad_bottom = pick(0, oversized ? s.kernel_h + 1 : s.kernel_h - 1);
    s.pad_left = pick(0, oversized ? s.kernel_w + 1 : s.kernel_w - 1);
    s.pad_right = pick(0, s.kernel_w - 1);
    s.in_h = pick(1, 12);
    s.in_w = pick(1, 12);
    s.count_include_pad = trial % 2;
    const bool ceil_mode = trial % 3 == 0;
    s.out_h = out_size(s.in_h, s.kernel_h, s.stride_h, s.dilation_h, s.pad_top, s.pad_bottom, ceil_mode);
    s.out_w = out_size(s.in_w, s.kernel_w, s.stride_w, s.dilation_w, s.pad_left, s.pad_right, ceil_mode);
    if (s.out_h <= 0 || s.out_w <= 0) continue;
    const ZeroPoints z = vary_zero_points(trial, rng);
    p.input_zero_point = z.a;
    p.output_zero_point = z.y;
    p.input_scale = log_uniform(rng, -10, 0);
    p.output_scale = p.input_scale * log_uniform(rng, -3, 3);
    vary_clamp(p, trial, z.y, rng);
    check_pool(p, {s.out_h / 3, s.out_h / 3, 2 * s.out_h / 3 + 1}, 1000 + trial);
    ++run;
    if (HasFailure()) return;
  }
  EXPECT_GT(run, 300);
}

TEST_P(QU8Pool, AverageStrideTwoAsymmetricPadsExtremeScales) {
  // 3x3 stride 2, pads top/left 0, bottom/right 1, 16x16x33, count_include_pad both ways;
  // scale ratios from 2^-40 (every code rounds to the zero point) to 2^40 (every code saturates).
  std::mt19937 rng(9);
  QPoolParams p;
  PoolNhwcParams& s = p.shape;
  s = pool_geometry(16, 16, 33, 3, 3, 2, {0, 0, 1, 1});
  ASSERT_EQ(s.out_h, 8);
  for (int32_t e = -40; e <= 40; e += 4) {
    for (bool include : {false, true}) {
      s.count_include_pad = include;
      p.input_scale = log_uniform(rng, -20, 0);
      p.output_scale = p.input_scale * static_cast<float>(std::exp2(e));
      p.input_zero_point = static_cast<int32_t>(rng() % 256);
      p.output_zero_point = static_cast<int32_t>(rng() % 256);
      check_pool(p, {1, 4, 5}, 11 + uint32_t(e + 40));
      if (HasFailure()) return;
    }
  }
}

TEST_P(QU8Pool, AverageOfConstantImageIsTheConstant) {
  // Equal scales (0.5: every step exact) and zero points: the mean of a constant is that
  // constant, in every window (without count_include_pad), whatever the number of taps.
  QPoolParams p;
  PoolNhwcParams& s = p.shape;
  s = pool_geometry(7, 9, 19, 3, 3, 1, {1, 1, 1, 1});
  p.input_scale = p.output_scale = 0.5f;
  p.input_zero_point = p.output_zero_point = 40;
  std::vector<uint8_t> in(size_t(7) * 9 * 19, 201), out(in.size());
  k().average(p, in.data(), out.data(), 0, 7);
  for (uint8_t v : out) ASSERT_EQ(int(v), 201);
  // count_include_pad: a corner window has 4 of 9 taps inside: 40 + (161 * 4) / 9 = 40 + 71.56 -> 112.
  s.count_include_pad = true;
  k().average(p, in.data(), out.data(), 0, 7);
  EXPECT_EQ(int(out[0]), 112);
  EXPECT_EQ(int(out[(1 * 9 + 1) * 19]), 201);
}

TEST(QU8VectorReference, AveragePoolTiesRoundToEven) {
  // A 1x2 window over codes (x - 0) * 1.0, output scale 1, zero point 10: the means 0.5, 1.5,
  // 2.5, 3.5 of the pairs (0,1) (1,2) (2,3) (3,4) give 10.5 -> 10, 11.5 -> 12, 12.5 -> 12, 13.5 -> 14.
  QPoolParams p;
  p.shape = pool_geometry(1, 5, 1, 1, 2, 1, {0, 0, 0, 0});
  p.output_zero_point = 10;
  const uint8_t in[] = {0, 1, 2, 3, 4};
  uint8_t out[4];
  kernels::average_pool_qu8_ref(p, in, out, 0, 1);
  EXPECT_EQ(std::vector<int>(out, out + 4), (std::vector<int>{10, 12, 12, 14}));
}

// ---- global average ----------------------------------------------------------------------

TEST_P(QU8Vector, GlobalAverageMatchesReference) {
  std::mt19937 rng(11);
  struct Shape {
    int32_t hw, channels;
  };
  const Shape shapes[] = {{64, 64}, {1, 1}, {1, 17}, {3, 5}, {49, 3}, {49, 63}, {16, 100}, {64, 15}, {225, 33}, {1024, 16}};
  for (const Shape& sh : shapes) {
    for (int trial = 0; trial < 12; ++trial) {
      const ZeroPoints z = vary_zero_points(trial, rng);
      kernels::QGlobalAverageParams p;
      p.scale = log_uniform(rng, -4, 4) / float(sh.hw);
      if (trial == 11) p.scale = 0x1p64f;   // the largest the plan checker allows
      p.input_zero_point = z.a;
      p.output_zero_point = z.y;
      vary_clamp(p, trial, z.y, rng);
      std::vector<uint8_t> in = random_bytes(size_t(sh.hw) * sh.channels, rng);
      if (trial == 5) std::fill(in.begin(), in.end(), uint8_t{255});
      Guarded got(size_t(sh.channels), 0x11);
      std::vector<uint8_t> want(size_t(sh.channels));
      k().global_average(sh.hw, sh.channels, in.data(), got.data(), p);
      kernels::global_average_pool_qu8_ref(sh.hw, sh.channels, in.data(), want.data(), p);
      const int64_t bad = first_mismatch(got.data(), want.data(), sh.channels);
      ASSERT_EQ(bad, -1) << sh.hw << "x" << sh.channels << " zp " << z.a << "->" << z.y << " scale " << p.scale
                         << ": channel " << bad;
      ASSERT_TRUE(got.guard_intact(size_t(sh.channels)));
    }
  }
}

TEST_P(QU8Vector, GlobalAverageResNet8KnownValuesTiesToEven) {
  // 8x8x64, equal scales (scale 1/64): channel c holds the 64 values c + i (i = 0..63), and the
  // input zero point 3: (64 c + 2016 - 192) / 64 = c + 28.5, a tie that rounds to even (c + 28
  // for even c, c + 29 for odd c), plus the output zero point 3.
  std::vector<uint8_t> in(64 * 64);
  for (int i = 0; i < 64; ++i)
    for (int c = 0; c < 64; ++c) in[size_t(i) * 64 + c] = static_cast<uint8_t>(c + i);
  kernels::QGlobalAverageParams p;
  p.scale = 1.f / 64;
  p.input_zero_point = p.output_zero_point = 3;
  std::vector<uint8_t> out(64);
  k().global_average(64, 64, in.data(), out.data(), p);
  for (int c = 0; c < 64; ++c) EXPECT_EQ(int(out[size_t(c)]), (c % 2 == 0 ? c + 28 : c + 29) + 3) << "channel " << c;
}

// ---- mul -------------------------------------------------------------------------------

TEST(QU8VectorReference, MulKnownValuesRoundTiesToEven) {
  // ratio 0.25: (a - 10) * (b - 4) * 0.25 + zy 100: 20 * 6 * 0.25 = 30 -> 130;
  // -3 * 6 * 0.25 = -4.5 -> 95.5 -> 96 (even); 5 * 2 * 0.25 = 2.5 -> 102.5 -> 102 (even).
  kernels::QMulParams p;
  p.ratio = 0.25f;
  p.a_zero_point = 10;
  p.b_zero_point = 4;
  p.output_zero_point = 100;
  const uint8_t a[] = {30, 7, 15, 30, 7, 15};
  const uint8_t gate[] = {10, 10, 6};   // one row of 3 channels, broadcast over 2 pixels
  uint8_t y[6];
  kernels::mul_qu8_ref(2, 3, a, gate, 0, y, p);
  EXPECT_EQ(std::vector<int>(y, y + 6), (std::vector<int>{130, 96, 102, 130, 96, 102}));
}

TEST_P(QU8Vector, MulFromScalesMatchesReference) {
  // Squeeze-excitation broadcast ([C] gate over H*W pixels) and same shape; odd channel
  // counts, single pixels and batch-sized row counts (7 images of a 1-pixel tensor).
  std::mt19937 rng(11);
  const int32_t channels[] = {1, 3, 7, 15, 16, 17, 31, 33, 40, 65, 240, 1000};
  const int64_t rows[] = {1, 7, 49, 3};
  for (int trial = 0; trial < 200; ++trial) {
    const ZeroPoints z = vary_zero_points(trial, rng);
    kernels::QMulParams p;
    p.ratio = log_uniform(rng, -10, 0) * log_uniform(rng, -10, 0) / log_uniform(rng, -10, 0);
    p.a_zero_point = z.a;
    p.b_zero_point = z.b;
    p.output_zero_point = z.y;
    vary_clamp(p, trial, z.y, rng);
    check_mul(rows[trial % 4], channels[trial % std::size(channels)], trial % 2 == 0, p, rng);
    if (HasFailure()) return;
  }
}

TEST_P(QU8Vector, MulRawRatiosTiesAndSaturation) {
  std::mt19937 rng(13);
  const float ratios[] = {0.f, 0.5f, 0.25f, 1.f, 1e-9f, 3e4f, 0x1p64f};
  for (int trial = 0; trial < 70; ++trial) {
    kernels::QMulParams p;
    p.ratio = ratios[trial % std::size(ratios)];
    p.a_zero_point = static_cast<int32_t>(rng() % 256);
    p.b_zero_point = trial % 2 ? 255 : 0;
    p.output_zero_point = static_cast<int32_t>(rng() % 256);
    check_mul(1 + int64_t(rng() % 7), 1 + int32_t(rng() % 70), trial % 3 == 0, p, rng);
    if (HasFailure()) return;
  }
}

// ---- lookup ----------------------------------------------------------------------------

TEST_P(QU8Vector, LookupIsTheTableOnEverySize) {
  std::mt19937 rng(17);
  const std::vector<uint8_t> table = random_bytes(256, rng);
  for (size_t n : {size_t(0), size_t(1), size_t(7), size_t(63), size_t(64), size_t(65), size_t(127), size_t(128),
                   size_t(200), size_t(1000), size_t(4099)}) {
    std::vector<uint8_t> x = random_bytes(n, rng);
    for (size_t i = 0; i < n && i < 256; ++i) x[i] = static_cast<uint8_t>(i);   // every code, where it fits
    Guarded got(n, 0x11);
    k().lookup(int64_t(n), table.data(), x.data(), got.data());
    for (size_t i = 0; i < n; ++i) ASSERT_EQ(int(got.data()[i]), int(table[x[i]])) << "n " << n << " element " << i;
    EXPECT_TRUE(got.guard_intact(n)) << "wrote past " << n;
  }
}

INSTANTIATE_TEST_SUITE_P(Variants, QU8Vector, ::testing::ValuesIn(variants()), kernel_test::name_param_name);
INSTANTIATE_TEST_SUITE_P(Variants, QU8Pool, ::testing::ValuesIn(variants()), kernel_test::name_param_name);

}  // namespace
}  // namespace octet
