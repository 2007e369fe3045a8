// Validation gaps not covered by the importer, pass and reference-op tests: models and
// graphs octet must refuse with a clear octet::Error (never a crash, an overflow or a huge
// allocation), bad run-time inputs on both executors, and NaN / Inf flowing through both.
// tools/octet-sanitize runs this under AddressSanitizer and UBSan, where an overflow or an
// out-of-bounds read on these paths fails the test even when the message looks right.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <functional>
#include <iterator>
#include <limits>
#include <string>
#include <vector>

#include "quant/scheme.h"
#include "engine/compile.h"
#include "engine/executor.h"
#include "engine/pipeline/stages.h"
#include "engine/runtime/session.h"
#include "engine/runtime/steps/conv_planar_f32.h"
#include "engine/runtime/steps/qconv.h"
#include "graph/onnx_import.h"
#include "tests/expect_error.h"
#include "tests/optimize_test_util.h"

namespace octet {
namespace {

using opt_test::Builder;
using opt_test::i64;
using opt_test::integer;
using opt_test::ints;
using opt_test::str;

const std::string kData = OCTET_DATA_DIR;
const std::string kFixtures = std::string(OCTET_SOURCE_DIR) + "/tests/fixtures/malformed/";
constexpr int64_t k2to40 = int64_t{1} << 40;
constexpr int64_t k2to62 = int64_t{1} << 62;

using testing::error_of;

// ---------------------------------------------------------------------------- model files

TEST(MalformedModels, NamesTypesAndSizesTheImporterRefuses) {
  const std::pair<const char*, const char*> cases[] = {
      {"output_not_produced.onnx", "graph output 'z' is not produced by any node"},
      {"duplicate_graph_input.onnx", "graph input 'x' is defined twice"},
      {"node_overwrites_input.onnx", "node 'overwrite' (Relu, opset 15): output 'x' is already a graph input"},
      {"float_data_count.onnx", "initializer 'w_f' (float32 [2,3]): float_data holds 5 values, the shape needs 6"},
      {"int64_data_count.onnx", "initializer 'w_i' (int64 [2]): int64_data holds 3 values, the shape needs 2"},
      {"raw_int64_short.onnx", "initializer 'w_r' (int64 [1]): raw_data holds 7 bytes, the shape needs 8"},
      {"negative_dim.onnx", "initializer 'w_neg': negative dimension in shape [-1,4]"},
      {"overflow_dims.onnx", "initializer 'w_ovf': tensor of shape [4294967296,4294967296,4294967296] exceeds octet's limit of 2^31 elements"},
      {"bfloat16_tensor.onnx", "initializer 'w_bf16': element type bfloat16 is not supported by octet"},
      {"complex64_tensor.onnx", "initializer 'w_c64': element type complex64 is not supported by octet"},
      {"float16_input.onnx", "graph input 'x' has element type float16, which octet does not support"},
      {"huge_declared_input.onnx", "graph input 'x'"},
  };
  for (const auto& c : cases) {
    const char* file = c.first;   // not a structured binding: clang 14 cannot capture one
    const char* needle = c.second;
    const std::string msg = error_of([&] { import_onnx_file(kFixtures + file); });
    EXPECT_EQ(msg.rfind(kFixtures + file + ": ", 0), 0u) << "the file is named first: " << msg;
    EXPECT_NE(msg.find(needle), std::string::npos) << file << "\n  message: " << msg;
  }
  // A declared shape past the limit is refused for what it is, not for some later overflow.
  EXPECT_ERROR(import_onnx_file(kFixtures + "huge_declared_input.onnx"), "2^31");
}

TEST(MalformedModels, ShapeAndFoldingErrorsNameTheNode) {
  EXPECT_ERROR(load_reference_graph(kFixtures + "cast_to_string.onnx"),
               "node 'to_string' (Cast, opset 15): cannot cast to string");
  EXPECT_ERROR(load_reference_graph(kFixtures + "reshape_huge.onnx"),
               "node 'grow' (Reshape, opset 15): shape [1048576,1048576] exceeds octet's limit of 2^31 elements");
}

// ConstantOfShape asking for 2^40 floats: constant folding leaves it alone (too big to
// materialise), and running it is refused before any allocation, on both executors: by the
// memory limit (docs/limits.md), and without one by the tensor element limit.
TEST(MalformedModels, ConstantOfShapeOf2To40ElementsIsRefusedNotAllocated) {
  const Graph g = load_reference_graph(kFixtures + "constant_of_shape_huge.onnx");
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.value(g.outputs[0]).shape.to_string(), "[1048576,1048576]");
  Tensor x(DType::Float32, {1, 4});
  EXPECT_ERROR(ReferenceExecutor(g).run(std::span<const Tensor>(&x, 1)),
               "its biggest tensors: 'y' of node 'fill' (ConstantOfShape, opset 15) 4.0 TiB");
  EXPECT_ERROR(compile_plan(g), "over the memory limit of 1.0 GiB");
  const ResourceLimits unlimited{UINT64_MAX, 1e300};
  EXPECT_ERROR(ReferenceExecutor(g, unlimited).run(std::span<const Tensor>(&x, 1)), "node 'fill' (ConstantOfShape, opset 15)");
  EXPECT_ERROR(ReferenceExecutor(g, unlimited).run(std::span<const Tensor>(&x, 1)), "2^31");
  CompileOptions options;
  options.limits = unlimited;
  EXPECT_ERROR(compile_plan(g, options),
               "node 'fill' (ConstantOfShape, opset 15): has no activation input");
}

// ---------------------------------------------------------------------------- absurd sizes

TEST(MalformedSizes, TensorsPastTheLimitAreRefusedBeforeAllocation) {
  EXPECT_ERROR(Tensor(DType::Float32, {k2to40}), "exceeds octet's limit of 2^31 elements");
  EXPECT_ERROR(Tensor(DType::Float32, {int64_t{1} << 32, int64_t{1} << 32, int64_t{1} << 32}), "2^31");
  EXPECT_ERROR(Tensor(DType::Float32, {4, -1}), "negative dimension in shape [4,-1]");
  EXPECT_ERROR(Tensor(DType::String, {2}), "element type string are not supported");
}

// Shape inference on constants and attributes that would overflow int64 if multiplied.
TEST(MalformedSizes, ShapeInferenceDoesNotOverflow) {
  {
    Builder b;
    const int x = b.input("x", {-1, 4});
    b.output(b.node(OpKind::Reshape, "grow", {x, b.constant("shape", i64({k2to40, k2to40}))}));
    EXPECT_ERROR(b.prepared(), "node 'grow' (Reshape, opset 13)");
  }
  {
    Builder b;
    const int x = b.input("x", {-1, 4});
    b.output(b.node(OpKind::Reshape, "grow", {x, b.constant("shape", i64({-1, k2to40, k2to40}))}));
    EXPECT_ERROR(b.prepared(), "node 'grow' (Reshape, opset 13)");
  }
  {
    // group * weight channels would overflow.
    Builder b;
    const int x = b.input("x", {1, 4, 8, 8});
    b.output(b.conv("conv", x, 4, 1, 3, 1, {{"group", integer(k2to62)}}));
    EXPECT_ERROR(b.prepared(), "node 'conv' (Conv, opset 13)");
  }
  {
    // A declared input shape past the limit (as an IR built by hand can hold): the compiler
    // refuses it before sizing any buffer from it.
    Builder b;
    const int x = b.input("x", {-1, 3, 1 << 20, 1 << 20});
    b.output(b.node(OpKind::Relu, "relu", {x}));
    Graph g = b.prepared();
    EXPECT_ERROR(compile_plan(g), "node 'relu' (Relu, opset 13) 3.3e+12");   // the cost limit first
    CompileOptions options;
    options.limits = {UINT64_MAX, 1e300};
    EXPECT_ERROR(compile_plan(g, options), "2^31");
  }
}

// Window attributes on Conv and the pools: negative, zero, huge; each refused by shape
// inference (prepare_graph) with the node named, before any output size is computed.
TEST(MalformedSizes, ConvAndPoolWindowsOutOfRange) {
  struct Case {
    OpKind op;
    std::map<std::string, Attribute> attrs;
    const char* needle;
  };
  const Case cases[] = {
      {OpKind::Conv, {{"pads", ints({-1, 0, 0, 0})}}, "negative pads"},
      {OpKind::Conv, {{"pads", ints({k2to62, k2to62, k2to62, k2to62})}}, "pads are absurdly large"},
      {OpKind::Conv, {{"pads", ints({1, 1})}}, "pads must have 2 values per spatial dim"},
      {OpKind::Conv, {{"strides", ints({k2to62, 1})}}, "absurdly large"},
      {OpKind::Conv, {{"strides", ints({0, 1})}}, "strides must be positive"},
      {OpKind::Conv, {{"strides", ints({-3, 1})}}, "strides must be positive"},
      {OpKind::Conv, {{"dilations", ints({k2to62, k2to62})}}, "absurdly large"},
      {OpKind::Conv, {{"dilations", ints({4, 4})}}, "larger than the padded input"},
      {OpKind::Conv, {{"kernel_shape", ints({k2to40, 3})}}, "kernel_shape does not match"},
      {OpKind::Conv, {{"auto_pad", str("SAME_SIDEWAYS")}}, "unknown auto_pad"},
      {OpKind::MaxPool, {{"kernel_shape", ints({k2to40, 2})}}, "absurdly large"},
      {OpKind::MaxPool, {{"kernel_shape", ints({0, 2})}}, "kernel sizes must be positive"},
      {OpKind::MaxPool, {{"kernel_shape", ints({-2, 2})}}, "kernel sizes must be positive"},
      {OpKind::MaxPool, {{"kernel_shape", ints({9, 9})}}, "larger than the padded input"},
      {OpKind::AveragePool, {{"kernel_shape", ints({2, 2})}, {"pads", ints({0, 0, -5, 0})}}, "negative pads"},
      {OpKind::AveragePool, {{"kernel_shape", ints({2, 2})}, {"pads", ints({k2to62, 0, k2to62, 0})}}, "absurdly large"},
      {OpKind::AveragePool, {{"kernel_shape", ints({2, 2})}, {"strides", ints({k2to62, k2to62})}}, "absurdly large"},
      {OpKind::AveragePool, {{"kernel_shape", ints({2, 2, 2})}}, "kernel_shape has 3 values for 2 spatial dims"},
  };
  int i = 0;
  for (const Case& c : cases) {
    Builder b;
    const int x = b.input("x", {-1, 2, 8, 8});
    const std::string name = "window" + std::to_string(i++);
    const int y = c.op == OpKind::Conv ? b.conv(name, x, 4, 2, 3, 7, c.attrs) : b.node(c.op, name, {x}, c.attrs);
    b.output(y);
    const std::string msg = error_of([&] { b.prepared(); });
    EXPECT_EQ(msg.rfind("node '" + name + "' (" + std::string(op_name(c.op)) + ", opset 13): ", 0), 0u) << msg;
    EXPECT_NE(msg.find(c.needle), std::string::npos) << name << "\n  message: " << msg;
  }
}

// ---------------------------------------------------------------------------- graph structure

TEST(MalformedGraphs, CyclesAndDanglingValuesInAHandBuiltGraph) {
  {
    // a = Add(x, b); b = Relu(a).
    Builder b;
    const int x = b.input("x", {-1, 4});
    const int loop = b.g.add_value(Value{"b", DType::Float32, Shape{}, std::nullopt, std::nullopt});
    const int a = b.node(OpKind::Add, "add_loop", {x, loop});
    b.g.nodes.push_back(Node{OpKind::Relu, "relu_loop", {a}, {loop}, {}, {}});
    b.output(loop);
    EXPECT_ERROR(b.prepared(), "graph has a cycle through node '");
  }
  {
    // A node reading its own output.
    Builder b;
    b.input("x", {-1, 4});
    const int self = b.g.add_value(Value{"self", DType::Float32, Shape{}, std::nullopt, std::nullopt});
    b.g.nodes.push_back(Node{OpKind::Relu, "ouroboros", {self}, {self}, {}, {}});
    b.output(self);
    EXPECT_ERROR(b.prepared(), "graph has a cycle through node 'ouroboros' (Relu, opset 13)");
  }
  {
    // A value nothing produces.
    Builder b;
    const int x = b.input("x", {-1, 4});
    const int ghost = b.g.add_value(Value{"ghost", DType::Float32, Shape{}, std::nullopt, std::nullopt});
    b.output(b.node(OpKind::Add, "add_ghost", {x, ghost}));
    EXPECT_ERROR(b.prepared(), "node 'add_ghost' (Add, opset 13): input 'ghost' is neither a graph input");
  }
}

// What the optimised runtime refuses (docs/limits.md lists these), each naming the node and
// pointing at the reference executor.
TEST(MalformedGraphs, OptimisedRuntimeRefusalsNameTheNode) {
  auto compile_error = [](Builder& b) { return error_of([&] { compile_plan(b.prepared()); }); };
  auto expect_refusal = [](const std::string& msg, const std::string& node, const char* needle) {
    EXPECT_EQ(msg.rfind("node '" + node + "'", 0), 0u) << msg;
    EXPECT_NE(msg.find(needle), std::string::npos) << msg;
    EXPECT_NE(msg.find("octet-eval --reference"), std::string::npos) << msg;
  };
  {
    Builder b;
    const int x = b.input("x", {-1, 2, 8});
    b.output(b.node(OpKind::Conv, "conv1d", {x, b.constant("w", opt_test::random_tensor({3, 2, 3}, 1))}));
    expect_refusal(compile_error(b), "conv1d", "expects a 4-D input");
  }
  {
    Builder b;
    const int x = b.input("x", {-1, 4});
    b.output(b.node(OpKind::Gemm, "gemm_ta", {x, b.constant("w", opt_test::random_tensor({4, 4}, 1))},
                    {{"transA", integer(1)}}));
    expect_refusal(compile_error(b), "gemm_ta", "transA is not supported");
  }
  {
    Builder b;
    const int x = b.input("x", {-1, 2, 3, 4});
    b.output(b.node(OpKind::Transpose, "batch_moved", {x}, {{"perm", ints({1, 0, 2, 3})}}));
    expect_refusal(compile_error(b), "batch_moved", "does not keep the batch");
  }
  {
    Builder b;
    const int x = b.input("x", {-1, 4});
    b.output(b.node(OpKind::Shape, "shape_of_activation", {x}));   // the batch is symbolic: not folded
    expect_refusal(compile_error(b), "shape_of_activation", "output element type int64");
  }
  {
    Builder b;
    const int x = b.input("x", {-1, 4, 6, 6});
    b.output(b.node(OpKind::MaxPool, "pool_idx", {x}, {{"kernel_shape", ints({2, 2})}}));
    b.g.nodes.back().outputs.push_back(b.g.add_value(Value{"indices", DType::Undefined, Shape{}, std::nullopt, std::nullopt}));
    expect_refusal(compile_error(b), "pool_idx", "MaxPool indices are not supported");
  }
}

// A malformed fused epilogue (graph/ir.h) is refused by the FP32 and the int8 compiler alike,
// naming the node and the problem, not run with some default in its place.
TEST(MalformedGraphs, CompilersRefuseAMalformedEpilogue) {
  for (bool quantized : {false, true}) {
    Builder b;
    const int x = b.input("x", {-1, 4, 6, 6});
    b.output(b.conv("conv", x, 4, 4, 3, 1, {{"pads", ints({1, 1, 1, 1})}}));
    Graph g = b.prepared();
    Node& conv = g.nodes.at(0);
    if (quantized) {
      g.value(x).quant = quant::per_tensor_params(DType::Uint8, 0.02f, 128);
      g.value(conv.inputs[1]).quant = quant::per_tensor_params(DType::Int8, 0.01f, 0);
      g.value(conv.inputs[2]).quant = quant::per_tensor_params(DType::Int32, 0.0002f, 0);
      g.value(conv.outputs[0]).quant = quant::per_tensor_params(DType::Uint8, 0.05f, 100);
    }
    conv.epilogue.activation = Epilogue::Activation::Clip;
    conv.epilogue.min = 6.f;
    conv.epilogue.max = 0.f;
    EXPECT_ERROR(compile_plan(g), "node 'conv' (Conv, opset 13): fused Clip bounds [6.000000, 0.000000] are not ordered");
    conv.epilogue.max = 6.f;
    conv.epilogue.min = 0.f;
    conv.epilogue.residual = true;
    EXPECT_ERROR(compile_plan(g), "node 'conv' (Conv, opset 13): the fused epilogue adds a residual but the node has no 4th input");
    conv.epilogue.residual = false;
    // Well-formed again: it compiles, on the int8 kernels when quantized, else as a conv reading
    // the 4-channel planar input itself (steps/conv_planar_f32.h).
    const Plan plan = compile_plan(g);
    const StepType* type = quantized ? &QConvStep::kType : &ConvPlanarF32Step::kType;
    EXPECT_EQ(std::count_if(plan.steps.begin(), plan.steps.end(), [&](const Step& st) { return st.type == type; }), 1);
  }
}

// ---------------------------------------------------------------------------- run-time inputs

TEST(MalformedRunInputs, ReferenceExecutorChecksCountDtypeAndShape) {
  const Graph g = load_reference_graph(kData + "/resnet8.onnx");
  const ReferenceExecutor exec(g);
  Tensor ok(DType::Float32, {2, 32, 32, 3});
  EXPECT_EQ(exec.run(std::span<const Tensor>(&ok, 1)).at(0).dims, (std::vector<int64_t>{2, 10}));
  Tensor nchw(DType::Float32, {2, 3, 32, 32});
  EXPECT_ERROR(exec.run(std::span<const Tensor>(&nchw, 1)),
               "input 'input_1': expected shape [unk__32,32,32,3], got [2,3,32,32]");
  Tensor rank3(DType::Float32, {32, 32, 3});
  EXPECT_ERROR(exec.run(std::span<const Tensor>(&rank3, 1)), "got [32,32,3]");
  Tensor f64(DType::Float64, {1, 32, 32, 3});
  EXPECT_ERROR(exec.run(std::span<const Tensor>(&f64, 1)), "input 'input_1': expected float32, got float64");
  EXPECT_ERROR(exec.run({}), "graph takes 1 inputs, given 0");
  std::vector<Tensor> two{ok, ok};
  EXPECT_ERROR(exec.run(two), "graph takes 1 inputs, given 2");
}

TEST(MalformedRunInputs, SessionChecksSpanSizesBatchAndOptions) {
  const Plan plan = load_plan(kData + "/resnet8.onnx");
  Session s(plan, {2, 4});
  std::vector<float> x(4 * 3072, 1.f), y(4 * 10, -1.f);
  auto run = [&](int batch, size_t in_floats, size_t out_floats) {
    std::span<const float> in(x.data(), in_floats);
    std::span<float> out(y.data(), out_floats);
    s.run(batch, std::span<const std::span<const float>>(&in, 1), std::span<const std::span<float>>(&out, 1));
  };
  run(3, 3 * 3072, 30);
  EXPECT_NEAR(y[0] + y[1] + y[2] + y[3] + y[4] + y[5] + y[6] + y[7] + y[8] + y[9], 1.f, 1e-5f);
  EXPECT_EQ(y[30], -1.f);   // nothing written past batch × 10
  EXPECT_ERROR(run(3, 3 * 3072 - 1, 30), "input 'input_1': batch 3 of shape [-1,32,32,3] needs 9216 floats, given 9215");
  EXPECT_ERROR(run(2, 3 * 3072, 20), "input 'input_1': batch 2 of shape [-1,32,32,3] needs 6144 floats, given 9216");
  EXPECT_ERROR(run(2, 2 * 3072, 19), "output 'dense': batch 2 of shape [-1,10] needs 20 floats, given 19");
  EXPECT_ERROR(run(5, 5 * 3072, 50), "batch 5 is outside this session's range [1, 4]");
  EXPECT_ERROR(run(0, 0, 0), "batch 0 is outside");
  std::span<const float> in(x.data(), 3072);
  std::span<float> out(y.data(), 10);
  const std::span<const float> two_in[] = {in, in};
  EXPECT_ERROR(s.run(1, two_in, std::span<const std::span<float>>(&out, 1)), "run() takes 1 inputs and 1 outputs");
  // The pointer form checks counts too (it cannot check sizes).
  const float* p = x.data();
  EXPECT_ERROR(s.run(1, std::span<const float* const>(&p, 0), std::span<float* const>()), "run() takes 1 inputs");

  EXPECT_ERROR(Session(plan, {0, 1}), "threads must be in [1, 1024], given 0");
  EXPECT_ERROR(Session(plan, {100000, 1}), "threads must be in [1, 1024], given 100000");
  EXPECT_ERROR(Session(plan, {1, 0}), "max_batch must be at least 1");
  // The arena holds min(max_batch, threads) images, so a huge batch capacity costs nothing.
  EXPECT_EQ(Session(plan, {1, 1 << 30}).arena_bytes(), plan.arena_bytes_per_image);
  EXPECT_EQ(Session(plan, {2, 64}).arena_bytes(), 2 * plan.arena_bytes_per_image);
}

// ---------------------------------------------------------------------------- NaN and Inf

// One NaN, +Inf or -Inf pixel in an image makes all ten of that image's probabilities NaN,
// as ONNX Runtime 1.30 computes for both bundled models (checked with onnxruntime-node: a
// conv sums Inf with -Inf, and the global average spreads a NaN to every class). The other
// images of the same batch are untouched.
TEST(NanAndInf, ReachTheOutputOfTheirImageOnlyOnBothExecutors) {
  for (const auto& model : {std::pair{"resnet8.onnx", true}, std::pair{"resnet8_torch_opset13.onnx", false}}) {
    const char* file = model.first;   // not a structured binding: clang 14 cannot capture one
    const bool nhwc = model.second;
    std::ifstream f(kData + "/cifar10-test-first1000.bin", std::ios::binary);
    std::vector<uint8_t> raw{std::istreambuf_iterator<char>(f), {}};
    const int n = 4;
    std::vector<float> x(n * 3072);
    auto at = [&](int i, int c, int h, int w) {
      return static_cast<size_t>(i) * 3072 + (nhwc ? (h * 32 + w) * 3 + c : c * 1024 + h * 32 + w);
    };
    for (int i = 0; i < n; ++i)
      for (int c = 0; c < 3; ++c)
        for (int p = 0; p < 1024; ++p) x[at(i, c, p / 32, p % 32)] = raw[static_cast<size_t>(i) * 3073 + 1 + c * 1024 + p];
    const std::vector<float> clean = x;
    x[at(1, 0, 5, 7)] = std::numeric_limits<float>::quiet_NaN();
    x[at(2, 0, 5, 7)] = std::numeric_limits<float>::infinity();
    x[at(3, 2, 31, 31)] = -std::numeric_limits<float>::infinity();

    const Graph g = load_reference_graph(kData + "/" + file);
    const std::vector<int64_t> dims = nhwc ? std::vector<int64_t>{n, 32, 32, 3} : std::vector<int64_t>{n, 3, 32, 32};
    Tensor in = Tensor::from<float>(dims, std::span<const float>(x));
    Tensor in_clean = Tensor::from<float>(dims, std::span<const float>(clean));
    const std::vector<double> ref = ReferenceExecutor(g).run(std::span<const Tensor>(&in, 1)).at(0).as_double();
    const std::vector<double> ref_clean = ReferenceExecutor(g).run(std::span<const Tensor>(&in_clean, 1)).at(0).as_double();

    const Plan plan = load_plan(kData + "/" + file);
    for (int threads : {1, 2}) {
      for (int batch : {1, n}) {
        Session s(plan, {threads, batch});
        std::vector<float> opt(n * 10);
        for (int start = 0; start < n; start += batch) {
          std::span<const float> si(x.data() + start * 3072, static_cast<size_t>(batch) * 3072);
          std::span<float> so(opt.data() + start * 10, static_cast<size_t>(batch) * 10);
          s.run(batch, std::span<const std::span<const float>>(&si, 1), std::span<const std::span<float>>(&so, 1));
        }
        for (int k = 0; k < 10; ++k) {
          EXPECT_EQ(ref[k], ref_clean[k]) << file;   // the clean image, bit for bit on the reference
          EXPECT_NEAR(opt[k], ref_clean[k], 1e-4) << file << " threads " << threads << " batch " << batch;
          for (int i = 1; i < n; ++i) {
            EXPECT_TRUE(std::isnan(ref[i * 10 + k])) << file << " reference image " << i << " class " << k;
            EXPECT_TRUE(std::isnan(opt[i * 10 + k]))
                << file << " optimised image " << i << " class " << k << " threads " << threads << " batch " << batch;
          }
        }
      }
    }
  }
}

}  // namespace
}  // namespace octet
