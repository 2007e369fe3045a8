// Reference Conv: hand-computed cases, random shapes against an independent im2col + matrix
// multiply in double, and the op's validation errors.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "kernels/reference/conv.h"
#include "tests/ref_op_test_util.h"

namespace octet {
namespace {

using namespace octet::testing;

std::vector<float> iota_floats(size_t n, float start = 0.f) {
  std::vector<float> v(n);
  std::iota(v.begin(), v.end(), start);
  return v;
}

Tensor tensor_f32(std::vector<int64_t> dims, const std::vector<float>& v) {
  return Tensor::from<float>(std::move(dims), std::span<const float>(v));
}

// ---- Hand-computed cases (the ONNX documentation's examples: 0..24 with a 3x3 of ones) ----

Node conv_node(std::vector<int64_t> pads, std::vector<int64_t> strides = {1, 1}) {
  Node n = make_node(OpKind::Conv, "conv1");
  n.attrs["pads"] = ints_attr(std::move(pads));
  n.attrs["strides"] = ints_attr(std::move(strides));
  return n;
}

TEST(ReferenceConv, OnesKernelWithPadding) {
  Graph g = graph_at(13);
  Tensor x = tensor_f32({1, 1, 5, 5}, iota_floats(25));
  Tensor w = tensor_f32({1, 1, 3, 3}, std::vector<float>(9, 1.f));
  ref::Outputs r = run(ref::eval_Conv, g, conv_node({1, 1, 1, 1}), {&x, &w});
  EXPECT_EQ(r[0].dims, (std::vector<int64_t>{1, 1, 5, 5}));
  EXPECT_EQ(values<float>(r[0]), (std::vector<float>{12, 21, 27, 33, 24, 33, 54, 63, 72, 51, 63, 99, 108, 117, 81,
                                                     93, 144, 153, 162, 111, 72, 111, 117, 123, 84}));
  r = run(ref::eval_Conv, g, conv_node({0, 0, 0, 0}), {&x, &w});
  EXPECT_EQ(r[0].dims, (std::vector<int64_t>{1, 1, 3, 3}));
  EXPECT_EQ(values<float>(r[0]), (std::vector<float>{54, 63, 72, 99, 108, 117, 144, 153, 162}));
}

TEST(ReferenceConv, StridesWithSymmetricAndAsymmetricPadding) {
  Graph g = graph_at(13);
  Tensor x = tensor_f32({1, 1, 7, 5}, iota_floats(35));
  Tensor w = tensor_f32({1, 1, 3, 3}, std::vector<float>(9, 1.f));
  ref::Outputs r = run(ref::eval_Conv, g, conv_node({1, 1, 1, 1}, {2, 2}), {&x, &w});
  EXPECT_EQ(r[0].dims, (std::vector<int64_t>{1, 1, 4, 3}));
  EXPECT_EQ(values<float>(r[0]), (std::vector<float>{12, 27, 24, 63, 108, 81, 123, 198, 141, 112, 177, 124}));
  // pads [top=1, left=0, bottom=1, right=0]
  r = run(ref::eval_Conv, g, conv_node({1, 0, 1, 0}, {2, 2}), {&x, &w});
  EXPECT_EQ(r[0].dims, (std::vector<int64_t>{1, 1, 4, 2}));
  EXPECT_EQ(values<float>(r[0]), (std::vector<float>{21, 33, 99, 117, 189, 207, 171, 183}));
}

TEST(ReferenceConv, AutoPadSameLower) {
  Graph g = graph_at(13);
  Node n = make_node(OpKind::Conv, "conv_same");
  n.attrs["auto_pad"] = string_attr("SAME_LOWER");
  n.attrs["kernel_shape"] = ints_attr({3, 3});
  n.attrs["strides"] = ints_attr({2, 2});
  Tensor x = tensor_f32({1, 1, 5, 5}, iota_floats(25));
  Tensor w = tensor_f32({1, 1, 3, 3}, std::vector<float>(9, 1.f));
  ref::Outputs r = run(ref::eval_Conv, g, n, {&x, &w});
  EXPECT_EQ(r[0].dims, (std::vector<int64_t>{1, 1, 3, 3}));
  EXPECT_EQ(values<float>(r[0]), (std::vector<float>{12, 27, 24, 63, 108, 81, 72, 117, 84}));
}

TEST(ReferenceConv, BiasGroupsAndDilation) {
  Graph g = graph_at(13);
  // Two groups of one channel each: out0 = 2*x0 + 1, out1 = -x1 + 10 (1x1 kernels).
  Node n = make_node(OpKind::Conv, "grouped");
  n.attrs["group"] = int_attr(2);
  Tensor x = tensor_f32({1, 2, 1, 3}, {1, 2, 3, 4, 5, 6});
  Tensor w = tensor_f32({2, 1, 1, 1}, {2, -1});
  Tensor b = tensor_f32({2}, {1, 10});
  ref::Outputs r = run(ref::eval_Conv, g, n, {&x, &w, &b});
  EXPECT_EQ(values<float>(r[0]), (std::vector<float>{3, 5, 7, 6, 5, 4}));

  // 1-D, dilation 2: y[i] = x[i] + 10*x[i+2].
  Node d = make_node(OpKind::Conv, "dilated");
  d.attrs["dilations"] = ints_attr({2});
  Tensor x1 = tensor_f32({1, 1, 5}, {1, 2, 3, 4, 5});
  Tensor w1 = tensor_f32({1, 1, 2}, {1, 10});
  r = run(ref::eval_Conv, g, d, {&x1, &w1});
  EXPECT_EQ(r[0].dims, (std::vector<int64_t>{1, 1, 3}));
  EXPECT_EQ(values<float>(r[0]), (std::vector<float>{31, 42, 53}));
}

// A pad as wide as the window leaves windows of padding only: refused, as ONNX Runtime does
// (graph/op_attrs.h), naming the pad; one narrower than the window still reaches the input.
TEST(ReferenceConv, PadsAsWideAsTheKernelAreRefused) {
  Graph g = graph_at(13);
  Tensor x = tensor_f32({1, 1, 2, 2}, {1, 2, 3, 4});
  Tensor w = tensor_f32({1, 1, 2, 2}, {1, 1, 1, 1});
  Tensor b = tensor_f32({1}, {0.5f});
  Node wide = conv_node({2, 1, 1, 1});
  try {
    run(ref::eval_Conv, g, wide, {&x, &w, &b});
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("pad 2 at the begin of spatial dim 0 is not smaller than the kernel extent 2"),
              std::string::npos) << e.what();
  }
  Node n = conv_node({1, 1, 1, 1});
  ref::Outputs r = run(ref::eval_Conv, g, n, {&x, &w, &b});
  ASSERT_EQ(r[0].dims, (std::vector<int64_t>{1, 1, 3, 3}));
  const std::vector<float> y = values<float>(r[0]);
  EXPECT_EQ(y[0], 1.5f);        // only x[0][0]
  EXPECT_EQ(y[4], 10.5f);       // the window covering the whole input
  EXPECT_EQ(y[8], 4.5f);        // only x[1][1]
}

// ---- Random shapes against im2col + GEMM in double ----

struct ConvCase {
  int64_t batch, cin, cout, groups;
  std::vector<int64_t> in, kernel, stride, dilation, pad_begin, pad_end;
};

// Expected output via an explicitly zero-padded input, an im2col matrix and a matrix product,
// all in double. Also returns sum |w*x| + |b| per output, which bounds float rounding.
void conv_by_im2col(const ConvCase& c, const std::vector<float>& x, const std::vector<float>& w,
                    const std::vector<float>& b, const std::vector<int64_t>& out, std::vector<double>& y,
                    std::vector<double>& mag) {
  const size_t r = c.in.size();
  std::vector<int64_t> padded(r);
  int64_t padded_size = 1, out_size = 1, k_size = 1, in_size = 1;
  for (size_t i = 0; i < r; ++i) {
    padded[i] = c.in[i] + c.pad_begin[i] + c.pad_end[i];
    padded_size *= padded[i];
    out_size *= out[i];
    k_size *= c.kernel[i];
    in_size *= c.in[i];
  }
  auto unravel = [](int64_t flat, const std::vector<int64_t>& dims) {
    std::vector<int64_t> idx(dims.size());
    for (size_t i = dims.size(); i-- > 0;) {
      idx[i] = flat % dims[i];
      flat /= dims[i];
    }
    return idx;
  };
  auto ravel = [](const std::vector<int64_t>& idx, const std::vector<int64_t>& dims) {
    int64_t f = 0;
    for (size_t i = 0; i < dims.size(); ++i) f = f * dims[i] + idx[i];
    return f;
  };
  const int64_t cin_g = c.cin / c.groups, cout_g = c.cout / c.groups;
  y.assign(static_cast<size_t>(c.batch * c.cout * out_size), 0.0);
  mag.assign(y.size(), 0.0);
  for (int64_t n = 0; n < c.batch; ++n) {
    // Zero-padded copy of this batch item.
    std::vector<double> xp(static_cast<size_t>(c.cin * padded_size), 0.0);
    for (int64_t ch = 0; ch < c.cin; ++ch)
      for (int64_t s = 0; s < in_size; ++s) {
        std::vector<int64_t> idx = unravel(s, c.in);
        for (size_t i = 0; i < r; ++i) idx[i] += c.pad_begin[i];
        xp[static_cast<size_t>(ch * padded_size + ravel(idx, padded))] = x[static_cast<size_t>((n * c.cin + ch) * in_size + s)];
      }
    for (int64_t gr = 0; gr < c.groups; ++gr) {
      // col[(ci, k)][o]
      const int64_t rows = cin_g * k_size;
      std::vector<double> col(static_cast<size_t>(rows * out_size));
      for (int64_t ci = 0; ci < cin_g; ++ci)
        for (int64_t k = 0; k < k_size; ++k)
          for (int64_t o = 0; o < out_size; ++o) {
            const std::vector<int64_t> ki = unravel(k, c.kernel), oi = unravel(o, out);
            std::vector<int64_t> pi(r);
            for (size_t i = 0; i < r; ++i) pi[i] = oi[i] * c.stride[i] + ki[i] * c.dilation[i];
            col[static_cast<size_t>((ci * k_size + k) * out_size + o)] =
                xp[static_cast<size_t>((gr * cin_g + ci) * padded_size + ravel(pi, padded))];
          }
      for (int64_t m = 0; m < cout_g; ++m) {
        const int64_t co = gr * cout_g + m;
        for (int64_t o = 0; o < out_size; ++o) {
          double acc = 0, a = 0;
          for (int64_t row = 0; row < rows; ++row) {
            const double t = w[static_cast<size_t>(co * rows + row)] * col[static_cast<size_t>(row * out_size + o)];
            acc += t;
            a += std::fabs(t);
          }
          const size_t yi = static_cast<size_t>((n * c.cout + co) * out_size + o);
          y[yi] = acc + (b.empty() ? 0.0 : b[static_cast<size_t>(co)]);
          mag[yi] = a + (b.empty() ? 0.0 : std::fabs(b[static_cast<size_t>(co)]));
        }
      }
    }
  }
}

void check_random_conv(const ConvCase& c, uint32_t seed, bool with_bias) {
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1.f, 1.f);
  const size_t r = c.in.size();
  std::vector<int64_t> out(r);
  for (size_t i = 0; i < r; ++i)
    out[i] = (c.in[i] + c.pad_begin[i] + c.pad_end[i] - ((c.kernel[i] - 1) * c.dilation[i] + 1)) / c.stride[i] + 1;

  std::vector<int64_t> x_dims{c.batch, c.cin}, w_dims{c.cout, c.cin / c.groups};
  x_dims.insert(x_dims.end(), c.in.begin(), c.in.end());
  w_dims.insert(w_dims.end(), c.kernel.begin(), c.kernel.end());
  auto fill = [&](const std::vector<int64_t>& dims) {
    int64_t n = 1;
    for (int64_t d : dims) n *= d;
    std::vector<float> v(static_cast<size_t>(n));
    for (float& f : v) f = dist(rng);
    return v;
  };
  const std::vector<float> x = fill(x_dims), w = fill(w_dims);
  const std::vector<float> b = with_bias ? fill({c.cout}) : std::vector<float>{};

  // Through the op, so attribute handling is covered as well as the kernel.
  Graph g = graph_at(13);
  Node n = make_node(OpKind::Conv, "random_conv");
  n.attrs["group"] = int_attr(c.groups);
  n.attrs["strides"] = ints_attr(c.stride);
  n.attrs["dilations"] = ints_attr(c.dilation);
  std::vector<int64_t> pads = c.pad_begin;
  pads.insert(pads.end(), c.pad_end.begin(), c.pad_end.end());
  n.attrs["pads"] = ints_attr(pads);
  Tensor xt = tensor_f32(x_dims, x), wt = tensor_f32(w_dims, w);
  Tensor bt = with_bias ? tensor_f32({c.cout}, b) : Tensor();
  ref::Outputs res = run(ref::eval_Conv, g, n, {&xt, &wt, with_bias ? &bt : nullptr});
  std::vector<int64_t> y_dims{c.batch, c.cout};
  y_dims.insert(y_dims.end(), out.begin(), out.end());
  ASSERT_EQ(res[0].dims, y_dims);

  std::vector<double> want, mag;
  conv_by_im2col(c, x, w, b, out, want, mag);
  const std::vector<float> got = values<float>(res[0]);
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i)
    ASSERT_NEAR(got[i], want[i], 1e-5 * mag[i] + 1e-6) << "output " << i;
}

TEST(ReferenceConv, Random2DMatchesIm2col) {
  const std::vector<ConvCase> cases = {
      // batch, cin, cout, groups, in, kernel, stride, dilation, pad_begin, pad_end
      {1, 3, 5, 1, {9, 7}, {3, 3}, {1, 1}, {1, 1}, {1, 1}, {1, 1}},
      {7, 3, 4, 1, {8, 9}, {3, 2}, {2, 2}, {1, 1}, {0, 1}, {2, 0}},    // stride 2, asymmetric pads
      {2, 5, 3, 1, {11, 10}, {3, 3}, {1, 2}, {2, 3}, {2, 1}, {1, 3}},  // dilations
      {1, 6, 9, 3, {7, 7}, {3, 3}, {2, 1}, {1, 1}, {1, 1}, {1, 1}},    // groups
      {7, 5, 5, 5, {6, 5}, {3, 3}, {1, 1}, {1, 1}, {1, 1}, {1, 1}},    // depthwise
      {3, 4, 8, 4, {9, 9}, {3, 3}, {2, 2}, {1, 1}, {1, 0}, {0, 1}},    // depthwise multiplier 2
      {2, 7, 3, 1, {5, 6}, {1, 1}, {1, 1}, {1, 1}, {0, 0}, {0, 0}},    // 1x1
      {2, 3, 2, 1, {4, 5}, {4, 5}, {1, 1}, {1, 1}, {0, 0}, {0, 0}},    // kernel == input
      {1, 2, 3, 1, {3, 3}, {3, 3}, {1, 1}, {1, 1}, {2, 1}, {1, 2}},    // pads = kernel-1 (the widest allowed)
      {1, 2, 3, 1, {5, 4}, {2, 2}, {2, 1}, {3, 2}, {3, 2}, {2, 2}},    // dilated: pads up to the extent-1
  };
  uint32_t seed = 100;
  for (const ConvCase& c : cases) {
    check_random_conv(c, seed++, true);
    check_random_conv(c, seed++, false);
  }
}

TEST(ReferenceConv, Random1DAnd3DMatchIm2col) {
  check_random_conv({3, 3, 4, 1, {13}, {3}, {2}, {2}, {1}, {2}}, 1, true);
  check_random_conv({1, 4, 4, 4, {10}, {5}, {1}, {1}, {2}, {2}}, 2, false);
  check_random_conv({2, 3, 4, 1, {5, 6, 4}, {3, 2, 3}, {2, 1, 1}, {1, 2, 1}, {1, 0, 1}, {0, 1, 2}}, 3, true);
  check_random_conv({1, 4, 2, 2, {4, 4, 4}, {2, 2, 2}, {2, 2, 2}, {1, 1, 1}, {0, 0, 0}, {0, 0, 0}}, 4, true);
}

TEST(ReferenceConv, KernelAccumulatesInFloatThenAddsBias) {
  // 1e8 + 1 - 1e8 in float is 0 (1 is lost): the order (c, k) then bias is observable.
  kernels::ConvParams p;
  p.in_channels = 3;
  p.out_channels = 1;
  p.in = {1, 1, 1};
  p.out = {1, 1, 1};
  const float x[3] = {1e8f, 1.f, -1e8f}, w[3] = {1.f, 1.f, 1.f}, bias[1] = {0.25f};
  float y = -1.f;
  kernels::conv_f32_ref(p, x, w, bias, &y);
  EXPECT_EQ(y, 0.25f);
}

// ---- Validation ----

TEST(ReferenceConvErrors, ChannelMismatchNamesNodeAndOp) {
  Graph g = graph_at(13);
  Node n = make_node(OpKind::Conv, "conv_bad");
  Tensor x(DType::Float32, {1, 3, 5, 5});
  Tensor w(DType::Float32, {4, 2, 3, 3});
  expect_error(ref::eval_Conv, g, n, {&x, &w}, "3 channels but weight W [4,2,3,3] with group 1 expects 2");
  n.attrs["group"] = int_attr(3);
  Tensor w3(DType::Float32, {4, 1, 3, 3});
  expect_error(ref::eval_Conv, g, n, {&x, &w3}, "4 output channels are not divisible by group 3");
}

TEST(ReferenceConvErrors, BadInputs) {
  Graph g = graph_at(13);
  Node n = make_node(OpKind::Conv, "conv_bad");
  Tensor x(DType::Float32, {1, 2, 5, 5});
  Tensor w(DType::Float32, {4, 2, 3, 3});
  Tensor b(DType::Float32, {3});
  expect_error(ref::eval_Conv, g, n, {&x, &w, &b}, "bias B must have shape [4]");
  Tensor w_rank(DType::Float32, {4, 2, 3});
  expect_error(ref::eval_Conv, g, n, {&x, &w_rank}, "must have the rank of input X");
  Tensor x2(DType::Float32, {2, 5});
  expect_error(ref::eval_Conv, g, n, {&x2, &w}, "spatial dims");
  Tensor xd(DType::Float64, {1, 2, 5, 5});
  expect_error(ref::eval_Conv, g, n, {&xd, &w}, "float64 is not supported");
  Tensor x_small(DType::Float32, {1, 2, 2, 2});
  expect_error(ref::eval_Conv, g, n, {&x_small, &w}, "larger than the padded input");
  n.attrs["kernel_shape"] = ints_attr({2, 2});
  expect_error(ref::eval_Conv, g, n, {&x, &w}, "kernel_shape does not match");
  Node z = make_node(OpKind::Conv, "conv_group0");
  z.attrs["group"] = int_attr(0);
  expect_error(ref::eval_Conv, g, z, {&x, &w}, "group must be positive");
}

}  // namespace
}  // namespace octet
