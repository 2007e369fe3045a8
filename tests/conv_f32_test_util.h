// Test helpers shared by the FP32 conv kernel tests (test_f32_conv_direct.cpp,
// test_f32_conv_1x1_pairs.cpp): a case (NHWC geometry, padding, batch, epilogue), random data,
// the scalar NCHW reference in NHWC, running a kernel over row pieces with guard floats after
// every buffer it writes, and the tolerance check.
//
// Tolerance: |got - want| <= 1e-5 * (sum of |w| |x| over the taps + |bias| + |residual|)
// + 1e-6. Both sides accumulate in float; only the order differs (the kernels sum
// (kh, kw, ci) from the bias, the reference (ci, kh, kw) then adds the bias), so the error
// is a few ulps of the absolute sum.
#pragma once
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <initializer_list>
#include <random>
#include <string>
#include <vector>

#include "kernels/f32/conv.h"
#include "kernels/reference/conv.h"
#include "tests/conv_reference_util.h"

namespace octet::conv_f32_test {

using kernels::Activation;
using kernels::ConvF32Kernel;
using kernels::ConvNhwcParams;

struct Case {
  int32_t batch = 1;
  ConvNhwcParams p;
  int32_t pad_bottom = 0, pad_right = 0;
  bool bias = true;
  bool residual = false;
};

// Fills out_h/out_w from the padding; false if the output would be empty.
inline bool finish_shape(Case& c) {
  ConvNhwcParams& p = c.p;
  const int32_t span_h = (p.kernel_h - 1) * p.dilation_h + 1;
  const int32_t span_w = (p.kernel_w - 1) * p.dilation_w + 1;
  const int32_t h = p.in_h + p.pad_top + c.pad_bottom - span_h;
  const int32_t w = p.in_w + p.pad_left + c.pad_right - span_w;
  if (h < 0 || w < 0) return false;
  p.out_h = h / p.stride_h + 1;
  p.out_w = w / p.stride_w + 1;
  return true;
}

inline std::string describe(const Case& c) {
  const ConvNhwcParams& p = c.p;
  char buf[320];
  std::snprintf(buf, sizeof buf,
                "N%d %dx%dx%d -> %dx%dx%d k%dx%d s%dx%d d%dx%d pad t%d l%d b%d r%d bias%d res%d act%d [%g,%g]", c.batch,
                p.in_h, p.in_w, p.in_c, p.out_h, p.out_w, p.out_c, p.kernel_h, p.kernel_w, p.stride_h, p.stride_w,
                p.dilation_h, p.dilation_w, p.pad_top, p.pad_left, c.pad_bottom, c.pad_right, c.bias, c.residual,
                static_cast<int>(p.activation), p.clip_min, p.clip_max);
  return buf;
}

struct Data {
  std::vector<float> input;      // NHWC, batch images
  std::vector<float> weight;     // OIHW
  std::vector<float> bias;       // empty if none
  std::vector<float> residual;   // NHWC output shape, empty if none
};

inline Data random_data(const Case& c, std::mt19937& rng) {
  const ConvNhwcParams& p = c.p;
  std::uniform_real_distribution<float> u(-1.f, 1.f);
  Data d;
  d.input.resize(size_t(c.batch) * p.in_h * p.in_w * p.in_c);
  d.weight.resize(size_t(p.out_c) * p.in_c * p.kernel_h * p.kernel_w);
  for (float& v : d.input) v = u(rng);
  for (float& v : d.weight) v = u(rng);
  if (c.bias) {
    d.bias.resize(p.out_c);
    for (float& v : d.bias) v = u(rng);
  }
  if (c.residual) {
    d.residual.resize(size_t(c.batch) * p.out_h * p.out_w * p.out_c);
    for (float& v : d.residual) v = u(rng);
  }
  return d;
}

// Reference in NCHW, returned in NHWC without residual or activation.
inline std::vector<float> reference_nhwc(const Case& c, const std::vector<float>& in_nhwc,
                                         const std::vector<float>& weight, const float* bias) {
  const ConvNhwcParams& p = c.p;
  const kernels::ConvParams rp = kernel_test::reference_conv_params(p, c.batch);
  const size_t in_hw = size_t(p.in_h) * p.in_w, out_hw = size_t(p.out_h) * p.out_w;
  std::vector<float> in_nchw(in_nhwc.size());
  for (int32_t n = 0; n < c.batch; ++n)
    for (size_t i = 0; i < in_hw; ++i)
      for (int32_t ch = 0; ch < p.in_c; ++ch)
        in_nchw[(n * size_t(p.in_c) + ch) * in_hw + i] = in_nhwc[(n * in_hw + i) * p.in_c + ch];
  std::vector<float> out_nchw(size_t(c.batch) * p.out_c * out_hw);
  kernels::conv_f32_ref(rp, in_nchw.data(), weight.data(), bias, out_nchw.data());
  std::vector<float> out(out_nchw.size());
  for (int32_t n = 0; n < c.batch; ++n)
    for (size_t i = 0; i < out_hw; ++i)
      for (int32_t ch = 0; ch < p.out_c; ++ch)
        out[(n * out_hw + i) * p.out_c + ch] = out_nchw[(n * size_t(p.out_c) + ch) * out_hw + i];
  return out;
}

inline float activate(float v, const ConvNhwcParams& p) {
  const auto unit = [](float x) { return x < 0.f ? 0.f : (x > 1.f ? 1.f : x); };
  switch (p.activation) {
    case Activation::Relu: return v < 0.f ? 0.f : v;
    case Activation::Clip: return v < p.clip_min ? p.clip_min : (v > p.clip_max ? p.clip_max : v);
    case Activation::Sigmoid: return 1.f / (1.f + std::exp(-v));
    case Activation::HardSigmoid: return unit(p.alpha * v + p.beta);
    case Activation::HardSwish: return v * unit(v / 6.f + 0.5f);
    case Activation::SiLU: return v / (1.f + std::exp(-v));
    default: return v;
  }
}

// How much an activation may magnify the sum's rounding error (its largest slope: HardSwish
// 1.5 at x = 3, SiLU 1.1), and the error of the vector exp.
inline float activation_slack(const ConvNhwcParams& p) {
  const bool clamp = p.activation == Activation::None || p.activation == Activation::Relu ||
                     p.activation == Activation::Clip;
  return clamp ? 1.f : 2.f;
}

inline constexpr size_t kGuard = 67;   // sentinel floats after each buffer the kernel writes
inline constexpr float kSentinel = 12345.f;

// Runs the kernel over each image, computing the output rows in the pieces [cuts[i], cuts[i+1]).
// `in_place` passes the residual in the output buffer (the engine may fuse an Add that way).
inline std::vector<float> run_kernel(const ConvF32Kernel& k, const Case& c, const Data& d,
                                     const std::vector<int32_t>& cuts, bool in_place = false) {
  const ConvNhwcParams& p = c.p;
  std::vector<float> packed(k.packed_floats(p) + kGuard, kSentinel);
  k.pack(p, d.weight.data(), c.bias ? d.bias.data() : nullptr, packed.data());
  for (size_t i = packed.size() - kGuard; i < packed.size(); ++i) EXPECT_EQ(packed[i], kSentinel) << "pack overrun";
  std::vector<float> ws(k.workspace_floats(p) + kGuard, kSentinel);
  const size_t in_img = size_t(p.in_h) * p.in_w * p.in_c, out_img = size_t(p.out_h) * p.out_w * p.out_c;
  std::vector<float> out(out_img * c.batch + kGuard, kSentinel);
  if (in_place && c.residual) std::copy(d.residual.begin(), d.residual.end(), out.begin());
  for (int32_t n = 0; n < c.batch; ++n) {
    const float* res = nullptr;
    if (c.residual) res = in_place ? out.data() + n * out_img : d.residual.data() + n * out_img;
    for (size_t i = 0; i + 1 < cuts.size(); ++i) {
      k.run(p, packed.data(), d.input.data() + n * in_img, res, out.data() + n * out_img, ws.data(), cuts[i],
            cuts[i + 1]);
    }
  }
  for (size_t i = ws.size() - kGuard; i < ws.size(); ++i) EXPECT_EQ(ws[i], kSentinel) << "workspace overrun";
  for (size_t i = out.size() - kGuard; i < out.size(); ++i) EXPECT_EQ(out[i], kSentinel) << "output overrun";
  out.resize(out_img * c.batch);
  return out;
}

// Compares one variant with the reference; returns false (after reporting) on mismatch.
inline bool check(const ConvF32Kernel& k, const Case& c, const Data& d, const std::vector<int32_t>& cuts,
                  bool in_place = false) {
  const ConvNhwcParams& p = c.p;
  const std::vector<float> want_raw = reference_nhwc(c, d.input, d.weight, c.bias ? d.bias.data() : nullptr);
  // Scale of the sum: the same convolution over absolute values.
  std::vector<float> abs_in(d.input), abs_w(d.weight), abs_b(d.bias);
  for (float& v : abs_in) v = std::fabs(v);
  for (float& v : abs_w) v = std::fabs(v);
  for (float& v : abs_b) v = std::fabs(v);
  const std::vector<float> scale = reference_nhwc(c, abs_in, abs_w, c.bias ? abs_b.data() : nullptr);
  const std::vector<float> got = run_kernel(k, c, d, cuts, in_place);
  if (got.size() != want_raw.size()) {
    ADD_FAILURE() << k.name << " output size";
    return false;
  }
  int bad = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    const float res = c.residual ? d.residual[i] : 0.f;
    const float want = activate(want_raw[i] + res, p);
    const float tol = (1e-5f * (scale[i] + std::fabs(res)) + 1e-6f) * activation_slack(p);
    if (!(std::fabs(got[i] - want) <= tol)) {
      if (++bad <= 5) {
        const size_t ch = i % p.out_c, px = i / p.out_c;
        ADD_FAILURE() << k.name << " " << describe(c) << ": pixel " << px << " (ow " << px % p.out_w << ") channel "
                      << ch << ": got " << got[i] << " want " << want << " tol " << tol;
      }
    }
  }
  return bad == 0;
}

inline std::vector<int32_t> whole(const Case& c) { return {0, c.p.out_h}; }

// Random cut of [0, out_h) into 1 to 4 pieces.
inline std::vector<int32_t> random_cuts(const Case& c, std::mt19937& rng) {
  std::vector<int32_t> cuts = {0};
  const int32_t pieces = std::uniform_int_distribution<int32_t>(1, 4)(rng);
  for (int32_t i = 1; i < pieces; ++i) {
    const int32_t at = std::uniform_int_distribution<int32_t>(cuts.back(), c.p.out_h)(rng);
    cuts.push_back(at);
  }
  cuts.push_back(c.p.out_h);
  return cuts;
}

inline void random_epilogue(Case& c, std::mt19937& rng) {
  // Every activation a conv epilogue takes (the tiles pick their store loop by it).
  const Activation fused[] = {Activation::None,        Activation::Relu,      Activation::Clip, Activation::Sigmoid,
                              Activation::HardSigmoid, Activation::HardSwish, Activation::SiLU};
  c.p.activation = fused[std::uniform_int_distribution<int>(0, 6)(rng)];
  c.p.clip_min = -0.5f;
  c.p.clip_max = 0.75f;
  c.p.alpha = 0.2f;
  c.p.beta = 0.5f;
  c.residual = std::uniform_int_distribution<int>(0, 2)(rng) == 0;
  c.bias = std::uniform_int_distribution<int>(0, 4)(rng) != 0;
}

template <class T>
T pick(std::mt19937& rng, std::initializer_list<T> options) {
  const size_t i = std::uniform_int_distribution<size_t>(0, options.size() - 1)(rng);
  return options.begin()[i];
}


inline Case make_case(int32_t in_hw, int32_t in_c, int32_t out_c, int32_t k, int32_t stride, int32_t pt,
                      int32_t pl, int32_t pb, int32_t pr) {
  Case c;
  c.p.in_h = c.p.in_w = in_hw;
  c.p.in_c = in_c;
  c.p.out_c = out_c;
  c.p.kernel_h = c.p.kernel_w = k;
  c.p.stride_h = c.p.stride_w = stride;
  c.p.pad_top = pt;
  c.p.pad_left = pl;
  c.pad_bottom = pb;
  c.pad_right = pr;
  finish_shape(c);
  return c;
}

}  // namespace octet::conv_f32_test
