// Reference AveragePool, MaxPool and GlobalAveragePool: the ONNX conformance suite's small
// precomputed cases, random shapes against a brute-force loop over an explicitly padded
// input in double, and the ops' validation errors.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "kernels/reference/pool.h"
#include "tests/ref_op_test_util.h"

namespace octet {
namespace {

using namespace octet::testing;

Tensor tensor_f32(std::vector<int64_t> dims, const std::vector<float>& v) {
  return Tensor::from<float>(std::move(dims), std::span<const float>(v));
}

std::vector<float> one_to(size_t n) {
  std::vector<float> v(n);
  std::iota(v.begin(), v.end(), 1.f);
  return v;
}

Node pool_node(OpKind op, std::vector<int64_t> kernel) {
  Node n = make_node(op, "pool1");
  n.attrs["kernel_shape"] = ints_attr(std::move(kernel));
  return n;
}

void expect_floats_near(const std::vector<float>& got, const std::vector<float>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-5f * std::fabs(want[i])) << "element " << i;
}

// ---- Expected values from the ONNX conformance data (test_averagepool_2d_* etc.) ----

TEST(ReferenceAveragePool, CeilModeDividesByElementsInside) {
  Graph g = graph_at(11);
  Node n = pool_node(OpKind::AveragePool, {3, 3});
  n.attrs["strides"] = ints_attr({2, 2});
  n.attrs["ceil_mode"] = int_attr(1);
  Tensor x = tensor_f32({1, 1, 4, 4}, one_to(16));
  ref::Outputs r = run(ref::eval_AveragePool, g, n, {&x});
  EXPECT_EQ(r[0].dims, (std::vector<int64_t>{1, 1, 2, 2}));
  EXPECT_EQ(values<float>(r[0]), (std::vector<float>{6, 7.5, 12, 13.5}));
}

TEST(ReferenceAveragePool, PadsWithAndWithoutCountIncludePad) {
  Graph g = graph_at(11);
  Node n = pool_node(OpKind::AveragePool, {5, 5});
  n.attrs["pads"] = ints_attr({2, 2, 2, 2});
  Tensor x = tensor_f32({1, 1, 5, 5}, one_to(25));
  ref::Outputs r = run(ref::eval_AveragePool, g, n, {&x});
  EXPECT_EQ(values<float>(r[0]), (std::vector<float>{7, 7.5, 8, 8.5, 9, 9.5, 10, 10.5, 11, 11.5, 12, 12.5, 13,
                                                     13.5, 14, 14.5, 15, 15.5, 16, 16.5, 17, 17.5, 18, 18.5, 19}));
  n.attrs["count_include_pad"] = int_attr(1);
  r = run(ref::eval_AveragePool, g, n, {&x});
  expect_floats_near(values<float>(r[0]),
                     {2.52f, 3.6f, 4.8f, 4.08f, 3.24f, 4.56f, 6.4f, 8.4f, 7.04f, 5.52f, 7.2f, 10.f, 13.f, 10.8f, 8.4f,
                      6.96f, 9.6f, 12.4f, 10.24f, 7.92f, 6.12f, 8.4f, 10.8f, 8.88f, 6.84f});
}

TEST(ReferenceAveragePool, SameUpper) {
  Graph g = graph_at(11);
  Node n = pool_node(OpKind::AveragePool, {3, 3});
  n.attrs["strides"] = ints_attr({2, 2});
  n.attrs["auto_pad"] = string_attr("SAME_UPPER");
  Tensor x = tensor_f32({1, 1, 5, 5}, one_to(25));
  ref::Outputs r = run(ref::eval_AveragePool, g, n, {&x});
  EXPECT_EQ(r[0].dims, (std::vector<int64_t>{1, 1, 3, 3}));
  EXPECT_EQ(values<float>(r[0]), (std::vector<float>{4, 5.5, 7, 11.5, 13, 14.5, 19, 20.5, 22}));
}

TEST(ReferenceAveragePool, CeilModeWithCountIncludePadStopsAtEndPadding) {
  // 1-D, x = 1..5, kernel 3, stride 2, pads [1, 1], ceil_mode: windows start at -1, 1, 3, 5?
  // out = ceil((5 + 2 - 3) / 2) + 1 = 3; the last window [3, 6) has taps 3, 4 (input) and
  // 5 (end padding): 3 taps in the padded input, so (4 + 5 + 0) / 3.
  Graph g = graph_at(11);
  Node n = pool_node(OpKind::AveragePool, {3});
  n.attrs["strides"] = ints_attr({2});
  n.attrs["pads"] = ints_attr({1, 1});
  n.attrs["count_include_pad"] = int_attr(1);
  n.attrs["ceil_mode"] = int_attr(1);
  Tensor x = tensor_f32({1, 1, 5}, one_to(5));
  ref::Outputs r = run(ref::eval_AveragePool, g, n, {&x});
  ASSERT_EQ(r[0].dims, (std::vector<int64_t>{1, 1, 3}));
  expect_floats_near(values<float>(r[0]), {(0 + 1 + 2) / 3.f, (2 + 3 + 4) / 3.f, (4 + 5 + 0) / 3.f});
  // x = 1..6: out = ceil((6 + 2 - 3) / 2) + 1 = 4; the last window [5, 8) has one input tap
  // (6), one end-padding tap and one past the padded input that is not counted: 6 / 2.
  Tensor x6 = tensor_f32({1, 1, 6}, one_to(6));
  r = run(ref::eval_AveragePool, g, n, {&x6});
  ASSERT_EQ(r[0].dims, (std::vector<int64_t>{1, 1, 4}));
  expect_floats_near(values<float>(r[0]), {3 / 3.f, 9 / 3.f, 15 / 3.f, 6 / 2.f});
  n.attrs["count_include_pad"] = int_attr(0);
  r = run(ref::eval_AveragePool, g, n, {&x6});
  expect_floats_near(values<float>(r[0]), {3 / 2.f, 9 / 3.f, 15 / 3.f, 6 / 1.f});
}

TEST(ReferenceMaxPool, CeilDilationsAndUint8) {
  Graph g = graph_at(12);
  Tensor x = tensor_f32({1, 1, 4, 4}, one_to(16));
  Node ceil = pool_node(OpKind::MaxPool, {3, 3});
  ceil.attrs["strides"] = ints_attr({2, 2});
  ceil.attrs["ceil_mode"] = int_attr(1);
  EXPECT_EQ(values<float>(run(ref::eval_MaxPool, g, ceil, {&x})[0]), (std::vector<float>{11, 12, 15, 16}));
  Node dil = pool_node(OpKind::MaxPool, {2, 2});
  dil.attrs["dilations"] = ints_attr({2, 2});
  EXPECT_EQ(values<float>(run(ref::eval_MaxPool, g, dil, {&x})[0]), (std::vector<float>{11, 12, 15, 16}));

  std::vector<uint8_t> xv(25);
  std::iota(xv.begin(), xv.end(), uint8_t{1});
  Tensor xu = Tensor::from<uint8_t>({1, 1, 5, 5}, std::span<const uint8_t>(xv));
  Node pads = pool_node(OpKind::MaxPool, {5, 5});
  pads.attrs["pads"] = ints_attr({2, 2, 2, 2});
  ref::Outputs r = run(ref::eval_MaxPool, g, pads, {&xu});
  EXPECT_EQ(r[0].dtype, DType::Uint8);
  EXPECT_EQ(values<uint8_t>(r[0]), (std::vector<uint8_t>{13, 14, 15, 15, 15, 18, 19, 20, 20, 20, 23, 24, 25, 25, 25,
                                                         23, 24, 25, 25, 25, 23, 24, 25, 25, 25}));
}

TEST(ReferenceMaxPool, IndicesRowAndColumnMajor) {
  Graph g = graph_at(12);
  Tensor x = tensor_f32({1, 1, 5, 5}, one_to(25));
  Node n = pool_node(OpKind::MaxPool, {2, 2});
  n.attrs["strides"] = ints_attr({2, 2});
  n.outputs = {0, 1};
  n.attrs["storage_order"] = int_attr(1);
  ref::Outputs r = run(ref::eval_MaxPool, g, n, {&x});
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(values<float>(r[0]), (std::vector<float>{7, 9, 17, 19}));
  EXPECT_EQ(r[1].dtype, DType::Int64);
  EXPECT_EQ(values<int64_t>(r[1]), (std::vector<int64_t>{6, 16, 8, 18}));
  n.attrs["storage_order"] = int_attr(0);
  EXPECT_EQ(values<int64_t>(run(ref::eval_MaxPool, g, n, {&x})[1]), (std::vector<int64_t>{6, 8, 16, 18}));

  // Indices count over the whole tensor: batch 2, channels 2 offset by 25 per plane.
  std::vector<float> v(100);
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(i % 25);
  Tensor x4 = tensor_f32({2, 2, 5, 5}, v);
  r = run(ref::eval_MaxPool, g, n, {&x4});
  const std::vector<int64_t> ind = values<int64_t>(r[1]);
  ASSERT_EQ(ind.size(), 16u);
  EXPECT_EQ(ind[0], 6);
  EXPECT_EQ(ind[4], 25 + 6);
  EXPECT_EQ(ind[15], 75 + 18);
}

// A window entirely in padding would have no maximum: refused, as ONNX Runtime does.
TEST(ReferenceMaxPool, WindowEntirelyInPaddingIsRefused) {
  Graph g = graph_at(12);
  Node n = pool_node(OpKind::MaxPool, {1});
  n.attrs["pads"] = ints_attr({1, 0});
  Tensor x = tensor_f32({1, 1, 2}, {-5, 3});
  try {
    run(ref::eval_MaxPool, g, n, {&x});
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("(MaxPool, opset 12): pad 1 at the begin of spatial dim 0 is not smaller "
                                         "than the kernel extent 1"),
              std::string::npos) << e.what();
  }
}

TEST(ReferenceGlobalAveragePool, MeanPerPlane) {
  Graph g = graph_at(1);
  Node n = make_node(OpKind::GlobalAveragePool, "gap");
  Tensor x = tensor_f32({1, 1, 3, 3}, one_to(9));
  ref::Outputs r = run(ref::eval_GlobalAveragePool, g, n, {&x});
  EXPECT_EQ(r[0].dims, (std::vector<int64_t>{1, 1, 1, 1}));
  EXPECT_EQ(values<float>(r[0]), (std::vector<float>{5}));
  Tensor x3 = tensor_f32({2, 3, 2}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13});
  r = run(ref::eval_GlobalAveragePool, g, n, {&x3});
  EXPECT_EQ(r[0].dims, (std::vector<int64_t>{2, 3, 1}));
  EXPECT_EQ(values<float>(r[0]), (std::vector<float>{1.5, 3.5, 5.5, 7.5, 9.5, 12}));
}

// ---- Random shapes against brute force over an explicitly padded input ----

struct PoolCase {
  int64_t batch, channels;
  std::vector<int64_t> in, kernel, stride, dilation, pad_begin, pad_end;
  bool ceil_mode;
};

// Output size by the formula of the ONNX spec (and PyTorch's ceil-mode rule: the last
// window must start inside the input or the leading padding).
int64_t expected_out(int64_t in, int64_t k, int64_t s, int64_t d, int64_t pb, int64_t pe, bool ceil_mode) {
  const double span = static_cast<double>((k - 1) * d + 1);
  const double q = (static_cast<double>(in + pb + pe) - span) / static_cast<double>(s);
  int64_t out = static_cast<int64_t>(ceil_mode ? std::ceil(q) : std::floor(q)) + 1;
  if (ceil_mode && (out - 1) * s >= in + pb) --out;
  return out;
}

void check_random_pool(const PoolCase& c, uint32_t seed) {
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-4.f, 4.f);
  const size_t r = c.in.size();
  std::vector<int64_t> out(r), x_dims{c.batch, c.channels}, y_dims{c.batch, c.channels};
  int64_t plane = 1, out_plane = 1;
  for (size_t i = 0; i < r; ++i) {
    out[i] = expected_out(c.in[i], c.kernel[i], c.stride[i], c.dilation[i], c.pad_begin[i], c.pad_end[i], c.ceil_mode);
    plane *= c.in[i];
    out_plane *= out[i];
  }
  x_dims.insert(x_dims.end(), c.in.begin(), c.in.end());
  y_dims.insert(y_dims.end(), out.begin(), out.end());
  std::vector<float> x(static_cast<size_t>(c.batch * c.channels * plane));
  for (float& f : x) f = dist(rng);

  // The padded grid, extended past the end padding far enough for every ceil-mode window.
  // Each cell is 0 = input, 1 = padding, 2 = beyond the padded input.
  std::vector<int64_t> grid(r);
  int64_t grid_size = 1;
  for (size_t i = 0; i < r; ++i) {
    grid[i] = (out[i] - 1) * c.stride[i] + (c.kernel[i] - 1) * c.dilation[i] + 1;
    grid[i] = std::max(grid[i], c.in[i] + c.pad_begin[i] + c.pad_end[i]);
    grid_size *= grid[i];
  }
  std::vector<double> want_avg_incl, want_avg_excl, want_max;
  std::vector<int64_t> want_arg;
  for (int64_t nc = 0; nc < c.batch * c.channels; ++nc) {
    std::vector<double> val(static_cast<size_t>(grid_size), 0.0);
    std::vector<int> kind(static_cast<size_t>(grid_size));
    std::vector<int64_t> src(static_cast<size_t>(grid_size), -1);
    for (int64_t cell = 0; cell < grid_size; ++cell) {
      int64_t rem = cell, in_flat = 0, mult = 1;
      int k = 0;
      std::vector<int64_t> gi(r);
      for (size_t i = r; i-- > 0;) {
        gi[i] = rem % grid[i];
        rem /= grid[i];
      }
      for (size_t i = 0; i < r; ++i) {
        const int64_t pos = gi[i] - c.pad_begin[i];
        if (pos >= c.in[i] + c.pad_end[i]) k = 2;
        else if ((pos < 0 || pos >= c.in[i]) && k == 0) k = 1;
      }
      for (size_t i = r; i-- > 0;) {
        in_flat += (gi[i] - c.pad_begin[i]) * mult;
        mult *= c.in[i];
      }
      kind[static_cast<size_t>(cell)] = k;
      if (k == 0) {
        val[static_cast<size_t>(cell)] = x[static_cast<size_t>(nc * plane + in_flat)];
        src[static_cast<size_t>(cell)] = in_flat;
      }
    }
    for (int64_t o = 0; o < out_plane; ++o) {
      std::vector<int64_t> oi(r);
      int64_t rem = o;
      for (size_t i = r; i-- > 0;) {
        oi[i] = rem % out[i];
        rem /= out[i];
      }
      int64_t taps = 1;
      for (size_t i = 0; i < r; ++i) taps *= c.kernel[i];
      double sum = 0, best = -std::numeric_limits<double>::infinity();
      int64_t n_input = 0, n_padded = 0, arg = -1;
      for (int64_t t = 0; t < taps; ++t) {
        std::vector<int64_t> ki(r);
        int64_t trem = t;
        for (size_t i = r; i-- > 0;) {
          ki[i] = trem % c.kernel[i];
          trem /= c.kernel[i];
        }
        int64_t cell = 0;
        for (size_t i = 0; i < r; ++i) cell = cell * grid[i] + oi[i] * c.stride[i] + ki[i] * c.dilation[i];
        const int k = kind[static_cast<size_t>(cell)];
        if (k == 0) {
          sum += val[static_cast<size_t>(cell)];
          ++n_input;
          if (val[static_cast<size_t>(cell)] > best) {
            best = val[static_cast<size_t>(cell)];
            arg = src[static_cast<size_t>(cell)];
          }
        }
        if (k != 2) ++n_padded;
      }
      want_avg_incl.push_back(sum / static_cast<double>(n_padded));
      want_avg_excl.push_back(sum / static_cast<double>(n_input));
      want_max.push_back(best);
      want_arg.push_back(nc * plane + arg);
    }
  }

  Graph g = graph_at(19);
  auto node = [&](OpKind op) {
    Node n = pool_node(op, c.kernel);
    n.attrs["strides"] = ints_attr(c.stride);
    n.attrs["dilations"] = ints_attr(c.dilation);
    std::vector<int64_t> pads = c.pad_begin;
    pads.insert(pads.end(), c.pad_end.begin(), c.pad_end.end());
    n.attrs["pads"] = ints_attr(pads);
    n.attrs["ceil_mode"] = int_attr(c.ceil_mode);
    return n;
  };
  Tensor xt = tensor_f32(x_dims, x);
  for (int include : {0, 1}) {
    Node n = node(OpKind::AveragePool);
    n.attrs["count_include_pad"] = int_attr(include);
    ref::Outputs res = run(ref::eval_AveragePool, g, n, {&xt});
    ASSERT_EQ(res[0].dims, y_dims);
    const std::vector<float> got = values<float>(res[0]);
    const std::vector<double>& want = include ? want_avg_incl : want_avg_excl;
    for (size_t i = 0; i < got.size(); ++i)
      ASSERT_NEAR(got[i], want[i], 1e-5 * 4) << "count_include_pad " << include << " output " << i;
  }
  Node n = node(OpKind::MaxPool);
  n.outputs = {0, 1};
  ref::Outputs res = run(ref::eval_MaxPool, g, n, {&xt});
  ASSERT_EQ(res[0].dims, y_dims);
  const std::vector<float> got = values<float>(res[0]);
  for (size_t i = 0; i < got.size(); ++i) ASSERT_EQ(got[i], static_cast<float>(want_max[i])) << "max output " << i;
  EXPECT_EQ(values<int64_t>(res[1]), want_arg);
}

TEST(ReferencePool, RandomMatchesBruteForce) {
  const std::vector<PoolCase> cases = {
      // batch, channels, in, kernel, stride, dilation, pad_begin, pad_end, ceil_mode
      {1, 3, {9, 7}, {3, 3}, {2, 2}, {1, 1}, {1, 1}, {1, 1}, false},
      {7, 5, {8, 9}, {3, 2}, {2, 3}, {1, 1}, {0, 1}, {2, 0}, false},   // asymmetric pads
      {2, 3, {8, 9}, {3, 2}, {2, 3}, {1, 1}, {0, 1}, {2, 0}, true},    // + ceil_mode
      {2, 3, {10, 11}, {2, 3}, {1, 2}, {2, 2}, {1, 2}, {1, 0}, false}, // dilations
      {1, 2, {10, 11}, {2, 3}, {3, 2}, {2, 3}, {1, 2}, {1, 0}, true},  // dilations + ceil
      {3, 1, {4, 4}, {4, 4}, {1, 1}, {1, 1}, {0, 0}, {0, 0}, false},   // kernel == input
      {1, 2, {5, 6}, {1, 1}, {2, 2}, {1, 1}, {0, 0}, {0, 0}, true},    // 1x1
      {1, 2, {7}, {3}, {2}, {1}, {1}, {2}, true},                      // 1-D
      {2, 3, {5, 4, 6}, {2, 3, 2}, {2, 1, 2}, {1, 1, 2}, {1, 0, 1}, {0, 1, 1}, true},   // 3-D
  };
  uint32_t seed = 1;
  for (const PoolCase& c : cases) check_random_pool(c, seed++);
}

// ---- Validation ----

TEST(ReferencePoolErrors, BadInputs) {
  Graph g = graph_at(13);
  Node n = pool_node(OpKind::AveragePool, {2, 2});
  Tensor x(DType::Float32, {1, 2, 5, 5});
  Node no_kernel = make_node(OpKind::MaxPool, "pool_nokernel");
  expect_error(ref::eval_MaxPool, g, no_kernel, {&x}, "kernel_shape is required");
  Tensor x2(DType::Float32, {2, 5});
  expect_error(ref::eval_AveragePool, g, n, {&x2}, "spatial dims");
  Tensor xi(DType::Int32, {1, 2, 5, 5});
  expect_error(ref::eval_AveragePool, g, n, {&xi}, "int32 is not supported");
  expect_error(ref::eval_MaxPool, g, pool_node(OpKind::MaxPool, {2, 2}), {&xi}, "int32 is not supported");
  Node k3 = pool_node(OpKind::AveragePool, {3, 3, 3});
  expect_error(ref::eval_AveragePool, g, k3, {&x}, "kernel_shape has 3 values for 2 spatial dims");
  Node big = pool_node(OpKind::AveragePool, {6, 6});
  expect_error(ref::eval_AveragePool, g, big, {&x}, "larger than the padded input");
  Node so = pool_node(OpKind::MaxPool, {2, 2});
  so.attrs["storage_order"] = int_attr(2);
  expect_error(ref::eval_MaxPool, g, so, {&x}, "storage_order");
  Node gap = make_node(OpKind::GlobalAveragePool, "gap");
  expect_error(ref::eval_GlobalAveragePool, g, gap, {&x2}, "rank >= 3");
  Tensor empty(DType::Float32, {1, 2, 0, 3});
  expect_error(ref::eval_GlobalAveragePool, g, gap, {&empty}, "empty spatial extent");
}

}  // namespace
}  // namespace octet
