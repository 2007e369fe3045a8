// The standalone FP32 activation kernel (VectorF32Kernels::activation) of every ISA against
// the scalar references (kernels/reference/activation.h, elementwise.h; SiLU as the executor
// runs Mul(x, Sigmoid(x))): random lengths 0..300 (odd ones, shorter than a vector, a
// partial last vector), values in [-20, 20] with NaN, +-infinity, +-0, +-100 and denormals
// mixed in, out of place and in place; nothing past n is written. The piecewise-linear ones
// (Relu, Clip, LeakyRelu) are selects and one product, so they match bit for bit; the others
// within a few ulp (vector exp and tanh, and a multiply-add the compiler may fuse).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "kernels/reference/activation.h"
#include "kernels/reference/elementwise.h"
#include "tests/kernel_variants_util.h"

namespace octet {
namespace {

using kernels::Activation;
using kernels::ActivationF32Params;
using kernel_test::VariantParam;

constexpr float kSentinel = -12345.f;
constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

std::vector<float> reference(const ActivationF32Params& p, const std::vector<float>& x) {
  std::vector<float> y(x.size());
  const auto n = static_cast<int64_t>(x.size());
  switch (p.act) {
    case Activation::None: y = x; break;
    case Activation::Relu: kernels::relu(x.data(), y.data(), n); break;
    case Activation::Clip: kernels::clip(x.data(), y.data(), n, p.lo, p.hi); break;
    case Activation::Sigmoid: kernels::sigmoid(x.data(), y.data(), n); break;
    case Activation::HardSigmoid: kernels::hard_sigmoid(x.data(), y.data(), n, p.alpha, p.beta); break;
    case Activation::HardSwish: kernels::hard_swish(x.data(), y.data(), n); break;
    case Activation::SiLU:
      kernels::sigmoid(x.data(), y.data(), n);
      for (size_t i = 0; i < x.size(); ++i) y[i] *= x[i];
      break;
    case Activation::LeakyRelu: kernels::leaky_relu(x.data(), y.data(), n, p.alpha); break;
    case Activation::Tanh: kernels::tanh(x.data(), y.data(), n); break;
  }
  return y;
}

bool exact(Activation a) { return a == Activation::Relu || a == Activation::Clip || a == Activation::LeakyRelu; }

// Both NaN, or equal infinities, or within 4e-7 relative to max(1, |x|) (outputs below 1e-30,
// such as sigmoid(-80), within 1e-30: the vector exp flushes the far tail).
bool close(float got, float want, float x) {
  if (std::isnan(want) || std::isnan(got)) return std::isnan(want) && std::isnan(got);
  if (std::isinf(want) || std::isinf(got)) return got == want;
  const float scale = std::max(1.f, std::fabs(x));
  return std::fabs(got - want) <= 4e-7f * scale + 1e-30f;
}

std::vector<ActivationF32Params> all_activations() {
  auto with = [](Activation a, float lo = 0.f, float hi = 0.f, float alpha = 0.f, float beta = 0.f) {
    return ActivationF32Params{a, lo, hi, alpha, beta};
  };
  return {with(Activation::Relu),
          with(Activation::Clip, 0.f, 6.f),
          with(Activation::Clip, -0.5f, kInf),
          with(Activation::Clip, -kInf, 0.25f),
          with(Activation::LeakyRelu, 0.f, 0.f, 0.01f),
          with(Activation::LeakyRelu, 0.f, 0.f, 0.3f),
          with(Activation::Sigmoid),
          with(Activation::Tanh),
          with(Activation::HardSigmoid, 0.f, 0.f, 0.2f, 0.5f),
          with(Activation::HardSigmoid, 0.f, 0.f, 1.f / 6.f, 0.5f),
          with(Activation::HardSwish),
          with(Activation::SiLU)};
}

std::string name(const ActivationF32Params& p) {
  return "activation " + std::to_string(static_cast<int>(p.act)) + " lo " + std::to_string(p.lo) + " hi " +
         std::to_string(p.hi) + " alpha " + std::to_string(p.alpha) + " beta " + std::to_string(p.beta);
}

// Random values with the special ones at random places.
std::vector<float> random_input(std::mt19937& rng, int64_t n) {
  const float specials[] = {kNaN, -kNaN, kInf, -kInf, 0.f, -0.f, 100.f, -100.f, 1e-40f, -1e-40f, 3.f, -3.f, 6.f};
  std::uniform_real_distribution<float> dist(-20.f, 20.f);
  std::uniform_int_distribution<int> pick(0, 9);
  std::vector<float> x(static_cast<size_t>(n));
  for (float& v : x) v = pick(rng) == 0 ? specials[rng() % std::size(specials)] : dist(rng);
  return x;
}

class F32Activation : public ::testing::TestWithParam<VariantParam> {
 protected:
  void SetUp() override {
    if (!GetParam().v->supported()) GTEST_SKIP() << "CPU lacks " << kernels::isa_name(GetParam().v->isa);
  }
  const kernels::VectorF32Kernels& k() const { return *GetParam().v->vector; }

  void check(const ActivationF32Params& p, const std::vector<float>& x, bool in_place) {
    const auto n = static_cast<int64_t>(x.size());
    std::vector<float> y(x.size() + 17, kSentinel);
    if (in_place) std::copy(x.begin(), x.end(), y.begin());
    k().activation(p, n, in_place ? y.data() : x.data(), y.data());
    const std::vector<float> want = reference(p, x);
    for (size_t i = 0; i < x.size(); ++i) {
      if (exact(p.act)) {
        EXPECT_TRUE(want[i] == y[i] || (std::isnan(want[i]) && std::isnan(y[i])))
            << "n " << n << " at " << i << " x " << x[i] << ": " << y[i] << " vs " << want[i];
      } else {
        EXPECT_TRUE(close(y[i], want[i], x[i])) << "n " << n << " at " << i << " x " << x[i] << ": " << y[i]
                                                << " vs " << want[i];
      }
    }
    for (size_t i = x.size(); i < y.size(); ++i) ASSERT_EQ(y[i], kSentinel) << "wrote past n = " << n;
  }
};

TEST_P(F32Activation, MatchesTheReferenceOnRandomLengthsAndSpecialValues) {
  std::mt19937 rng(14);
  std::uniform_int_distribution<int64_t> length(0, 300);
  for (const ActivationF32Params& p : all_activations()) {
    SCOPED_TRACE(name(p));
    for (int trial = 0; trial < 24; ++trial) {
      const int64_t n = trial < 8 ? trial * 3 + 1 : length(rng);   // 1, 4, 7, ... then random
      check(p, random_input(rng, n), trial % 2 == 1);
    }
    check(p, random_input(rng, 4099), false);
  }
}

// Every piece of the piecewise activations is taken, and the smooth ones saturate.
TEST_P(F32Activation, SaturatesAndClampsAtTheEdges) {
  const std::vector<float> x = {-1000.f, -7.f, -3.f, -0.5f, 0.f, 0.5f, 3.f, 7.f, 1000.f};
  const auto n = static_cast<int64_t>(x.size());
  std::vector<float> y(x.size());
  k().activation({Activation::HardSwish}, n, x.data(), y.data());
  EXPECT_EQ(y[0], 0.f);
  EXPECT_EQ(y[2], 0.f);
  EXPECT_FLOAT_EQ(y[5], 0.5f * (0.5f / 6.f + 0.5f));
  EXPECT_EQ(y[7], 7.f);
  k().activation({Activation::Sigmoid}, n, x.data(), y.data());
  EXPECT_EQ(y[0], 0.f);
  EXPECT_EQ(y[4], 0.5f);
  EXPECT_EQ(y[8], 1.f);
  k().activation({Activation::Tanh}, n, x.data(), y.data());
  EXPECT_EQ(y[0], -1.f);
  EXPECT_EQ(y[8], 1.f);
  EXPECT_NEAR(y[3], std::tanh(-0.5f), 1e-7f);
  k().activation({Activation::Clip, -0.5f, 0.25f}, n, x.data(), y.data());
  EXPECT_EQ(y[0], -0.5f);
  EXPECT_EQ(y[3], -0.5f);
  EXPECT_EQ(y[4], 0.f);
  EXPECT_EQ(y[5], 0.25f);
}

INSTANTIATE_TEST_SUITE_P(Isa, F32Activation,
                         ::testing::ValuesIn(kernel_test::variant_params(kernels::KernelFamily::VectorF32)),
                         kernel_test::isa_param_name);

}  // namespace
}  // namespace octet
