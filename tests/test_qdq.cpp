// QDQ interchange (quant/qdq_import.h, quant/qdq_export.h) and the reference Q/DQ/QLinear
// operators. The oracle for "what a quantized graph computes" is run_fake_quant
// (tests/qdq_test_util.h): every annotated value rounded to its grid as it is produced.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "graph/passes/optimize.h"
#include "qdq_test_util.h"
#include "quant/calibrate.h"
#include "quant/qdq_export.h"
#include "quant/qdq_import.h"
#include "quant/quantize_graph.h"
#include "tools/datasets/cifar.h"

namespace octet {
namespace {

using namespace qdq_test;
namespace fs = std::filesystem;

const std::string kFixtures = std::string(OCTET_SOURCE_DIR) + "/tests/fixtures/qdq/";

// ---- the toy: Conv -> Relu -> Conv -> Add(residual) -> Relu -> GAP -> Flatten -> Gemm -> Softmax

struct ToyParams {
  QuantParams x, r1, c2, r2, gp, logits, w1, w2, wf;
};

ToyParams toy_params(DType act) {
  // int8 activations: the uint8 grid shifted by 128 (MinMax gives exactly that); int8 weights
  // symmetric, uint8 weights asymmetric.
  const int32_t s = act == DType::Int8 ? -128 : 0;
  const DType w = act;
  const int32_t wz = act == DType::Int8 ? 0 : 120;
  return {qp(act, 1.f / 64, 128 + s), qp(act, 1.f / 32, s),      qp(act, 1.f / 16, 100 + s),
          qp(act, 1.f / 16, s),       qp(act, 1.f / 32, s),      qp(act, 1.f / 8, 120 + s),
          qp(w, 0.0123f, wz),         qp(w, 0.0087f, wz),        qp(w, 0.021f, wz)};
}

QuantParams bias_params(const QuantParams& in, const QuantParams& w) { return qp(DType::Int32, in.scale * w.scale, 0); }

// `representable`: weights and biases already on their grids (as an imported model's are);
// otherwise arbitrary floats, which quantization rounds.
Graph toy(DType act, bool representable_weights) {
  const ToyParams p = toy_params(act);
  const int64_t lo = act == DType::Int8 ? -127 : 0, hi = act == DType::Int8 ? 127 : 255;
  auto weight = [&](std::vector<int64_t> dims, const QuantParams& q, uint32_t seed) {
    return representable_weights ? representable(dims, q, lo, hi, seed) : uniform(dims, seed, -1.2f, 1.f);
  };
  auto bias = [&](int64_t n, const QuantParams& q, uint32_t seed) {
    return representable_weights ? representable({n}, q, -600, 600, seed) : uniform({n}, seed, -0.3f, 0.3f);
  };
  const std::map<std::string, Attribute> pads{{"pads", ints({1, 1, 1, 1})}};
  Net n;
  const int x = n.input("x", {-1, 3, 8, 8}, p.x);
  const int w1 = n.constant("w1", weight({4, 3, 3, 3}, p.w1, 1), p.w1);
  const int b1 = n.constant("b1", bias(4, bias_params(p.x, p.w1), 2), bias_params(p.x, p.w1));
  // A merged Relu's input is not recorded in a QDQ file: the importer names it
  // "<Relu output>_relu_input" and the Relu "<Relu output>_Relu", so the toy uses those names.
  const int c1 = n.node(OpKind::Conv, "conv1", {x, w1, b1}, "r1_relu_input", p.r1, pads);
  const int r1 = n.node(OpKind::Relu, "r1_Relu", {c1}, "r1", p.r1);
  const int w2 = n.constant("w2", weight({4, 4, 3, 3}, p.w2, 3), p.w2);
  const int b2 = n.constant("b2", bias(4, bias_params(p.r1, p.w2), 4), bias_params(p.r1, p.w2));
  const int c2 = n.node(OpKind::Conv, "conv2", {r1, w2, b2}, "c2", p.c2, pads);
  const int a = n.node(OpKind::Add, "add", {c2, r1}, "r2_relu_input", p.r2);
  const int r2 = n.node(OpKind::Relu, "r2_Relu", {a}, "r2", p.r2);
  const int gp = n.node(OpKind::GlobalAveragePool, "pool", {r2}, "gp", p.gp);
  const int f = n.node(OpKind::Flatten, "flatten", {gp}, "f", p.gp);
  const int wf = n.constant("wf", weight({10, 4}, p.wf, 5), p.wf);
  const int bf = n.constant("bf", bias(10, bias_params(p.gp, p.wf), 6), bias_params(p.gp, p.wf));
  const int logits = n.node(OpKind::Gemm, "fc", {f, wf, bf}, "logits", p.logits, {{"transB", integer(1)}});
  const int probs = n.node(OpKind::Softmax, "softmax", {logits}, "probs", std::nullopt, {{"axis", integer(1)}});
  return n.done({probs});
}

Graph import_plain(const std::string& bytes) {
  return import_onnx_bytes(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
}

Graph import_recognised(const std::string& bytes) {
  Graph g = import_plain(bytes);
  quant::recognise_qdq(g);
  return g;
}

const Tensor& constant_named(const Graph& g, const std::string& name) {
  const int id = g.find_value(name);
  if (id == kNoValue || !g.value(id).constant) throw Error("no constant '" + name + "'");
  return *g.value(id).constant;
}

// ---- export ---------------------------------------------------------------------------------

TEST(QdqExport, LaysOutTheModelAsOnnxRuntimesQuantizer) {
  const ToyParams p = toy_params(DType::Uint8);
  const Graph g = import_plain(quant::export_qdq(toy(DType::Uint8, true)));
  EXPECT_EQ(g.opset, 13);
  std::vector<std::string> names;
  for (const Node& n : g.nodes) names.push_back(std::string(op_name(n.op)) + " " + n.name);
  const std::vector<std::string> want = {
      "QuantizeLinear x_QuantizeLinear", "DequantizeLinear x_DequantizeLinear",
      "DequantizeLinear w1_DequantizeLinear", "DequantizeLinear b1_DequantizeLinear", "Conv conv1",
      "QuantizeLinear r1_QuantizeLinear", "DequantizeLinear r1_DequantizeLinear",
      "DequantizeLinear w2_DequantizeLinear", "DequantizeLinear b2_DequantizeLinear", "Conv conv2",
      "QuantizeLinear c2_QuantizeLinear", "DequantizeLinear c2_DequantizeLinear", "Add add",
      "QuantizeLinear r2_QuantizeLinear", "DequantizeLinear r2_DequantizeLinear", "GlobalAveragePool pool",
      "QuantizeLinear gp_QuantizeLinear", "DequantizeLinear gp_DequantizeLinear", "Flatten flatten",
      "QuantizeLinear f_QuantizeLinear", "DequantizeLinear f_DequantizeLinear",
      "DequantizeLinear wf_DequantizeLinear", "DequantizeLinear bf_DequantizeLinear", "Gemm fc",
      "QuantizeLinear logits_QuantizeLinear", "DequantizeLinear logits_DequantizeLinear", "Softmax softmax"};
  EXPECT_EQ(names, want);   // both Relus dropped: zero point 0 with identical parameters

  // The producer of a dropped Relu writes the Relu's output; readers read DequantizeLinear outputs.
  const Node& conv1 = *find_node(g, "conv1");
  EXPECT_EQ(g.value(conv1.outputs[0]).name, "r1");
  EXPECT_EQ(g.value(conv1.inputs[0]).name, "x_DequantizeLinear_Output");
  EXPECT_EQ(g.value(conv1.inputs[1]).name, "w1_DequantizeLinear_Output");
  EXPECT_EQ(g.value(conv1.inputs[2]).name, "b1");
  EXPECT_EQ(g.value(find_node(g, "add")->outputs[0]).name, "r2");
  EXPECT_EQ(g.value(find_node(g, "softmax")->inputs[0]).name, "logits_DequantizeLinear_Output");
  EXPECT_EQ(g.value(g.outputs[0]).name, "probs");
  EXPECT_EQ(g.value(g.inputs[0]).shape.to_string(), "[N,3,8,8]");

  // Weights: integers + scalar scale and zero point; biases: int32 at s_in*s_w with a [1] scale.
  EXPECT_EQ(constant_named(g, "w1_quantized").dtype, DType::Uint8);
  EXPECT_EQ(constant_named(g, "w1_quantized").dims, (std::vector<int64_t>{4, 3, 3, 3}));
  EXPECT_EQ(constant_named(g, "w1_scale").dims, std::vector<int64_t>{});
  EXPECT_EQ(constant_named(g, "w1_scale").values<float>()[0], p.w1.scale);
  EXPECT_EQ(constant_named(g, "w1_zero_point").values<uint8_t>()[0], 120);
  EXPECT_EQ(constant_named(g, "b1_quantized").dtype, DType::Int32);
  EXPECT_EQ(constant_named(g, "b1_quantized_scale").dims, std::vector<int64_t>{1});
  EXPECT_EQ(constant_named(g, "b1_quantized_scale").values<float>()[0], p.x.scale * p.w1.scale);
  EXPECT_EQ(constant_named(g, "b1_quantized_zero_point").dtype, DType::Int32);
  EXPECT_EQ(constant_named(g, "x_zero_point").values<uint8_t>()[0], 128);
  EXPECT_EQ(constant_named(g, "c2_scale").values<float>()[0], 1.f / 16);
  EXPECT_EQ(constant_named(g, "c2_scale").dims, std::vector<int64_t>{});
  // The stored integers are the float weights quantized.
  const Graph original = toy(DType::Uint8, true);
  const Tensor& w1 = constant_named(original, "w1");
  const Tensor& q1 = constant_named(g, "w1_quantized");
  for (int64_t i = 0; i < w1.numel(); ++i)
    ASSERT_EQ(int64_t(q1.values<uint8_t>()[size_t(i)]), quant::quantize_value(w1.values<float>()[size_t(i)], p.w1));
}

TEST(QdqExport, Int8ModelStoresInt8Integers) {
  const Graph g = import_plain(quant::export_qdq(toy(DType::Int8, true)));
  EXPECT_EQ(constant_named(g, "w2_quantized").dtype, DType::Int8);
  EXPECT_EQ(constant_named(g, "w2_zero_point").values<int8_t>()[0], 0);
  EXPECT_EQ(constant_named(g, "r1_zero_point").values<int8_t>()[0], -128);
  EXPECT_EQ(count_op(g, OpKind::Relu), 0);
}

TEST(QdqExport, ImportingTheExportGivesTheAnnotatedGraphBack) {
  for (DType act : {DType::Uint8, DType::Int8}) {
    SCOPED_TRACE(dtype_name(act));
    const Graph original = toy(act, true);
    expect_same_graph(original, import_recognised(quant::export_qdq(original)));
  }
}

TEST(QdqExport, TheQdqModelComputesTheFakeQuantizedGraph) {
  for (DType act : {DType::Uint8, DType::Int8}) {
    SCOPED_TRACE(dtype_name(act));
    const Graph g = toy(act, false);   // arbitrary float weights: the export rounds them
    // Inputs past the input grid's range too, so QuantizeLinear saturates.
    const std::vector<Tensor> in{uniform({3, 3, 8, 8}, 7, -2.6f, 2.6f)};
    const std::vector<Tensor> want = run_fake_quant(g, in);
    const std::vector<Tensor> got = run_onnx(quant::export_qdq(g), in);
    ASSERT_EQ(got.size(), 1u);
    expect_same_tensor(got[0], want[0], "probs");
    // ... and quantization did change the numbers (the check could fail).
    const Tensor plain = ReferenceExecutor(g).run(in)[0];
    double diff = 0;
    for (int64_t i = 0; i < plain.numel(); ++i)
      diff = std::max(diff, std::fabs(double(plain.data<float>()[i]) - double(got[0].data<float>()[i])));
    EXPECT_GT(diff, 1e-4);
  }
}

TEST(QdqExport, AQuantizedGraphOutputIsWrittenAsQuantizeLinearInput) {
  const QuantParams px = qp(DType::Uint8, 1.f / 64, 128), pw = qp(DType::Int8, 0.01f, 0), pl = qp(DType::Uint8, 0.125f, 100);
  Net n;
  const int x = n.input("x", {-1, 6}, px);
  const int w = n.constant("w", representable({6, 4}, pw, -127, 127, 1), pw);
  const int b = n.constant("b", representable({4}, bias_params(px, pw), -100, 100, 2), bias_params(px, pw));
  const Graph g = n.done({n.node(OpKind::Gemm, "fc", {x, w, b}, "logits", pl)});
  const std::string bytes = quant::export_qdq(g);
  const Graph plain = import_plain(bytes);
  EXPECT_EQ(plain.value(find_node(plain, "fc")->outputs[0]).name, "logits_QuantizeLinear_Input");
  EXPECT_EQ(plain.value(find_node(plain, "logits_DequantizeLinear")->outputs[0]).name, "logits");
  EXPECT_EQ(plain.value(plain.outputs[0]).name, "logits");
  expect_same_graph(g, import_recognised(bytes));
  const std::vector<Tensor> in{uniform({5, 6}, 3, -2.f, 2.f)};
  expect_same_tensor(run_onnx(bytes, in)[0], run_fake_quant(g, in)[0], "logits");
}

TEST(QdqExport, PoolAndReshapeOutputsShareTheirInputsInitializersAsOrtDoes) {
  const QuantParams p = qp(DType::Uint8, 0.05f, 3), other = qp(DType::Uint8, 0.04f, 5);
  Net n;
  const int x = n.input("x", {-1, 4, 4, 4}, p);
  const std::map<std::string, Attribute> pool{{"kernel_shape", ints({2, 2})}, {"strides", ints({2, 2})}};
  const int ap = n.node(OpKind::AveragePool, "ap", {x}, "ap", p, pool);
  const int shape = n.constant("shape", Tensor::from<int64_t>({2}, {-1, 16}));
  const int r = n.node(OpKind::Reshape, "reshape", {ap, shape}, "r", p);
  const int ap2 = n.node(OpKind::AveragePool, "ap2", {x}, "ap2", other, pool);
  const Graph g = n.done({r, ap2});
  const std::string bytes = quant::export_qdq(g);
  const Graph plain = import_plain(bytes);
  EXPECT_EQ(plain.value(find_node(plain, "ap_QuantizeLinear")->inputs[1]).name, "x_scale");
  EXPECT_EQ(plain.value(find_node(plain, "r_QuantizeLinear")->inputs[2]).name, "x_zero_point");
  EXPECT_EQ(plain.value(find_node(plain, "ap2_QuantizeLinear")->inputs[1]).name, "ap2_scale");
  expect_same_graph(g, import_recognised(bytes));
  const std::vector<Tensor> in{uniform({2, 4, 4, 4}, 4, -0.5f, 12.f)};
  const std::vector<Tensor> got = run_onnx(bytes, in), want = run_fake_quant(g, in);
  for (size_t i = 0; i < 2; ++i) expect_same_tensor(got[i], want[i], "output " + std::to_string(i));
}

TEST(QdqExport, KeepsTheRelusOrtWouldKeep) {
  const QuantParams px = qp(DType::Int8, 1.f / 32, 0), pw = qp(DType::Int8, 0.02f, 0);
  const QuantParams shifted = qp(DType::Int8, 1.f / 16, -100);   // zero point above the minimum: no clamp at 0
  const QuantParams clamped = qp(DType::Int8, 1.f / 16, -128);
  Net n;
  const int x = n.input("x", {-1, 2, 5, 5}, px);
  const int w = n.constant("w", representable({2, 2, 1, 1}, pw, -127, 127, 9), pw);
  const int c1 = n.node(OpKind::Conv, "conv1", {x, w}, "c1", shifted);
  const int r1 = n.node(OpKind::Relu, "relu1", {c1}, "r1", shifted);
  const int c2 = n.node(OpKind::Conv, "conv2", {r1, w}, "c2", clamped);
  const int r2 = n.node(OpKind::Relu, "relu2", {c2}, "r2", clamped);   // c2 has a second reader
  const int sum = n.node(OpKind::Add, "add", {r2, c2}, "sum", qp(DType::Int8, 0.125f, -10));
  const Graph g = n.done({sum});
  const std::string bytes = quant::export_qdq(g);
  EXPECT_EQ(count_op(import_plain(bytes), OpKind::Relu), 2);
  expect_same_graph(g, import_recognised(bytes));
  const std::vector<Tensor> in{uniform({2, 2, 5, 5}, 5, -4.f, 4.f)};
  expect_same_tensor(run_onnx(bytes, in)[0], run_fake_quant(g, in)[0], "sum");
}

TEST(QdqExport, GraphsBelowOpset13AreWrittenAtOpset13) {
  const QuantParams p = qp(DType::Uint8, 1.f / 32, 128);
  Net n(10);
  const int x = n.input("x", {-1, 6}, p);
  const int u = n.node(OpKind::Unsqueeze, "unsqueeze", {x}, "u", p, {{"axes", ints({2})}});
  const int s = n.node(OpKind::Squeeze, "squeeze", {u}, "s", p, {{"axes", ints({2})}});
  Attribute lo, hi;
  lo.kind = hi.kind = Attribute::Kind::Float;
  lo.f = -0.5f;
  hi.f = 0.75f;
  const int c = n.node(OpKind::Clip, "clip", {s}, "c", std::nullopt, {{"min", lo}, {"max", hi}});
  const Graph g = n.done({n.node(OpKind::Softmax, "softmax", {c}, "probs")});
  const std::string bytes = quant::export_qdq(g);
  const Graph plain = import_plain(bytes);
  EXPECT_EQ(plain.opset, 13);
  EXPECT_EQ(find_node(plain, "unsqueeze")->input_count(), 2);
  EXPECT_EQ(find_node(plain, "clip")->input_count(), 3);
  EXPECT_EQ(find_node(plain, "softmax")->attr_int("axis", -1), 1);
  const std::vector<Tensor> in{uniform({3, 6}, 6, -3.f, 3.f)};
  expect_same_tensor(run_onnx(bytes, in)[0], run_fake_quant(g, in)[0], "probs");

  Net m(11);
  const int y = m.input("y", {-1, 2, 3});
  const Graph softmax3d = m.done({m.node(OpKind::Softmax, "sm", {y}, "out")});
  EXPECT_THROW(
      {
        try {
          quant::export_qdq(softmax3d);
        } catch (const Error& e) {
          EXPECT_NE(std::string(e.what()).find("node 'sm' (Softmax"), std::string::npos) << e.what();
          throw;
        }
      },
      Error);
}

TEST(QdqExport, AddedNamesNeverCollideWithTheGraphsOwn) {
  // Values already named like the tensors the export adds ("w_scale", "y_DequantizeLinear_Output").
  const QuantParams px = qp(DType::Uint8, 0.1f, 128), pw = qp(DType::Int8, 0.05f, 0);
  Net n;
  const int x = n.input("x", {-1, 3}, px);
  const int w = n.constant("w", representable({3, 3}, pw, -127, 127, 3), pw);
  const int y = n.node(OpKind::MatMul, "mm", {x, w}, "y", px);
  const int w_scale = n.constant("w_scale", uniform({3}, 4, -1.f, 1.f));
  const int z = n.node(OpKind::Add, "add", {y, w_scale}, "y_DequantizeLinear_Output");
  const Graph g = n.done({z});
  const std::string bytes = quant::export_qdq(g);
  const Graph plain = import_plain(bytes);   // the importer refuses a name defined twice
  EXPECT_EQ(plain.value(find_node(plain, "w_DequantizeLinear")->inputs[1]).name, "w_scale_1");
  EXPECT_EQ(plain.value(find_node(plain, "y_DequantizeLinear")->outputs[0]).name, "y_DequantizeLinear_Output_1");
  const std::vector<Tensor> in{uniform({4, 3}, 5, -10.f, 10.f)};
  expect_same_tensor(run_onnx(bytes, in)[0], run_fake_quant(g, in)[0], "output");
  expect_same_graph(g, import_recognised(bytes));
}

TEST(QdqExport, RefusesGraphsOnnxCannotCarry) {
  const QuantParams p = qp(DType::Uint8, 0.1f, 10);
  {
    Net n;
    const int x = n.input("x", {1, 1, 3, 3}, p);
    const int w = n.constant("w", uniform({1, 1, 1, 1}, 1, -1.f, 1.f), qp(DType::Int8, 0.01f, 0));
    const int c = n.node(OpKind::Conv, "fused", {x, w, kNoValue, x}, "y", p);
    const Graph g = n.done({c});
    expect_error([&] { quant::export_qdq(g); }, {"node 'fused'", "fuse_conv_epilogue"});
  }
  {
    Net n;
    const int x = n.input("x", {2, 3});
    const int s = n.node(OpKind::Shape, "shape", {x}, "s", p);
    const Graph g = n.done({s});
    expect_error([&] { quant::export_qdq(g); }, {"value 's'", "only float32"});
  }
  {
    Net n;
    const int x = n.input("x", {2, 3}, qp(DType::Int32, 0.5f, 0));
    const Graph g = n.done({n.node(OpKind::Relu, "relu", {x}, "y")});
    expect_error([&] { quant::export_qdq(g); }, {"value 'x'", "int32 for constant biases only"});
  }
}

std::vector<uint8_t> read_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

void write_floats(const std::string& path, const Tensor& t) {
  std::ofstream f(path, std::ios::binary);
  f.write(reinterpret_cast<const char*>(t.bytes.data()), static_cast<std::streamsize>(t.bytes.size()));
}

// <dir>/<name>.onnx plus, for tools/qdq_ort_check.js, the inputs, octet's outputs (the
// reference executor running the QDQ file, Q/DQ as real operators) and a manifest.
void write_ort_check(const fs::path& dir, const std::string& name, const std::string& bytes,
                     const std::vector<Tensor>& in) {
  std::ofstream(dir / (name + ".onnx"), std::ios::binary) << bytes;
  const Graph g = import_plain(bytes);
  const std::vector<Tensor> out = run_onnx(bytes, in);
  std::string json = "{\"inputs\": [";
  for (size_t i = 0; i < in.size(); ++i) {
    const std::string& n = g.value(g.inputs[i]).name;
    write_floats((dir / (name + ".in." + n + ".f32")).string(), in[i]);
    json += std::string(i ? ", " : "") + "{\"name\": \"" + n + "\", \"dims\": " + dims_to_string(in[i].dims) + "}";
  }
  json += "], \"outputs\": [";
  for (size_t i = 0; i < out.size(); ++i) {
    const std::string& n = g.value(g.outputs[i]).name;
    write_floats((dir / (name + ".out." + n + ".f32")).string(), out[i]);
    json += std::string(i ? ", " : "") + "\"" + n + "\"";
  }
  std::ofstream(dir / (name + ".json")) << json << "]}\n";
}

std::string file_bytes(const std::string& path) {
  const std::vector<uint8_t> b = read_bytes(path);
  return std::string(b.begin(), b.end());
}

// Writes the exported toys and the two fixtures for tools/qdq_ort_check.js, which runs them
// on ONNX Runtime; and checks write_qdq_file writes export_qdq's bytes.
TEST(QdqExport, WritesFilesForTheOnnxRuntimeCheck) {
  const fs::path dir = fs::path(OCTET_BINARY_DIR) / "qdq_ort_check";
  fs::create_directories(dir);
  for (DType act : {DType::Uint8, DType::Int8}) {
    const Graph g = toy(act, false);
    const std::string path = (dir / ("written_" + dtype_name(act) + ".onnx")).string();
    quant::write_qdq_file(g, path);
    const std::string bytes = quant::export_qdq(g);
    EXPECT_EQ(file_bytes(path), bytes);
    write_ort_check(dir, "toy_" + dtype_name(act), bytes, {uniform({4, 3, 8, 8}, 11, -2.2f, 2.2f)});
  }
  write_ort_check(dir, "ort_qdq_u8s8", file_bytes(kFixtures + "ort_qdq_u8s8.onnx"),
                  {uniform({4, 3, 8, 8}, 12, -1.5f, 1.5f)});
  write_ort_check(dir, "ort_qoperator_u8", file_bytes(kFixtures + "ort_qoperator_u8.onnx"),
                  {uniform({4, 2, 4, 4}, 13, -1.5f, 1.5f), uniform({4, 8}, 14, -2.5f, 2.5f)});
  expect_error([&] { quant::write_qdq_file(toy(DType::Uint8, true), "/nonexistent-dir/x.onnx"); },
               {"/nonexistent-dir/x.onnx"});
}

// ---- import ---------------------------------------------------------------------------------

// The "calibrated" ranges tools/make_qdq_fixtures.py lays its models out with.
QuantParams u8_range(float lo, float hi) { return quant::asymmetric_params(lo, hi, DType::Uint8); }

const QuantParams& quant_of(const Graph& g, const std::string& value) {
  const int id = g.find_value(value);
  if (id == kNoValue || !g.value(id).quant) throw Error("value '" + value + "' is missing or not annotated");
  return *g.value(id).quant;
}

const Node& producer_of(const Graph& g, const std::string& value) {
  for (const Node& n : g.nodes)
    if (g.value(n.outputs[0]).name == value) return n;
  throw Error("nothing writes '" + value + "'");
}

// Weights of a recognised model are the stored integers dequantized: quantizing gives them back.
void expect_on_grid(const Graph& g, const std::string& name, int64_t lo, int64_t hi) {
  const QuantParams& p = quant_of(g, name);
  int64_t widest = 0;
  for (float w : constant_named(g, name).values<float>()) {
    const int64_t q = quant::quantize_value(w, p);
    ASSERT_EQ(quant::dequantize_value(q, p), w) << name;
    ASSERT_GE(q, lo) << name;
    ASSERT_LE(q, hi) << name;
    widest = std::max(widest, std::abs(q - p.zero_point));
  }
  EXPECT_GT(widest, 0) << name;
}

TEST(QdqImport, RecognisesAModelLaidOutByOrtsQuantizer) {
  const std::string bytes = file_bytes(kFixtures + "ort_qdq_u8s8.onnx");
  Graph g = import_recognised(bytes);
  std::vector<std::string> ops;
  for (const Node& n : g.nodes) ops.push_back(std::string(op_name(n.op)));
  EXPECT_EQ(ops, (std::vector<std::string>{"Conv", "Relu", "Conv", "Add", "Relu", "GlobalAveragePool", "Reshape",
                                           "Gemm", "Softmax"}));
  EXPECT_EQ(quant_of(g, "input"), qp(DType::Uint8, 1.f / 128, 128));
  EXPECT_EQ(quant_of(g, "input"), u8_range(-1.f, 127.f / 128));
  // ORT removed both Relus (zero point 0); the Relus come back, merged: same parameters.
  const QuantParams r1 = u8_range(0.f, 255.f / 64);
  EXPECT_EQ(quant_of(g, "/relu1/Relu_output_0"), r1);
  EXPECT_EQ(producer_of(g, "/relu1/Relu_output_0").name, "/relu1/Relu_output_0_Relu");
  EXPECT_EQ(producer_of(g, "/relu1/Relu_output_0_relu_input").name, "/conv1/Conv");
  EXPECT_EQ(quant_of(g, "/relu1/Relu_output_0_relu_input"), r1);
  EXPECT_EQ(quant_of(g, "/conv2/Conv_output_0"), qp(DType::Uint8, 1.f / 32, 64));
  EXPECT_EQ(producer_of(g, "/relu2/Relu_output_0_relu_input").op, OpKind::Add);
  EXPECT_EQ(quant_of(g, "/relu2/Relu_output_0_relu_input"), u8_range(0.f, 255.f / 32));
  const QuantParams pool = u8_range(0.f, 255.f / 64);
  EXPECT_EQ(quant_of(g, "/pool/GlobalAveragePool_output_0"), pool);
  EXPECT_EQ(quant_of(g, "/Reshape_output_0"), pool);   // shared initializers, same parameters
  EXPECT_EQ(quant_of(g, "logits"), qp(DType::Uint8, 1.f / 16, 64));
  EXPECT_EQ(quant_of(g, "probs"), u8_range(0.f, 1.f));   // ORT quantizes Softmax's output to [0, 1]
  EXPECT_EQ(g.value(g.outputs[0]).name, "probs");
  // Weights int8 symmetric, biases int32 at s_in * s_w, under their original names.
  for (const char* w : {"conv1.weight", "conv2.weight", "fc.weight"}) {
    EXPECT_EQ(quant_of(g, w).dtype, DType::Int8) << w;
    EXPECT_EQ(quant_of(g, w).zero_point, 0) << w;
    expect_on_grid(g, w, -127, 127);
  }
  EXPECT_EQ(quant_of(g, "conv1.bias"), qp(DType::Int32, quant_of(g, "input").scale * quant_of(g, "conv1.weight").scale, 0));
  EXPECT_EQ(quant_of(g, "conv2.bias"),
            qp(DType::Int32, quant_of(g, "/relu1/Relu_output_0").scale * quant_of(g, "conv2.weight").scale, 0));
  EXPECT_EQ(quant_of(g, "fc.bias"), qp(DType::Int32, pool.scale * quant_of(g, "fc.weight").scale, 0));
  expect_on_grid(g, "conv1.bias", -100000, 100000);
  // The annotations carry the model's meaning exactly: the fake-quantized graph computes what
  // the QDQ file computes.
  const std::vector<Tensor> in{uniform({3, 3, 8, 8}, 21, -1.5f, 1.5f)};
  expect_same_tensor(run_fake_quant(g, in)[0], run_onnx(bytes, in)[0], "probs");
  // prepare_graph keeps everything (nothing left to fold into plain floats).
  prepare_graph(g);
  EXPECT_EQ(g.nodes.size(), 9u);
  EXPECT_EQ(quant_of(g, "conv1.weight").dtype, DType::Int8);
  expect_same_tensor(run_fake_quant(g, in)[0], run_onnx(bytes, in)[0], "probs after prepare_graph");
}

TEST(QdqImport, RecognisesQLinearConvAndQLinearMatMul) {
  const std::string bytes = file_bytes(kFixtures + "ort_qoperator_u8.onnx");
  const Graph g = import_recognised(bytes);
  EXPECT_EQ(count_op(g, OpKind::Conv), 2);
  EXPECT_EQ(count_op(g, OpKind::MatMul), 1);
  EXPECT_EQ(count_op(g, OpKind::Relu), 1);   // the first QLinearConv's output has zero point 0
  for (OpKind op : {OpKind::QLinearConv, OpKind::QLinearMatMul, OpKind::QuantizeLinear, OpKind::DequantizeLinear})
    EXPECT_EQ(count_op(g, op), 0) << op_name(op);
  EXPECT_EQ(quant_of(g, "x"), u8_range(-1.f, 127.f / 128));
  EXPECT_EQ(quant_of(g, "feat"), u8_range(-2.f, 255.f / 64 - 2.f));
  // Values take the names of the integer tensors they replace.
  EXPECT_EQ(quant_of(g, "relu1_out_quantized"), u8_range(0.f, 255.f / 64));
  EXPECT_EQ(producer_of(g, "relu1_out_quantized").op, OpKind::Relu);
  EXPECT_EQ(producer_of(g, "relu1_out_quantized_relu_input").name, "conv1_quant");
  EXPECT_EQ(quant_of(g, "conv_out"), u8_range(-2.f, 255.f / 32 - 2.f));
  EXPECT_EQ(quant_of(g, "mm_out"), u8_range(-4.f, 255.f / 16 - 4.f));
  EXPECT_EQ(quant_of(g, "conv1.weight_quantized").dtype, DType::Uint8);
  expect_on_grid(g, "conv1.weight_quantized", 0, 255);
  expect_on_grid(g, "mm.weight_quantized", 0, 255);
  EXPECT_EQ(quant_of(g, "conv1.bias_quantized"),
            qp(DType::Int32, quant_of(g, "x").scale * quant_of(g, "conv1.weight_quantized").scale, 0));
  // QLinear ops requantise their exact integer sums; the QDQ form rounds the float sum: the
  // outputs agree to one step of the output grid, and mostly exactly.
  const std::vector<Tensor> in{uniform({3, 2, 4, 4}, 22, -1.5f, 1.5f), uniform({3, 8}, 23, -2.5f, 2.5f)};
  const std::vector<Tensor> want = run_onnx(bytes, in), got = run_fake_quant(g, in);
  for (size_t o = 0; o < 2; ++o) {
    const float step = quant_of(g, o == 0 ? "conv_out" : "mm_out").scale;
    int equal = 0;
    for (int64_t i = 0; i < want[o].numel(); ++i) {
      const float d = std::fabs(want[o].data<float>()[i] - got[o].data<float>()[i]);
      ASSERT_LE(d, step * 1.0001f) << "output " << o << " element " << i;
      equal += d == 0.f;
    }
    EXPECT_GE(equal, want[o].numel() * 9 / 10) << "output " << o;
  }
}

// A hand-made QDQ graph, as the importer hands it over (Q/DQ as nodes, scales as initializers).
struct QdqNet : Net {
  int scale_zp_count = 0;
  int q(int x, const QuantParams& p, const std::string& name) {
    const std::string k = std::to_string(scale_zp_count++);
    const int s = constant("s" + k, Tensor::from<float>({}, {p.scale}));
    Tensor zt(p.dtype, {});
    if (p.dtype == DType::Uint8) zt.data<uint8_t>()[0] = uint8_t(p.zero_point);
    else zt.data<int8_t>()[0] = int8_t(p.zero_point);
    const int z = constant("z" + k, zt);
    const int qo = node(OpKind::QuantizeLinear, name + "_Q", {x, s, z}, name + "_q");
    return node(OpKind::DequantizeLinear, name + "_DQ", {qo, s, z}, name + "_dq");
  }
  int weight(const std::string& name, Tensor codes, float scale, int zp_value) {
    Tensor zt(codes.dtype, {});
    if (codes.dtype == DType::Uint8) zt.data<uint8_t>()[0] = uint8_t(zp_value);
    else zt.data<int8_t>()[0] = int8_t(zp_value);
    const int w = constant(name + "_quantized", std::move(codes));
    return node(OpKind::DequantizeLinear, name + "_DQ", {w, constant(name + "_scale", Tensor::from<float>({}, {scale})),
                                                         constant(name + "_zp", zt)},
                name + "_DequantizeLinear_Output");
  }
};

Tensor int8_codes(std::vector<int64_t> dims, uint32_t seed) {
  Tensor t(DType::Int8, std::move(dims));
  std::mt19937 rng(seed);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<int8_t>()[i] = int8_t(int(rng() % 255) - 127);
  return t;
}

TEST(QdqImport, MergesAReluIntoItsQuantizedProducer) {
  const QuantParams px = qp(DType::Uint8, 0.02f, 128), p1 = qp(DType::Uint8, 0.05f, 90), p2 = qp(DType::Uint8, 0.03f, 0);
  for (int variant = 0; variant < 3; ++variant) {
    SCOPED_TRACE(variant);
    QdqNet n;
    const int x = n.q(n.input("x", {-1, 2, 4, 4}), px, "x");
    const int w = n.weight("w", int8_codes({3, 2, 1, 1}, 1), 0.01f, 0);
    const int c = n.node(OpKind::Conv, "conv", {x, w}, "c");
    // 0: Conv -> Relu -> Q/DQ;  1: Conv -> Q/DQ(p1) -> Relu -> Q/DQ(p2);  2: as 0, c read twice.
    const int r = n.node(OpKind::Relu, "relu", {variant == 1 ? n.q(c, p1, "c") : c}, "r");
    const int y = n.q(r, p2, "r");
    std::vector<int> outs{y};
    if (variant == 2) outs.push_back(n.node(OpKind::Identity, "other", {c}, "o"));
    Graph g = n.done(outs);
    quant::recognise_qdq(g);
    EXPECT_EQ(count_op(g, OpKind::QuantizeLinear) + count_op(g, OpKind::DequantizeLinear), 0);
    EXPECT_EQ(quant_of(g, "r_dq"), p2);   // the graph output's name: the DequantizeLinear's
    if (variant == 2) {
      EXPECT_FALSE(g.value(g.find_value("c")).quant) << "c has a float reader too";
    } else {
      EXPECT_EQ(quant_of(g, "c"), p2);
    }
    EXPECT_EQ(quant_of(g, "w"), qp(DType::Int8, 0.01f, 0));
  }
}

// octet's own export of Conv -> Relu6: Conv -> Q/DQ (zero point 0) -> Clip(0, 6) -> Q/DQ. The
// zero point at the type's minimum must not restore a Relu in front of the Clip (the Clip
// already clamps at 0): the Clip then merges into the Conv, and the plan runs no float step.
// A Clip that lets negatives through (lower bound < 0) still gets its Relu back.
TEST(QdqImport, ARelu6AfterAZeroPointAtTheMinimumMergesIntoTheConv) {
  const QuantParams px = qp(DType::Uint8, 0.02f, 128), p6 = qp(DType::Uint8, 6.f / 255, 0);
  for (const float lo : {0.f, -1.f}) {
    SCOPED_TRACE(lo);
    QdqNet n;
    const int x = n.q(n.input("x", {-1, 3, 5, 5}), px, "x");
    const int w = n.weight("w", int8_codes({4, 3, 3, 3}, 2), 0.01f, 0);
    const int c = n.q(n.node(OpKind::Conv, "conv", {x, w}, "c", std::nullopt, {{"pads", ints({1, 1, 1, 1})}}), p6, "c");
    const int bounds_lo = n.constant("lo", Tensor::from<float>({}, {lo}));
    const int bounds_hi = n.constant("hi", Tensor::from<float>({}, {6.f}));
    const int r = n.q(n.node(OpKind::Clip, "relu6", {c, bounds_lo, bounds_hi}, "r"), p6, "r");
    Graph g = n.done({r});
    Graph imported = g;
    quant::recognise_qdq(imported);
    // The Relu the zero point at the minimum stands for is restored; the conv's epilogue then
    // composes it with the Clip into one clamp, whatever the Clip's lower bound.
    EXPECT_EQ(count_op(imported, OpKind::Relu), 1);
    const std::string bytes = quant::export_qdq(imported);
    prepare_graph(imported);
    const Plan plan = compile_for_runtime(imported, {});
    for (const Step& step : plan.steps) {
      EXPECT_EQ(std::string(step.kernel_name()).find("clip"), std::string::npos) << step.kernel_name();
      EXPECT_EQ(std::string(step.kernel_name()).find("f32_"), std::string::npos) << step.kernel_name();
    }
    const std::vector<Tensor> in{uniform({2, 3, 5, 5}, 7, -2.f, 2.f)};
    const Tensor want = run_fake_quant(g, in)[0];
    const Tensor got = run_qdq_optimised(bytes, in)[0];
    ASSERT_EQ(got.numel(), want.numel());
    for (int64_t i = 0; i < got.numel(); ++i)
      EXPECT_NEAR(got.data<float>()[i], want.data<float>()[i], p6.scale * 1.01f) << i;
  }
}

// MobileNetV2's layers as octet exports them: Conv -> Q/DQ(6/255, zero point 0) -> Clip(0, 6)
// -> Q/DQ(the same). The Clip must fuse into the Conv, as one clamp: otherwise it runs in float
// between a Dequantize and a Quantize step. With a second reader of the conv's output the Clip
// stays. An explicit Relu before the Clip fuses first; the Clip then composes with it.
TEST(QdqImport, AClipAfterTheRestoredReluFusesIntoTheConv) {
  const QuantParams px = qp(DType::Uint8, 0.02f, 128), p6 = qp(DType::Uint8, 6.f / 255, 0);
  // variant 0: Conv -> Clip; 1: c also read by another node; 2: an explicit Relu between them
  // (Conv -> Relu -> Clip: the Relu fuses first, then the Clip composes with it).
  for (int variant : {0, 1, 2}) {
    SCOPED_TRACE(variant);
    const bool same = variant != 1;
    QdqNet n;
    const int x = n.q(n.input("x", {-1, 2, 4, 4}), px, "x");
    const int w = n.weight("w", int8_codes({3, 2, 1, 1}, 1), 0.01f, 0);
    int c = n.q(n.node(OpKind::Conv, "conv", {x, w}, "c"), p6, "c");
    if (variant == 2) c = n.q(n.node(OpKind::Relu, "relu", {c}, "rl"), p6, "rl");
    const int lo = n.constant("lo", Tensor::from<float>({}, {0.f})), hi = n.constant("hi", Tensor::from<float>({}, {6.f}));
    const int clip = n.node(OpKind::Clip, "clip", {c, lo, hi}, "r");
    // A second reader needs c unclamped.
    std::vector<int> outs{n.q(clip, p6, "r")};
    if (!same) outs.push_back(n.node(OpKind::Identity, "other", {c}, "o"));
    Graph g = n.done(outs);
    quant::recognise_qdq(g);
    prepare_graph(g);
    const Graph fused = quant::fuse_quantized_graph(g);
    const Node* conv = find_node(fused, "conv");
    ASSERT_NE(conv, nullptr);
    if (same) {
      EXPECT_EQ(count_op(fused, OpKind::Clip) + count_op(fused, OpKind::Relu), 0);
      EXPECT_EQ(conv->epilogue.activation, Epilogue::Activation::Clip);
      EXPECT_EQ(conv->epilogue.min, 0.f);
      EXPECT_EQ(conv->epilogue.max, 6.f);
    } else {
      EXPECT_EQ(count_op(fused, OpKind::Clip), 1);
    }
  }
}

TEST(QdqImport, LeavesUnpairedQuantizeAndDequantizeAsOperators) {
  // An integer interface: uint8 in, DequantizeLinear, Relu, QuantizeLinear, uint8 out.
  QdqNet n;
  Value in;
  in.name = "codes";
  in.dtype = DType::Uint8;
  in.shape = Shape::of({2, 3});
  n.g.inputs.push_back(n.g.add_value(in));
  const int s = n.constant("s", Tensor::from<float>({}, {0.5f})), z = n.constant("z", Tensor::from<uint8_t>({}, {100}));
  const int f = n.node(OpKind::DequantizeLinear, "dq", {n.g.inputs[0], s, z}, "f");
  const int r = n.node(OpKind::Relu, "relu", {f}, "r");
  Graph g = n.done({n.node(OpKind::QuantizeLinear, "q", {r, s, z}, "out")});
  quant::recognise_qdq(g);
  EXPECT_EQ(count_op(g, OpKind::DequantizeLinear), 1);
  EXPECT_EQ(count_op(g, OpKind::QuantizeLinear), 1);
  prepare_graph(g);
  const std::vector<Tensor> codes{Tensor::from<uint8_t>({2, 3}, {0, 99, 100, 101, 200, 255})};
  const std::vector<Tensor> out = ReferenceExecutor(g).run(codes);
  EXPECT_EQ(out[0].values<uint8_t>()[0], 100);   // (0-100)*0.5 = -50 -> Relu 0 -> code 100
  EXPECT_EQ(std::vector<uint8_t>(out[0].values<uint8_t>().begin(), out[0].values<uint8_t>().end()),
            (std::vector<uint8_t>{100, 100, 100, 101, 200, 255}));
}

TEST(QdqImport, RefusesWhatOctetsIrCannotHold) {
  const QuantParams a = qp(DType::Uint8, 0.1f, 128), b = qp(DType::Uint8, 0.2f, 128);
  {  // a Q -> DQ pair with different parameters
    QdqNet n;
    const int x = n.input("x", {2});
    const int s1 = n.constant("s1", Tensor::from<float>({}, {0.1f})), s2 = n.constant("s2", Tensor::from<float>({}, {0.2f}));
    const int z = n.constant("z", Tensor::from<uint8_t>({}, {128}));
    const int qo = n.node(OpKind::QuantizeLinear, "quant", {x, s1, z}, "q");
    Graph g = n.done({n.node(OpKind::DequantizeLinear, "dequant", {qo, s2, z}, "y")});
    expect_error([&] { quant::recognise_qdq(g); }, {"node 'dequant'", "node 'quant'", "other parameters"});
  }
  {  // per-channel weights with unequal zero points (equal ones: tests/test_qdq_per_channel.cpp)
    QdqNet n;
    const int x = n.q(n.input("x", {1, 3, 2, 2}), a, "x");
    const int w = n.node(OpKind::DequantizeLinear, "w_dq",
                         {n.constant("w", int8_codes({4, 3, 1, 1}, 2)), n.constant("ws", uniform({4}, 3, 0.01f, 0.02f)),
                          n.constant("wz", Tensor::from<int8_t>({4}, {0, 1, 0, 0}))},
                         "wf", std::nullopt, {{"axis", integer(0)}});
    Graph g = n.done({n.node(OpKind::Conv, "conv", {x, w}, "y")});
    expect_error([&] { quant::recognise_qdq(g); }, {"node 'w_dq'", "per-axis", "'wz' (4 values)", "unequal"});
  }
  {  // an initializer whose type is not its zero point's
    QdqNet n;
    const int w = n.node(OpKind::DequantizeLinear, "w_dq",
                         {n.constant("w", Tensor::from<uint8_t>({2}, {1, 2})), n.constant("ws", Tensor::from<float>({}, {0.5f})),
                          n.constant("wz", Tensor::from<int8_t>({}, {0}))},
                         "wf");
    Graph g = n.done({w});
    expect_error([&] { quant::recognise_qdq(g); }, {"node 'w_dq'", "'w' is uint8 but its zero point is int8"});
  }
  {  // one value quantized twice with different parameters
    QdqNet n;
    const int x = n.input("x", {2});
    const int y1 = n.node(OpKind::Relu, "r1", {n.q(x, a, "first")}, "y1");
    Graph g = n.done({y1, n.node(OpKind::Relu, "r2", {n.q(x, b, "second")}, "y2")});
    expect_error([&] { quant::recognise_qdq(g); }, {"value 'x'", "quantized twice", "first_Q", "second_Q"});
  }
  {  // block quantization
    QdqNet n;
    const int w = n.node(OpKind::DequantizeLinear, "blocked",
                         {n.constant("w", Tensor::from<int8_t>({2}, {1, 2})), n.constant("ws", Tensor::from<float>({}, {0.5f}))},
                         "wf", std::nullopt, {{"block_size", integer(2)}});
    Graph g = n.done({w});
    expect_error([&] { quant::recognise_qdq(g); }, {"node 'blocked'", "block"});
  }
  {  // QLinearMatMul whose scale arrives at run time
    QdqNet n;
    Value codes;
    codes.name = "a";
    codes.dtype = DType::Uint8;
    codes.shape = Shape::of({2, 2});
    n.g.inputs.push_back(n.g.add_value(codes));
    const int as = n.input("a_scale", {});
    const int z = n.constant("z", Tensor::from<uint8_t>({}, {0})), s = n.constant("s", Tensor::from<float>({}, {1.f}));
    const int bw = n.constant("b", Tensor::from<uint8_t>({2, 2}, {1, 2, 3, 4}));
    Graph g = n.done({n.node(OpKind::QLinearMatMul, "qmm", {n.g.inputs[0], as, z, bw, s, z, s, z}, "y")});
    expect_error([&] { quant::recognise_qdq(g); }, {"node 'qmm'", "a_scale 'a_scale'", "computed at run time"});
  }
}

// octet's own quantization of ResNet8 (quant/quantize_graph.h) survives the trip through a
// QDQ file: same operators, same parameters on every value, the same numbers computed.
TEST(QdqImport, OctetsQuantizedResNet8RoundTrips) {
  Graph g = import_onnx_file(std::string(OCTET_DATA_DIR) + "/resnet8.onnx");
  prepare_graph(g);
  optimize_graph(g, /*fuse_epilogues=*/false);
  const CifarSet images = read_cifar_file(std::string(OCTET_DATA_DIR) + "/cifar10-test-first1000.bin",
                                          CifarFormat::Auto, 24);
  const ImageLayout layout = layout_from_input_shape(g.value(g.inputs[0]).shape, "input");
  quant::Calibrator calibrator(g);
  calibrator.observe(make_cifar_input(images, 0, 16, layout));
  quant::quantize_graph(g, calibrator.ranges(), quant::Scheme::U8S8);

  Graph back = import_recognised(quant::export_qdq(g));
  prepare_graph(back);
  optimize_graph(back, false);
  ASSERT_EQ(back.nodes.size(), g.nodes.size());
  int annotated = 0;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node &a = g.nodes[i], &b = back.nodes[i];
    EXPECT_EQ(a.op, b.op) << a.name;
    if (a.op != OpKind::Relu) {   // a merged Relu comes back as "<output>_Relu"
      EXPECT_EQ(a.name, b.name);
    }
    for (size_t k = 0; k < a.inputs.size(); ++k) {
      const Value &va = g.value(a.inputs[k]), &vb = back.value(b.inputs[k]);
      EXPECT_EQ(va.quant, vb.quant) << a.name << " input " << k;
      annotated += va.quant.has_value();
      // Weights come back as their quantized values: the same integers.
      if (va.constant && va.quant)
        expect_same_tensor(fake_quant(*va.constant, *va.quant), *vb.constant, va.name);
    }
    EXPECT_EQ(g.value(a.outputs[0]).quant, back.value(b.outputs[0]).quant) << a.name;
  }
  EXPECT_GT(annotated, 40);
  const std::vector<Tensor> in{make_cifar_input(images, 16, 8, layout)};
  expect_same_tensor(run_fake_quant(back, in)[0], run_fake_quant(g, in)[0], "probabilities");
}

}  // namespace
}  // namespace octet
