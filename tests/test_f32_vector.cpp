// FP32 vector kernels (kernels/f32/vector.h) against the scalar references: NHWC average and
// max pooling (transposed to the NCHW oracles of kernels/reference/pool.h) on random shapes
// with odd channel counts, strides, dilations, asymmetric and oversized pads, floor and ceil
// output sizes, row ranges stitched from pieces and 7-image batches; global average pooling;
// residual add with and without Relu; the planar interleave (bit for bit); softmax rows of 1..1000 including NaN / inf rows.
// Pools, global average and add follow the reference's order of operations exactly, so they
// are compared bit for bit; softmax is within 1e-6 absolute (vector exp, lane-parallel sum).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "kernels/reference/layout.h"
#include "kernels/reference/pool.h"
#include "kernels/reference/reduce.h"
#include "kernels/reference/softmax.h"
#include "tests/conv_reference_util.h"
#include "tests/kernel_variants_util.h"

namespace octet {
namespace {

using kernels::PoolNhwcParams;
using kernels::VectorF32Kernels;

using kernel_test::nchw_to_nhwc;
using kernel_test::nhwc_to_nchw;
using kernel_test::VariantParam;

constexpr float kSentinel = -12345.f;

// Same value, or both NaN.
bool same(float a, float b) { return a == b || (std::isnan(a) && std::isnan(b)); }

std::string describe(const PoolNhwcParams& p) {
  auto s = [](int32_t v) { return std::to_string(v); };
  return "in " + s(p.in_h) + "x" + s(p.in_w) + "x" + s(p.channels) + " out " + s(p.out_h) + "x" + s(p.out_w) +
         " k " + s(p.kernel_h) + "x" + s(p.kernel_w) + " s " + s(p.stride_h) + "x" + s(p.stride_w) + " d " +
         s(p.dilation_h) + "x" + s(p.dilation_w) + " pads t" + s(p.pad_top) + " l" + s(p.pad_left) + " b" +
         s(p.pad_bottom) + " r" + s(p.pad_right) + (p.count_include_pad ? " count_include_pad" : "");
}

// Output size along one dim, floor or ceil mode (ceil may start a window in the end padding
// or past it, which the kernels must handle as the reference does).
int32_t out_size(int32_t in, int32_t k, int32_t s, int32_t d, int32_t pb, int32_t pe, bool ceil_mode) {
  const int32_t span = in + pb + pe - ((k - 1) * d + 1);
  if (span < 0) return 0;
  return (ceil_mode ? (span + s - 1) / s : span / s) + 1;
}

// The ranges a random pool's parameters are drawn from (both dims alike).
struct PoolRanges {
  int32_t kernel_lo, kernel_hi, stride_hi, size_lo, size_hi;
};

// A random pool of `channels` channels: kernel, stride (from 1), pads below the kernel and
// input size from `r`; dilation 2 on some trials, ceil_mode on every third; out_h or out_w
// may come out 0 (the caller skips those).
PoolNhwcParams random_pool(std::mt19937& rng, int trial, int32_t channels, const PoolRanges& r) {
  auto pick = [&](int32_t lo, int32_t hi) { return std::uniform_int_distribution<int32_t>(lo, hi)(rng); };
  PoolNhwcParams p;
  p.channels = channels;
  p.kernel_h = pick(r.kernel_lo, r.kernel_hi);
  p.kernel_w = pick(r.kernel_lo, r.kernel_hi);
  p.stride_h = pick(1, r.stride_hi);
  p.stride_w = pick(1, r.stride_hi);
  p.dilation_h = trial % 5 == 0 ? 2 : 1;
  p.dilation_w = trial % 7 == 0 ? 2 : 1;
  p.pad_top = pick(0, p.kernel_h - 1);
  p.pad_bottom = pick(0, p.kernel_h - 1);
  p.pad_left = pick(0, p.kernel_w - 1);
  p.pad_right = pick(0, p.kernel_w - 1);
  p.in_h = pick(r.size_lo, r.size_hi);
  p.in_w = pick(r.size_lo, r.size_hi);
  p.count_include_pad = trial % 2;
  const bool ceil_mode = trial % 3 == 0;
  p.out_h = out_size(p.in_h, p.kernel_h, p.stride_h, p.dilation_h, p.pad_top, p.pad_bottom, ceil_mode);
  p.out_w = out_size(p.in_w, p.kernel_w, p.stride_w, p.dilation_w, p.pad_left, p.pad_right, ceil_mode);
  return p;
}

kernels::PoolParams to_ref(const PoolNhwcParams& p, int64_t batch) {
  kernels::PoolParams r;
  r.batch = batch;
  r.channels = p.channels;
  r.in = {1, p.in_h, p.in_w};
  r.out = {1, p.out_h, p.out_w};
  r.kernel = {1, p.kernel_h, p.kernel_w};
  r.stride = {1, p.stride_h, p.stride_w};
  r.dilation = {1, p.dilation_h, p.dilation_w};
  r.pad_begin = {0, p.pad_top, p.pad_left};
  r.pad_end = {0, p.pad_bottom, p.pad_right};
  return r;
}

class F32Vector : public ::testing::TestWithParam<VariantParam> {
 protected:
  void SetUp() override {
    if (!GetParam().v->supported()) GTEST_SKIP() << "CPU lacks " << kernels::isa_name(GetParam().v->isa);
  }
  const VectorF32Kernels& k() const { return *GetParam().v->vector; }

  // Pools `batch` images one call per image and piece of rows, against the NCHW reference.
  void check_pool(bool is_max, const PoolNhwcParams& p, int32_t batch, const std::vector<int32_t>& row_cuts,
                  uint32_t seed, bool ties = false) {
    SCOPED_TRACE(std::string(is_max ? "max " : "average ") + describe(p) + " batch " + std::to_string(batch));
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> dist(-4.f, 4.f);
    const int64_t in_size = int64_t{p.in_h} * p.in_w * p.channels, out_floats = int64_t{p.out_h} * p.out_w * p.channels;
    std::vector<float> in(in_size * batch);
    for (float& v : in) v = dist(rng);
    if (ties) {   // few distinct values, zeros of both signs: which equal tap wins shows
      for (float& v : in) v = v < -2.f ? -1.f : v > 2.f ? 1.f : std::signbit(v) ? -0.f : 0.f;
    }
    if (is_max && in.size() > 3) {   // ties (first wins) and signed zeros must behave as the reference
      in[1] = in[0];
      in[2] = 0.f;
      in[3] = -0.f;
    }
    std::vector<float> out(out_floats * batch, kSentinel);
    for (int32_t n = 0; n < batch; ++n) {
      int32_t begin = 0;
      std::vector<int32_t> cuts = row_cuts;
      cuts.push_back(p.out_h);
      for (int32_t end : cuts) {
        if (end > p.out_h) end = p.out_h;
        if (end < begin) continue;
        (is_max ? k().max : k().average)(p, in.data() + n * in_size, out.data() + n * out_floats, begin, end);
        begin = end;
      }
    }
    const std::vector<float> in_nchw = nhwc_to_nchw(in, batch, p.in_h, p.in_w, p.channels);
    std::vector<float> want_nchw(out.size());
    if (is_max) {
      kernels::max_pool_ref<float>(to_ref(p, batch), in_nchw.data(), want_nchw.data(), nullptr, false);
    } else {
      kernels::average_pool_f32_ref(to_ref(p, batch), p.count_include_pad, in_nchw.data(), want_nchw.data());
    }
    const std::vector<float> want = nchw_to_nhwc(want_nchw, batch, p.out_h, p.out_w, p.channels);
    int failures = 0;
    for (size_t i = 0; i < out.size() && failures < 10; ++i) {
      // Bit-exact, including the sign of zero.
      const bool ok = same(out[i], want[i]) && std::signbit(out[i]) == std::signbit(want[i]);
      if (!ok) ++failures;
      EXPECT_TRUE(ok) << "element " << i << ": got " << out[i] << " want " << want[i];
    }
  }
};

TEST_P(F32Vector, PoolsMatchReferenceOnRandomShapes) {
  std::mt19937 rng(42);
  const int32_t channel_counts[] = {1, 3, 5, 16, 17, 33, 64, 67};
  for (int trial = 0; trial < 300; ++trial) {
    const PoolNhwcParams p = random_pool(rng, trial, channel_counts[trial % 8], {1, 4, 3, 1, 12});
    if (p.out_h <= 0 || p.out_w <= 0) continue;
    const std::vector<int32_t> cuts = {p.out_h / 3, p.out_h / 3, 2 * p.out_h / 3 + 1};
    check_pool(false, p, 1, cuts, 1000 + trial);
    check_pool(true, p, 1, cuts, 2000 + trial);
    if (HasFailure()) return;
  }
}

TEST_P(F32Vector, PoolsStrideTwoAsymmetricPadsBatchOfSeven) {
  // ResNet-like: 3x3 stride 2 with pads [0, 0, 1, 1] (top/left 0, bottom/right 1), 16x16x33.
  PoolNhwcParams p;
  p.in_h = p.in_w = 16;
  p.channels = 33;
  p.kernel_h = p.kernel_w = 3;
  p.stride_h = p.stride_w = 2;
  p.pad_bottom = p.pad_right = 1;
  p.out_h = p.out_w = 8;
  for (bool include : {false, true}) {
    p.count_include_pad = include;
    check_pool(false, p, 7, {1, 4, 5}, 11);
    check_pool(true, p, 7, {1, 4, 5}, 12);
  }
}

// Images wide enough for interior windows (fixed taps) next to the clipped border ones, at the
// channel counts the max pool takes as full plus partial vectors in one pass (24 = 16 + 8,
// 40, 7, 71 = 64 + 7), stride 1 and 2, dilation, asymmetric pads, ceil_mode, batch 1 and 7.
TEST_P(F32Vector, PoolsInteriorAndBorderWindowsOnWideImages) {
  std::mt19937 rng(73);
  const int32_t channel_counts[] = {24, 40, 7, 71, 8, 48};
  for (int trial = 0; trial < 36; ++trial) {
    const PoolNhwcParams p = random_pool(rng, trial, channel_counts[trial % 6], {2, 3, 2, 9, 23});
    const std::vector<int32_t> cuts = {1, p.out_h / 2};
    check_pool(true, p, trial % 4 == 0 ? 7 : 1, cuts, 3000 + trial);
    check_pool(true, p, 1, cuts, 4000 + trial, true);
    if (HasFailure()) return;
  }
}

TEST_P(F32Vector, PoolWindowsEntirelyInPadding) {
  // Pads >= kernel leave windows with no input tap: average 0/0 = NaN, max the lowest float;
  // with count_include_pad the divisor counts the pad taps instead.
  PoolNhwcParams p;
  p.in_h = 3;
  p.in_w = 4;
  p.channels = 19;
  p.kernel_h = p.kernel_w = 2;
  p.stride_h = p.stride_w = 2;
  p.pad_top = p.pad_left = 2;
  p.pad_bottom = p.pad_right = 3;
  p.out_h = out_size(p.in_h, 2, 2, 1, 2, 3, true);
  p.out_w = out_size(p.in_w, 2, 2, 1, 2, 3, true);
  for (bool include : {false, true}) {
    p.count_include_pad = include;
    check_pool(false, p, 1, {1}, 21);
    check_pool(true, p, 1, {2}, 22);
  }
  // The corner window is all padding: spelled out, not only compared.
  std::vector<float> in(p.in_h * p.in_w * p.channels, 1.f), out(p.out_h * p.out_w * p.channels);
  p.count_include_pad = false;
  k().average(p, in.data(), out.data(), 0, p.out_h);
  EXPECT_TRUE(std::isnan(out[0]));
  k().max(p, in.data(), out.data(), 0, p.out_h);
  EXPECT_EQ(out[0], std::numeric_limits<float>::lowest());
  p.count_include_pad = true;
  k().average(p, in.data(), out.data(), 0, p.out_h);
  EXPECT_EQ(out[0], 0.f);
}

TEST_P(F32Vector, MaxPoolIgnoresNaN) {
  PoolNhwcParams p;
  p.in_h = p.in_w = 2;
  p.channels = 20;
  p.kernel_h = p.kernel_w = 2;
  p.out_h = p.out_w = 1;
  std::vector<float> in(4 * 20, 1.f), out(20);
  for (int c = 0; c < 20; ++c) {
    in[c] = NAN;            // first tap
    in[3 * 20 + c] = 2.f;   // last tap
  }
  k().max(p, in.data(), out.data(), 0, 1);
  for (int c = 0; c < 20; ++c) EXPECT_EQ(out[c], 2.f) << c;
}

// A global pool kernel (NHWC) against its NCHW oracle on odd and round sizes; with `nan`, a
// NaN in the first pixel of the last channel, which a max never selects.
template <typename Kernel, typename Oracle>
void check_global_pool(Kernel kernel, Oracle oracle, uint32_t seed, bool nan) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-3.f, 3.f);
  for (int32_t hw : {1, 4, 49, 64, 256}) {
    for (int32_t c : {1, 3, 17, 33, 56, 64, 96, 100, 120, 200}) {
      SCOPED_TRACE("hw " + std::to_string(hw) + " channels " + std::to_string(c));
      std::vector<float> in(int64_t{hw} * c), out(c, kSentinel), want(c);
      for (float& v : in) v = dist(rng);
      if (nan && hw > 1) in[static_cast<size_t>(c) - 1] = NAN;
      kernel(hw, c, in.data(), out.data());
      const std::vector<float> nchw = nhwc_to_nchw(in, 1, hw, 1, c);
      oracle(c, hw, nchw.data(), want.data());
      for (int32_t i = 0; i < c; ++i) EXPECT_EQ(out[i], want[i]) << "channel " << i;
    }
  }
}

TEST_P(F32Vector, GlobalAverageMatchesReference) {
  check_global_pool(k().global_average, kernels::global_average_pool_f32_ref, 5, false);
}

TEST_P(F32Vector, GlobalMaxMatchesReference) {
  check_global_pool(k().global_max, kernels::global_max_pool_f32_ref, 15, true);
}

TEST_P(F32Vector, AddWithAndWithoutRelu) {
  std::mt19937 rng(6);
  std::uniform_real_distribution<float> dist(-2.f, 2.f);
  for (int64_t n : {0, 1, 7, 15, 17, 33, 63, 64, 65, 1001}) {
    for (bool relu : {false, true}) {
      SCOPED_TRACE("n " + std::to_string(n) + (relu ? " relu" : ""));
      std::vector<float> a(n), b(n), y(n + 1, kSentinel);
      for (float& v : a) v = dist(rng);
      for (float& v : b) v = dist(rng);
      if (n > 2) a[n - 2] = NAN;   // Relu is `s < 0 ? 0 : s`: NaN propagates
      k().add(n, a.data(), b.data(), y.data(), relu);
      for (int64_t i = 0; i < n; ++i) {
        float want = a[i] + b[i];
        if (relu && want < 0.f) want = 0.f;
        EXPECT_TRUE(same(y[i], want)) << i << ": got " << y[i] << " want " << want;
      }
      EXPECT_EQ(y[n], kSentinel) << "wrote past n";
    }
  }
}

// Planar -> channels-last, bit for bit against the oracle: 1 to 5 channels (3 takes the
// shuffle path) over pixel counts around the vector widths (4 and 16 pixels a step), from
// planes longer than the pixels read (a band row of an image), and nothing written past n.
TEST_P(F32Vector, InterleaveMatchesReference) {
  std::mt19937 rng(8);
  std::uniform_real_distribution<float> dist(-3.f, 3.f);
  for (int32_t channels : {1, 2, 3, 4, 5}) {
    for (int64_t n : {0, 1, 3, 4, 5, 15, 16, 17, 31, 33, 47, 48, 224, 1001}) {
      for (int64_t extra : {0, 7}) {
        SCOPED_TRACE("channels " + std::to_string(channels) + " n " + std::to_string(n) + " plane " +
                     std::to_string(n + extra));
        const int64_t plane = n + extra;
        std::vector<float> in(static_cast<size_t>(plane * channels)), out(static_cast<size_t>(n * channels) + 1, kSentinel);
        for (float& v : in) v = dist(rng);
        std::vector<float> want(static_cast<size_t>(n * channels));
        kernels::interleave_planes_f32_ref(channels, plane, n, in.data(), want.data());
        k().interleave(channels, plane, n, in.data(), out.data());
        for (size_t i = 0; i < want.size(); ++i) ASSERT_EQ(out[i], want[i]) << "element " << i;
        EXPECT_EQ(out[want.size()], kSentinel) << "wrote past n pixels";
      }
    }
  }
}

TEST_P(F32Vector, SoftmaxMatchesReference) {
  std::mt19937 rng(7);
  for (auto [rows, cols] : {std::pair{1, 10}, {7, 10}, {3, 1000}, {2, 1}, {5, 17}, {4, 33}, {2, 16}, {3, 64}}) {
    // Offsets of +-500 overflow or underflow exp unless the row's max is subtracted.
    for (auto [spread, offset] : {std::pair{1.f, 0.f}, {30.f, 500.f}, {30.f, -500.f}}) {
      SCOPED_TRACE("rows " + std::to_string(rows) + " cols " + std::to_string(cols) + " spread " +
                   std::to_string(spread) + " offset " + std::to_string(offset));
      std::uniform_real_distribution<float> dist(-spread, spread);
      std::vector<float> x(int64_t{rows} * cols), y(x.size() + 1, kSentinel), want(x.size());
      for (float& v : x) v = dist(rng) + offset;
      k().softmax(rows, cols, x.data(), y.data());
      kernels::SoftmaxParams sp;
      sp.outer = rows;
      sp.axis = cols;
      kernels::softmax_f32_ref(sp, x.data(), want.data());
      for (size_t i = 0; i < x.size(); ++i) EXPECT_NEAR(y[i], want[i], 1e-6f) << "element " << i;
      for (int32_t r = 0; r < rows; ++r) {
        double sum = 0;
        for (int32_t j = 0; j < cols; ++j) sum += y[int64_t{r} * cols + j];
        EXPECT_NEAR(sum, 1.0, 1e-5) << "row " << r;
      }
      EXPECT_EQ(y[x.size()], kSentinel) << "wrote past the last row";
    }
  }
}

TEST_P(F32Vector, SoftmaxSpecialRows) {
  const float inf = std::numeric_limits<float>::infinity();
  for (int32_t cols : {5, 10, 37}) {
    SCOPED_TRACE("cols " + std::to_string(cols));
    // Row 0: a NaN; row 1: +inf; row 2: only -inf; row 3: -inf among finite values.
    std::vector<float> x(4 * cols, 0.5f), y(x.size()), want(x.size());
    x[cols - 1] = NAN;
    x[cols + 1] = inf;
    for (int32_t j = 0; j < cols; ++j) x[2 * cols + j] = -inf;
    x[3 * cols] = -inf;
    x[3 * cols + cols - 1] = -inf;
    k().softmax(4, cols, x.data(), y.data());
    kernels::SoftmaxParams sp;
    sp.outer = 4;
    sp.axis = cols;
    kernels::softmax_f32_ref(sp, x.data(), want.data());
    for (int32_t j = 0; j < 3 * cols; ++j) EXPECT_TRUE(std::isnan(y[j])) << j;
    for (int32_t j = 3 * cols; j < 4 * cols; ++j) EXPECT_NEAR(y[j], want[j], 1e-6f) << j;
    EXPECT_EQ(y[3 * cols], 0.f);
    EXPECT_NEAR(y[3 * cols + 1], 1.f / static_cast<float>(cols - 2), 1e-6f);
  }
}

INSTANTIATE_TEST_SUITE_P(Isa, F32Vector,
                         ::testing::ValuesIn(kernel_test::variant_params(kernels::KernelFamily::VectorF32)),
                         kernel_test::isa_param_name);

}  // namespace
}  // namespace octet
