// The int8 GEMM-with-float-output kernels (kernels/int8/gemm_f32out.h) against their oracle
// (kernels/reference/qgemm_f32out.h), bit for bit, on random shapes: odd k (every tail of the
// 2- and 4-input groups), odd n and n = 1000 (every tail of the 8- and 16-column vectors),
// 1 and 7 rows, per-tensor and per-channel scales, zero points on both operands, biases that
// wrap the int32 accumulator, column ranges split as threads split them; the oracle against
// hand values.
#include <gtest/gtest.h>

#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "kernel_variants_util.h"
#include "kernels/reference/qgemm_f32out.h"

namespace octet {
namespace {

struct Case {
  int32_t k, n, rows;
  int32_t zx, zw;
  bool per_channel;
  bool wrap;   // biases near the int32 limits, so that sums wrap
};

std::vector<Case> cases() {
  std::vector<Case> out = {
      {1280, 1000, 1, 0, 0, false, false},  {1280, 1000, 7, 128, 0, true, false}, {512, 1000, 1, 3, 0, true, false},
      {64, 10, 1, 0, 0, false, false},      {64, 10, 7, 255, -128, false, false}, {1, 1, 1, 7, 5, false, false},
      {3, 17, 7, 200, 127, true, false},    {7, 33, 1, 1, -3, false, false},      {513, 999, 7, 90, 11, true, false},
      {66, 24, 1, 12, 0, false, true},      {101, 40, 7, 250, -77, true, true},
  };
  std::mt19937 rng(29);
  for (int i = 0; i < 12; ++i) {
    const int32_t k = 1 + int32_t(rng() % 300), n = 1 + int32_t(rng() % 200);
    out.push_back({k, n, i % 2 == 0 ? 1 : 7, int32_t(rng() % 256), i % 3 == 0 ? 0 : int32_t(rng() % 256) - 128,
                   i % 2 == 1, i % 5 == 4});
  }
  return out;
}

std::string describe(const Case& c) {
  return "k " + std::to_string(c.k) + " n " + std::to_string(c.n) + " rows " + std::to_string(c.rows) + " zx " +
         std::to_string(c.zx) + " zw " + std::to_string(c.zw) + (c.per_channel ? " per channel" : " per tensor") +
         (c.wrap ? " wrapping" : "");
}

class QU8GemmF32 : public ::testing::TestWithParam<kernel_test::VariantParam> {};

TEST_P(QU8GemmF32, BitExactWithTheReference) {
  const kernels::KernelVariant& v = *GetParam().v;
  if (!v.supported()) GTEST_SKIP() << "CPU lacks " << kernels::isa_name(v.isa);
  const kernels::QGemmF32Kernel& kern = *v.qgemm;
  uint32_t seed = 1;
  for (const Case& c : cases()) {
    SCOPED_TRACE(describe(c));
    std::mt19937 rng(seed++);
    kernels::QGemmF32Params p;
    p.k = c.k, p.n = c.n, p.input_zero_point = c.zx, p.weight_zero_point = c.zw;
    ASSERT_TRUE(kernels::qgemm_f32_params_ok(p));
    std::vector<int8_t> w(size_t(c.n) * size_t(c.k));
    for (int8_t& x : w) x = static_cast<int8_t>(rng());
    std::vector<int32_t> bias(size_t(c.n));
    for (int32_t& b : bias)
      b = c.wrap ? (rng() % 2 ? std::numeric_limits<int32_t>::max() - int32_t(rng() % 1000)
                              : std::numeric_limits<int32_t>::min() + int32_t(rng() % 1000))
                 : int32_t(rng() % 200001) - 100000;
    // Scales as ONNX Runtime forms them, float(s_x * s_w[j]).
    const float s_x = 0.0173f;
    std::vector<float> scales(size_t(c.n));
    const float s_w = 0.0021f + float(rng() % 1000) * 1e-6f;
    for (float& s : scales) s = s_x * (c.per_channel ? 0.0005f + float(rng() % 1000) * 1e-5f : s_w);
    std::vector<uint8_t> in(size_t(c.rows) * size_t(c.k));
    for (uint8_t& x : in) x = static_cast<uint8_t>(rng());
    std::vector<float> want(size_t(c.rows) * size_t(c.n));
    kernels::qgemm_f32out_ref(p, in.data(), w.data(), bias.data(), scales.data(), want.data(), c.rows, 0, c.n);

    std::vector<uint8_t> packed(kern.packed_bytes(p) + 64);
    void* aligned = packed.data() + (64 - reinterpret_cast<uintptr_t>(packed.data()) % 64) % 64;
    kern.pack(p, w.data(), bias.data(), scales.data(), aligned);
    // The output inside a guard of NaN bit patterns, the columns in two ranges split at a
    // multiple of the column tile (as threads split a step), then checked bit for bit.
    const uint32_t kGuard = 0x7fc0dead;
    std::vector<uint32_t> got(want.size() + 32, kGuard);
    float* out = reinterpret_cast<float*>(got.data() + 16);
    const int32_t tile = kern.column_tile, tiles = (c.n + tile - 1) / tile, mid = std::min(c.n, tiles / 2 * tile);
    kern.run(p, aligned, in.data(), out, c.rows, 0, mid);
    if (mid < c.n) kern.run(p, aligned, in.data(), out, c.rows, mid, c.n);
    for (size_t i = 0; i < 16; ++i) ASSERT_EQ(got[i], kGuard) << "wrote before the output";
    for (size_t i = 16 + want.size(); i < got.size(); ++i) ASSERT_EQ(got[i], kGuard) << "wrote past the output";
    for (size_t i = 0; i < want.size(); ++i) {
      uint32_t a, b;
      std::memcpy(&a, &want[i], 4);
      std::memcpy(&b, &out[i], 4);
      ASSERT_EQ(b, a) << "row " << i / size_t(c.n) << " column " << i % size_t(c.n) << ": " << out[i] << " vs "
                      << want[i];
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Variants, QU8GemmF32,
                         ::testing::ValuesIn(kernel_test::variant_params(kernels::KernelFamily::GemmQU8)),
                         kernel_test::isa_param_name);

// The formula by hand: acc = bias + Σ (x - zx) * (w - zw), y = float(acc) * scale.
TEST(QU8GemmF32Reference, HandValues) {
  kernels::QGemmF32Params p;
  p.k = 2, p.n = 2, p.input_zero_point = 5, p.weight_zero_point = 1;
  const uint8_t x[2] = {10, 20};
  const int8_t w[4] = {3, -4, /* column 1 */ 1, 127};
  const int32_t bias[2] = {7, -1};
  const float scales[2] = {0.5f, 0.25f};
  float y[2];
  kernels::qgemm_f32out_ref(p, x, w, bias, scales, y, 1, 0, 2);
  EXPECT_EQ(y[0], -29.f);   // 7 + 5 * 2 + 15 * -5 = -58, * 0.5
  EXPECT_EQ(y[1], 472.25f);   // -1 + 5 * 0 + 15 * 126 = 1889, * 0.25
  // The accumulator wraps as int32: INT32_MAX + 1 -> INT32_MIN.
  p.k = 1, p.n = 1, p.input_zero_point = 0, p.weight_zero_point = 0;
  const uint8_t one = 1;
  const int8_t w1 = 1;
  const int32_t big = std::numeric_limits<int32_t>::max();
  const float s1 = 1.f;
  kernels::qgemm_f32out_ref(p, &one, &w1, &big, &s1, y, 1, 0, 1);
  EXPECT_EQ(y[0], -2147483648.f);
}

}  // namespace
}  // namespace octet
