// The resource limits (engine/runtime/resource_limits.h, engine/resource_estimate.h): the
// flags' parsing, cost estimates of convs and pools, refusals by the reference executor (before
// running, and before allocating an output sized by an input's values), by compile_plan and by
// Session and the C API, each naming what is too big and the limit.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/compile.h"
#include "engine/executor.h"
#include "engine/resource_estimate.h"
#include "engine/runtime/model_file.h"
#include "engine/runtime/session.h"
#include "octet/octet.h"
#include "tests/expect_error.h"
#include "tests/optimize_test_util.h"

namespace octet {
namespace {

using opt_test::Builder;
using opt_test::ints;
using testing::error_of;

// The ResourceLimitError message of f(); a test failure if f throws another error or none.
std::string limit_error_of(const std::function<void()>& f) { return error_of<ResourceLimitError>(f); }

TEST(ResourceLimits, ParsesSizesAndCosts) {
  EXPECT_EQ(parse_byte_size("2G", "--max-memory"), uint64_t{2} << 30);
  EXPECT_EQ(parse_byte_size("512m", "--max-memory"), uint64_t{512} << 20);
  EXPECT_EQ(parse_byte_size("64KiB", "--max-memory"), uint64_t{64} << 10);
  EXPECT_EQ(parse_byte_size("1073741824", "--max-memory"), uint64_t{1} << 30);
  for (const char* bad : {"", "0", "-1", "2X", "G", "1.5G", "99999999999999999T"})
    EXPECT_NE(error_of([&] { parse_byte_size(bad, "--max-memory"); }).find("--max-memory"), std::string::npos) << bad;
  EXPECT_EQ(parse_cost("1e12", "--max-cost"), 1e12);
  EXPECT_EQ(parse_cost("5000", "--max-cost"), 5000.0);
  for (const char* bad : {"", "0", "-3", "inf", "nan", "1e12x"})
    EXPECT_NE(error_of([&] { parse_cost(bad, "--max-cost"); }).find("--max-cost"), std::string::npos) << bad;
  EXPECT_EQ(format_bytes(1536.0 * 1024 * 1024), "1.5 GiB");
}

// One 3x3 conv, 8 -> 8 channels, pads 1, on an [N, 8, 10, 10] input, then a Relu.
Graph conv_graph() {
  Builder b;
  const int x = b.input("x", {-1, 8, 10, 10});
  const int c = b.conv("conv1", x, 8, 8, 3, 7, {{"pads", ints({1, 1, 1, 1})}});
  b.output(b.node(OpKind::Relu, "relu1", {c}));
  return b.prepared();
}

TEST(ResourceLimits, CostOfConvsAndPoolsFromTheirInputs) {
  const Graph g = conv_graph();
  const std::vector<std::vector<int64_t>> inputs{{3, 8, 10, 10}};
  const ValueDims dims = bind_value_dims(g, inputs);
  // 3 images x 8 output channels x 10 x 10 positions x (8 input channels x 3 x 3).
  EXPECT_EQ(node_cost(g, g.nodes[0], dims), 3.0 * 8 * 100 * 8 * 9);
  EXPECT_EQ(node_cost(g, g.nodes[1], dims), 3.0 * 8 * 100);   // the Relu: its input's elements

  // MaxPool with a 1024 x 1 window and pads 1023: 2047 x 1 output positions, 1024 each.
  Builder b;
  const int x = b.input("x", {1, 2, 1024, 1});
  b.output(b.node(OpKind::MaxPool, "pool", {x},
                  {{"kernel_shape", ints({1024, 1})}, {"pads", ints({1023, 0, 1023, 0})}}));
  const Graph p = b.prepared();
  EXPECT_EQ(node_cost(p, p.nodes[0], bind_value_dims(p, {})), 2.0 * 2047 * 1024);
}

TEST(ResourceLimits, ReferenceExecutorRefusesCostAndMemoryBeforeRunning) {
  const Graph g = conv_graph();
  const Tensor in = opt_test::random_tensor({2, 8, 10, 10}, 3, -1.f, 1.f);
  ResourceLimits cost;
  cost.max_cost_per_image = 50000;   // the conv alone is 57,600 per image
  const std::string c = limit_error_of([&] { ReferenceExecutor(g, cost).run(std::span<const Tensor>(&in, 1)); });
  EXPECT_NE(c.find("node 'conv1' (Conv"), std::string::npos) << c;
  EXPECT_NE(c.find("5e+04"), std::string::npos) << c;
  EXPECT_NE(c.find("for 2 images"), std::string::npos) << c;

  ResourceLimits memory;
  memory.max_memory_bytes = 4096;   // the conv's output alone is 2 x 8 x 100 x 4 = 6400 bytes
  const std::string m = limit_error_of([&] { ReferenceExecutor(g, memory).run(std::span<const Tensor>(&in, 1)); });
  EXPECT_NE(m.find("4.0 KiB"), std::string::npos) << m;
  EXPECT_NE(m.find("of node 'conv1' (Conv"), std::string::npos) << m;

  ResourceLimits enough;
  enough.max_cost_per_image = 57600 + 800 + 800;
  enough.max_memory_bytes = 64 << 10;
  EXPECT_EQ(ReferenceExecutor(g, enough).run(std::span<const Tensor>(&in, 1)).at(0).dims,
            (std::vector<int64_t>{2, 8, 10, 10}));
}

// ConstantOfShape sized by an input's values: shape inference cannot know the size, so the
// executor refuses the output before allocating it (2^30 floats would be 4 GiB).
TEST(ResourceLimits, ReferenceExecutorRefusesAValueSizedOutputBeforeAllocating) {
  Builder b;
  const int shape = b.input("shape", {1}, "");
  b.g.value(shape).dtype = DType::Int64;
  b.output(b.node(OpKind::ConstantOfShape, "fill", {shape}));
  const Graph g = b.prepared();
  const Tensor huge = Tensor::from<int64_t>({1}, {int64_t{1} << 30});
  const std::string m = limit_error_of([&] { ReferenceExecutor(g).run(std::span<const Tensor>(&huge, 1)); });
  EXPECT_NE(m.find("node 'fill' (ConstantOfShape"), std::string::npos) << m;
  EXPECT_NE(m.find("4.0 GiB"), std::string::npos) << m;
  EXPECT_NE(m.find("1.0 GiB"), std::string::npos) << m;
  const Tensor small = Tensor::from<int64_t>({1}, {16});
  EXPECT_EQ(ReferenceExecutor(g).run(std::span<const Tensor>(&small, 1)).at(0).numel(), 16);
}

TEST(ResourceLimits, CompilerSessionAndCApiRefuseOverTheirLimits) {
  const Graph g = conv_graph();
  CompileOptions tight;
  tight.autotune = false;
  tight.limits.max_cost_per_image = 1000;
  const std::string c = limit_error_of([&] { compile_plan(g, tight); });
  EXPECT_NE(c.find("node 'conv1' (Conv"), std::string::npos) << c;
  EXPECT_NE(c.find("1e+03"), std::string::npos) << c;

  CompileOptions options;
  options.autotune = false;
  const Plan plan = compile_plan(g, options);
  ResourceLimits small_memory;
  small_memory.max_memory_bytes = 1024;
  const std::string m = limit_error_of([&] { Session(plan, {1, 1}, small_memory); });
  EXPECT_NE(m.find("1.0 KiB"), std::string::npos) << m;
  EXPECT_NE(m.find("its biggest buffers per image"), std::string::npos) << m;
  ResourceLimits small_cost;
  small_cost.max_cost_per_image = 1000;
  const std::string s = limit_error_of([&] { Session(plan, {1, 1}, small_cost); });
  EXPECT_NE(s.find("step 'conv1'"), std::string::npos) << s;

  const std::vector<uint8_t> bytes = model_file_bytes(plan);
  octet_model* model = nullptr;
  ASSERT_EQ(octet_model_load_bytes(bytes.data(), bytes.size(), &model), OCTET_OK);
  octet_session_options o{1, 1, 1024, 0};
  octet_session* session = nullptr;
  EXPECT_EQ(octet_session_create(model, &o, &session), OCTET_RESOURCE_LIMIT);
  EXPECT_NE(std::string(octet_last_error()).find("1.0 KiB"), std::string::npos) << octet_last_error();
  o = {1, 1, 0, 0};   // zeros: the defaults
  EXPECT_EQ(octet_session_create(model, &o, &session), OCTET_OK);
  octet_session_free(session);
  octet_model_free(model);
}

}  // namespace
}  // namespace octet
