// The ONNX importer on the bundled ResNet8, on small generated fixtures (valid and
// deliberately malformed: tests/fixtures/onnx/make_fixtures.py) and on mangled bytes.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "graph/onnx_import.h"

namespace octet {
namespace {

const std::string kResnet8 = std::string(OCTET_DATA_DIR) + "/resnet8.onnx";
const std::string kFixtures = std::string(OCTET_SOURCE_DIR) + "/tests/fixtures/onnx/";

std::vector<uint8_t> read_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("cannot open " + path);
  return {std::istreambuf_iterator<char>(f), {}};
}

// The importer's message for a fixture that must fail; an empty string (and a failure) if
// it imported.
std::string fixture_error(const std::string& name) {
  try {
    import_onnx_file(kFixtures + name);
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << name << " imported without an error";
  return {};
}

std::string bytes_error(std::span<const uint8_t> bytes, const std::string& source) {
  try {
    import_onnx_bytes(bytes, source);
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << source << " (" << bytes.size() << " bytes) imported without an error";
  return {};
}

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

#define EXPECT_CONTAINS(haystack, needle) \
  EXPECT_NE(std::string(haystack).find(needle), std::string::npos) << "message: " << (haystack)

const Node* find_node(const Graph& g, const std::string& name) {
  for (const Node& n : g.nodes)
    if (n.name == name) return &n;
  return nullptr;
}

// ---------------------------------------------------------------------------- ResNet8

TEST(OnnxImportResnet8, HeaderInputsOutputs) {
  Graph g = import_onnx_file(kResnet8);
  EXPECT_EQ(g.name, "tf2onnx");
  EXPECT_EQ(g.opset, 15);
  EXPECT_EQ(g.producer, "tf2onnx 1.16.1 15c810");
  ASSERT_EQ(g.inputs.size(), 1u);   // the 35 initializers are not run-time inputs
  const Value& in = g.value(g.inputs[0]);
  EXPECT_EQ(in.name, "input_1");
  EXPECT_EQ(in.dtype, DType::Float32);
  EXPECT_FALSE(in.constant.has_value());
  ASSERT_TRUE(in.shape.has_rank);
  ASSERT_EQ(in.shape.dims.size(), 4u);
  EXPECT_EQ(in.shape.dims[0], Dim::named("unk__32"));
  EXPECT_EQ(in.shape.dims[1], Dim::known(32));
  EXPECT_EQ(in.shape.dims[2], Dim::known(32));
  EXPECT_EQ(in.shape.dims[3], Dim::known(3));
  EXPECT_EQ(in.shape.to_string(), "[unk__32,32,32,3]");
  ASSERT_EQ(g.outputs.size(), 1u);
  EXPECT_EQ(g.value(g.outputs[0]).name, "dense");
  EXPECT_EQ(g.value(g.outputs[0]).dtype, DType::Float32);

  int constants = 0;
  for (const Value& v : g.values) constants += v.constant.has_value();
  EXPECT_EQ(constants, 35);
  EXPECT_EQ(g.values.size(), 35u + 1u + 39u);   // initializers, input, one output per node
}

TEST(OnnxImportResnet8, NodeKindsAndOrder) {
  Graph g = import_onnx_file(kResnet8);
  ASSERT_EQ(g.nodes.size(), 39u);
  std::map<OpKind, int> count;
  for (const Node& n : g.nodes) ++count[n.op];
  EXPECT_EQ(count[OpKind::Conv], 9);
  EXPECT_EQ(count[OpKind::Mul], 7);
  EXPECT_EQ(count[OpKind::Add], 11);
  EXPECT_EQ(count[OpKind::Relu], 7);
  EXPECT_EQ(count[OpKind::MatMul], 1);
  EXPECT_EQ(count[OpKind::Transpose], 1);
  EXPECT_EQ(count[OpKind::AveragePool], 1);
  EXPECT_EQ(count[OpKind::Reshape], 1);
  EXPECT_EQ(count[OpKind::Softmax], 1);
  EXPECT_EQ(g.nodes.front().op, OpKind::Transpose);
  EXPECT_EQ(g.nodes.front().attr_ints("perm"), (std::vector<int64_t>{0, 3, 1, 2}));
  EXPECT_EQ(g.nodes.back().op, OpKind::Softmax);
  EXPECT_EQ(g.nodes.back().attr_int("axis", 0), -1);

  // Topological: every node input is a graph input, a constant or an earlier node's output.
  std::vector<bool> ready(g.values.size(), false);
  for (int in : g.inputs) ready[static_cast<size_t>(in)] = true;
  for (size_t v = 0; v < g.values.size(); ++v)
    if (g.values[v].constant) ready[v] = true;
  for (const Node& n : g.nodes) {
    for (int in : n.inputs) EXPECT_TRUE(ready[static_cast<size_t>(in)]) << n.name;
    for (int out : n.outputs) ready[static_cast<size_t>(out)] = true;
  }
}

TEST(OnnxImportResnet8, ConvAttributes) {
  Graph g = import_onnx_file(kResnet8);
  const Node* down = find_node(g, "model_1/conv2d_3_1/BiasAdd");   // 3x3 stride-2 conv
  ASSERT_NE(down, nullptr);
  EXPECT_EQ(down->op, OpKind::Conv);
  EXPECT_EQ(down->attr_ints("pads"), (std::vector<int64_t>{0, 0, 1, 1}));
  EXPECT_EQ(down->attr_ints("strides"), (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(down->attr_ints("kernel_shape"), (std::vector<int64_t>{3, 3}));
  EXPECT_EQ(down->attr_int("group", 0), 1);
  ASSERT_EQ(down->inputs.size(), 3u);
  EXPECT_EQ(g.value(down->inputs[1]).constant->dims, (std::vector<int64_t>{32, 16, 3, 3}));
  const Node* down2 = find_node(g, "model_1/conv2d_6_1/BiasAdd");
  ASSERT_NE(down2, nullptr);
  EXPECT_EQ(down2->attr_ints("pads"), (std::vector<int64_t>{0, 0, 1, 1}));
  const Node* first = find_node(g, "model_1/conv2d_1/BiasAdd");
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->attr_ints("pads"), (std::vector<int64_t>{1, 1, 1, 1}));
  EXPECT_EQ(first->attr_ints("strides"), (std::vector<int64_t>{1, 1}));
  EXPECT_EQ(first->attrs.size(), 5u);
}

TEST(OnnxImportResnet8, InitializerValuesMatchNumpy) {
  // Expected values from /usr/bin/python3: onnx.numpy_helper.to_array(initializer).
  Graph g = import_onnx_file(kResnet8);
  int id = g.find_value("model_1/conv2d_1/Conv2D/ReadVariableOp:0");
  ASSERT_NE(id, kNoValue);
  const Tensor& w = *g.value(id).constant;
  EXPECT_EQ(w.dtype, DType::Float32);
  EXPECT_EQ(w.dims, (std::vector<int64_t>{16, 3, 3, 3}));
  auto wv = w.values<float>();
  EXPECT_FLOAT_EQ(wv[0], 0.12583756f);
  EXPECT_FLOAT_EQ(wv[1], 0.10624405f);
  EXPECT_FLOAT_EQ(wv[2], 0.37481287f);
  EXPECT_FLOAT_EQ(wv[431], 0.37204343f);   // w[15,2,2,2]

  id = g.find_value("model_1/dense_1/BiasAdd/ReadVariableOp:0");
  ASSERT_NE(id, kNoValue);
  auto bias = g.value(id).constant->values<float>();
  ASSERT_EQ(bias.size(), 10u);
  EXPECT_FLOAT_EQ(bias[0], -0.0889325f);
  EXPECT_FLOAT_EQ(bias[9], 0.17929795f);

  id = g.find_value("const_fold_opt__28");
  ASSERT_NE(id, kNoValue);
  EXPECT_EQ(g.value(id).constant->as_int64(), (std::vector<int64_t>{-1, 64}));
  EXPECT_EQ(g.value(id).dtype, DType::Int64);
  EXPECT_EQ(g.value(id).shape.to_string(), "[2]");
}

// ---------------------------------------------------------------------------- valid fixture

TEST(OnnxImportFixtures, TypedFieldsSymbolicDimsAndAttributes) {
  Graph g = import_onnx_file(kFixtures + "typed_fields.onnx");
  EXPECT_EQ(g.name, "fixture");
  EXPECT_EQ(g.producer, "octet-fixtures 1");
  // "w" is listed in graph.input too (pre-IR-4 style) but has an initializer.
  ASSERT_EQ(g.inputs.size(), 1u);
  const Value& x = g.value(g.inputs[0]);
  EXPECT_EQ(x.name, "x");
  ASSERT_EQ(x.shape.dims.size(), 3u);
  EXPECT_EQ(x.shape.dims[0], Dim::named("batch"));
  EXPECT_FALSE(x.shape.dims[1].is_known());
  EXPECT_TRUE(x.shape.dims[1].symbol.empty());
  EXPECT_EQ(x.shape.dims[2], Dim::known(2));
  EXPECT_EQ(x.shape.to_string(), "[batch,?,2]");
  ASSERT_EQ(g.outputs.size(), 1u);
  EXPECT_EQ(g.value(g.outputs[0]).shape.to_string(), "[batch,2]");

  auto constant = [&](const std::string& name) -> const Tensor& {
    int id = g.find_value(name);
    if (id == kNoValue || !g.value(id).constant) throw std::runtime_error("no constant " + name);
    return *g.value(id).constant;
  };
  EXPECT_EQ(constant("w").dims, (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(constant("w").as_double(), (std::vector<double>{1.5, -2.0, 3.25, 4.0}));
  EXPECT_EQ(constant("shape").values<int64_t>()[0], -1);
  EXPECT_EQ(constant("shape").values<int64_t>()[1], 2);
  EXPECT_EQ(constant("i8").dtype, DType::Int8);
  EXPECT_EQ(constant("i8").as_int64(), (std::vector<int64_t>{-3, 0, 127}));
  EXPECT_EQ(constant("u8").as_int64(), (std::vector<int64_t>{255, 7}));
  EXPECT_EQ(constant("flags").dtype, DType::Bool);
  EXPECT_EQ(constant("flags").as_int64(), (std::vector<int64_t>{1, 0}));
  EXPECT_EQ(constant("dbl").as_double(), (std::vector<double>{0.25, -1e10}));
  EXPECT_EQ(constant("u64").dtype, DType::Uint64);
  EXPECT_EQ(constant("u64").as_int64(), (std::vector<int64_t>{int64_t{1} << 40}));

  // Listed MatMul-first in the file; the importer sorts. The unnamed Reshape was node 1.
  ASSERT_EQ(g.nodes.size(), 2u);
  EXPECT_EQ(g.nodes[0].op, OpKind::Reshape);
  EXPECT_EQ(g.nodes[0].name, "Reshape_1");
  EXPECT_EQ(g.nodes[1].op, OpKind::MatMul);
  const Node& r = g.nodes[0];
  EXPECT_FLOAT_EQ(r.attr_float("f", 0), 0.5f);
  EXPECT_EQ(r.attr_int("i", 0), 3);
  EXPECT_EQ(r.attr_string("s", ""), "text");
  EXPECT_EQ(r.attr_ints("ints"), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(r.attr_floats("floats"), (std::vector<float>{0.5f, 1.5f}));
  EXPECT_EQ(r.attrs.at("strings").kind, Attribute::Kind::Strings);
  EXPECT_EQ(r.attrs.at("strings").strings, (std::vector<std::string>{"a", "b"}));
  ASSERT_EQ(r.attrs.at("t").kind, Attribute::Kind::Tensor);
  EXPECT_EQ(r.attrs.at("t").t->dtype, DType::Int32);
  EXPECT_EQ(r.attrs.at("t").t->as_int64(), (std::vector<int64_t>{10, 20}));
}

// ---------------------------------------------------------------------------- malformed fixtures

TEST(OnnxImportErrors, UnknownOp) {
  std::string msg = fixture_error("unknown_op.onnx");
  EXPECT_CONTAINS(msg, "unknown_op.onnx: ");
  EXPECT_CONTAINS(msg, "node 'mystery' (Foo, opset 15): operator Foo is not supported by octet");
}

TEST(OnnxImportErrors, OpsetOutOfRange) {
  std::string msg = fixture_error("opset_too_old.onnx");
  EXPECT_CONTAINS(msg, "opset_too_old.onnx: node 'old_relu' (Relu, opset 5)");
  EXPECT_CONTAINS(msg, "for opsets 6 to 21");
}

TEST(OnnxImportErrors, ForeignDomain) {
  std::string msg = fixture_error("foreign_domain.onnx");
  EXPECT_CONTAINS(msg, "node 'fused' (FusedConv, domain 'com.microsoft')");
  EXPECT_CONTAINS(msg, "not supported by octet");
}

TEST(OnnxImportErrors, NoDefaultOpset) {
  EXPECT_CONTAINS(fixture_error("no_default_opset.onnx"), "no opset_import for the default ONNX domain");
}

TEST(OnnxImportErrors, MissingInput) {
  std::string msg = fixture_error("missing_input.onnx");
  EXPECT_CONTAINS(msg, "node 'add_bias' (Add, opset 15): input 'bias_missing' is not defined");
}

TEST(OnnxImportErrors, DuplicateOutput) {
  std::string msg = fixture_error("duplicate_output.onnx");
  EXPECT_CONTAINS(msg, "node 'second' (Relu, opset 15): output 'y' is already produced by node 'first'");
}

TEST(OnnxImportErrors, NameDefinedTwice) {
  EXPECT_CONTAINS(fixture_error("output_shadows_initializer.onnx"),
                  "node 'shadow' (Relu, opset 15): output 'c' is already an initializer");
  EXPECT_CONTAINS(fixture_error("duplicate_initializer.onnx"), "initializer 'c' is defined twice");
}

TEST(OnnxImportErrors, WrongSizeInitializer) {
  std::string msg = fixture_error("bad_raw_size.onnx");
  EXPECT_CONTAINS(msg, "initializer 'w_bad' (float32 [2,3]): raw_data holds 20 bytes, the shape needs 24");
}

TEST(OnnxImportErrors, AbsurdShapeRefusedBeforeAllocation) {
  std::string msg = fixture_error("huge_initializer.onnx");
  EXPECT_CONTAINS(msg, "initializer 'w_huge'");
  EXPECT_CONTAINS(msg, "exceeds octet's limit");
}

TEST(OnnxImportErrors, UnsupportedDtypes) {
  EXPECT_CONTAINS(fixture_error("string_tensor.onnx"),
                  "initializer 'labels': element type string is not supported by octet");
  EXPECT_CONTAINS(fixture_error("float16_tensor.onnx"),
                  "initializer 'w_half': element type float16 is not supported by octet");
}

TEST(OnnxImportErrors, ExternalData) {
  std::string msg = fixture_error("external_data.onnx");
  EXPECT_CONTAINS(msg, "initializer 'w_ext': stored as external data ('weights.bin')");
}

TEST(OnnxImportErrors, Cycle) {
  std::string msg = fixture_error("cycle.onnx");
  EXPECT_CONTAINS(msg, "cycle.onnx: graph has a cycle through node '");
}

TEST(OnnxImportErrors, SubgraphAttribute) {
  std::string msg = fixture_error("graph_attribute.onnx");
  EXPECT_CONTAINS(msg, "node 'relu_g' (Relu, opset 15): attribute 'body' is a subgraph");
}

TEST(OnnxImportErrors, MissingAndDirectoryPaths) {
  const std::string missing = kFixtures + "does_not_exist.onnx";
  try {
    import_onnx_file(missing);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), missing + ": no such file");
  }
  try {
    import_onnx_file(kFixtures);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_CONTAINS(e.what(), "is a directory");
  }
}

// ---------------------------------------------------------------------------- mangled bytes

TEST(OnnxImportBytes, EmptyAndGarbage) {
  EXPECT_EQ(bytes_error({}, "empty.onnx"), "empty.onnx: empty file, not an ONNX model");
  const std::string text = "this is not a protobuf, just some text pretending to be a model\n";
  std::vector<uint8_t> garbage(text.begin(), text.end());
  std::string msg = bytes_error(garbage, "garbage.onnx");
  EXPECT_TRUE(starts_with(msg, "garbage.onnx: not a valid ONNX model")) << msg;
  std::vector<uint8_t> ff(64, 0xFF);
  EXPECT_EQ(bytes_error(ff, "ff.onnx"), "ff.onnx: not a valid ONNX model (protobuf parse failed)");
}

TEST(OnnxImportBytes, TruncatedResnet8) {
  const std::vector<uint8_t> bytes = read_bytes(kResnet8);
  ASSERT_GT(bytes.size(), 300000u);
  for (size_t len : {size_t{1}, size_t{7}, size_t{100}, size_t{4096}, bytes.size() / 2, bytes.size() - 200,
                     bytes.size() - 1}) {
    std::string msg = bytes_error(std::span(bytes.data(), len), "resnet8.onnx");
    EXPECT_TRUE(starts_with(msg, "resnet8.onnx: not a valid ONNX model")) << len << ": " << msg;
  }
  // The whole file still imports from memory.
  EXPECT_EQ(import_onnx_bytes(bytes, "resnet8.onnx").nodes.size(), 39u);
}

// Every prefix and every single-byte corruption of a small valid model either imports or
// throws octet::Error: never a crash or another exception type.
TEST(OnnxImportBytes, EveryPrefixAndByteFlipOfSmallModel) {
  const std::vector<uint8_t> bytes = read_bytes(kFixtures + "typed_fields.onnx");
  int errors = 0;
  for (size_t len = 0; len < bytes.size(); ++len) {
    try {
      import_onnx_bytes(std::span(bytes.data(), len), "prefix");
    } catch (const Error&) {
      ++errors;
    }
  }
  EXPECT_EQ(errors, static_cast<int>(bytes.size()));   // no proper prefix is a complete model
  for (size_t pos = 0; pos < bytes.size(); ++pos) {
    for (uint8_t mask : {uint8_t{0xFF}, uint8_t{0x01}, uint8_t{0x80}}) {
      std::vector<uint8_t> copy = bytes;
      copy[pos] ^= mask;
      try {
        import_onnx_bytes(copy, "flipped");
      } catch (const Error&) {
      }
    }
  }
}

// ---------------------------------------------------------------------------- TensorProto files

TEST(OnnxImportTensor, ConformanceRawData) {
  // Values from onnx.numpy_helper.to_array(onnx.load_tensor(path)).
  const std::string path = "/usr/share/libonnx-testdata/data/node/test_relu/test_data_set_0/input_0.pb";
  Tensor t = import_onnx_tensor_file(path);
  EXPECT_EQ(t.dtype, DType::Float32);
  EXPECT_EQ(t.dims, (std::vector<int64_t>{3, 4, 5}));
  auto v = t.values<float>();
  EXPECT_FLOAT_EQ(v[0], 1.7640524f);
  EXPECT_FLOAT_EQ(v[1], 0.4001572f);
  EXPECT_FLOAT_EQ(v[2], 0.978738f);
  EXPECT_FLOAT_EQ(v[59], -0.36274117f);
}

TEST(OnnxImportTensor, TypedInt64Data) {
  Tensor t = import_onnx_tensor_file(kFixtures + "int64_tensor.pb");
  EXPECT_EQ(t.dtype, DType::Int64);
  EXPECT_EQ(t.dims, (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(t.as_int64(), (std::vector<int64_t>{1, -2, 3, int64_t{1} << 33}));
}

TEST(OnnxImportTensor, Errors) {
  try {
    import_onnx_tensor_bytes({}, "x.pb");
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "x.pb: empty file, not a serialized ONNX tensor");
  }
  std::vector<uint8_t> ff(16, 0xFF);
  try {
    import_onnx_tensor_bytes(ff, "ff.pb");
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "ff.pb: not a valid ONNX tensor (protobuf parse failed)");
  }
  // Every prefix of a serialized tensor fails with the file named, except those that cut
  // only the trailing name field (fields are written in field-number order; name is last).
  std::vector<uint8_t> bytes = read_bytes(kFixtures + "int64_tensor.pb");
  int imported = 0;
  for (size_t len = 1; len < bytes.size(); ++len) {
    try {
      Tensor t = import_onnx_tensor_bytes(std::span(bytes.data(), len), "cut.pb");
      EXPECT_EQ(t.as_int64(), (std::vector<int64_t>{1, -2, 3, int64_t{1} << 33})) << len;
      ++imported;
    } catch (const Error& e) {
      EXPECT_TRUE(starts_with(e.what(), "cut.pb: ")) << e.what();
    }
  }
  EXPECT_EQ(imported, 1);   // the prefix ending right before the name field
  try {
    import_onnx_tensor_file(kFixtures + "nope.pb");
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_CONTAINS(e.what(), "nope.pb: no such file");
  }
}

}  // namespace
}  // namespace octet
