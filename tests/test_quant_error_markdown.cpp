// The per-tensor SQNR table of docs/quantization.md (octet-quantize --markdown): one row per
// quantized activation tensor of ResNet8, a finite SQNR per scheme (quantized, and weights
// only), and the splice into the
// document between its markers. Calibrated on two images per class to stay cheap.
#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "engine/compile.h"
#include "engine/pipeline/stages.h"
#include "engine/runtime/error.h"
#include "quant/scheme.h"
#include "tools/datasets/cifar_calibration.h"
#include "tools/reports/quant_error.h"

namespace octet {
namespace {

std::vector<std::string> split_row(const std::string& line) {   // "| a | b |" -> {"a", "b"}
  std::vector<std::string> cells;
  std::stringstream in(line);
  std::string cell;
  std::getline(in, cell, '|');   // before the first bar
  while (std::getline(in, cell, '|')) {
    const size_t b = cell.find_first_not_of(' '), e = cell.find_last_not_of(' ');
    cells.push_back(b == std::string::npos ? "" : cell.substr(b, e - b + 1));
  }
  return cells;
}

// The quantized tensors a reader of the model sees: every quantized activation written by a
// Conv, Add or pooling node, named after the Relu merged into it when there is one.
std::set<std::string> quantized_tensors(const Graph& q) {
  std::set<std::string> names;
  for (const Node& n : q.nodes) {
    const bool computes = n.op == OpKind::Conv || n.op == OpKind::Add || n.op == OpKind::AveragePool ||
                          n.op == OpKind::GlobalAveragePool;
    if (!computes || !q.value(n.outputs[0]).quant) continue;
    int out = n.outputs[0], readers = 0;
    const Node* relu = nullptr;
    for (const Node& m : q.nodes)
      for (int in : m.inputs)
        if (in == out) ++readers, relu = m.op == OpKind::Relu ? &m : nullptr;
    names.insert(q.value(readers == 1 && relu ? relu->outputs[0] : out).name);
  }
  return names;
}

TEST(QuantErrorMarkdown, ResNet8TableHasOneFiniteRowPerQuantizedTensor) {
  const Graph base = quantization_base(load_reference_graph(OCTET_DATA_DIR "/resnet8.onnx"));
  const CifarSet train = read_cifar_file(OCTET_DATA_DIR "/cifar10-train-subset.bin");
  const CifarSet calib = cifar_select(train, calibration_indices(train, 2));
  const auto ranges = calibrate_on_cifar(base, calib, ImageLayout::NHWC);
  std::vector<SchemeErrors> schemes;
  std::set<std::string> expected;
  for (quant::Scheme s : {quant::Scheme::Uint8, quant::Scheme::Int8, quant::Scheme::U8S8}) {
    const Graph q = quantize_model(base, ranges, s);
    expected = quantized_tensors(q);
    schemes.push_back({std::string(quant::scheme_name(s)),
                       quantization_error(base, compile_plan(q), calib, ImageLayout::NHWC, false, &q)});
  }
  // ResNet8: 9 convs and 3 adds, 7 of them followed by a Relu, and the pooled features.
  EXPECT_EQ(expected.size(), 13u);

  std::stringstream table(quantization_error_markdown(schemes));
  std::string line;
  ASSERT_TRUE(std::getline(table, line));
  EXPECT_EQ(split_row(line), (std::vector<std::string>{"tensor", "written by", "scale", "uint8 SQNR dB",
                                                        "int8 SQNR dB", "u8s8 SQNR dB", "uint8 weights only",
                                                        "int8 weights only", "u8s8 weights only"}));
  ASSERT_TRUE(std::getline(table, line));
  EXPECT_EQ(line, "|---|---|---|---|---|---|---|---|---|");
  std::set<std::string> seen;
  while (std::getline(table, line)) {
    const std::vector<std::string> cells = split_row(line);
    ASSERT_EQ(cells.size(), 9u) << line;
    ASSERT_GE(cells[0].size(), 2u);
    const std::string name = cells[0].substr(1, cells[0].size() - 2);   // inside the backticks
    EXPECT_TRUE(seen.insert(name).second) << "row twice: " << name;
    EXPECT_FALSE(cells[1].empty()) << name;
    EXPECT_GT(std::stod(cells[2]), 0.0) << name;
    for (size_t c = 3; c < 9; ++c) {
      size_t used = 0;
      const double db = std::stod(cells[c], &used);
      EXPECT_EQ(used, cells[c].size()) << name << ": '" << cells[c] << "' is not a number";
      EXPECT_TRUE(std::isfinite(db)) << name;
      EXPECT_GT(db, 10.0) << name << " " << cells[c];   // 8-bit codes: well above 10 dB
    }
    // docs/quantization.md: with MinMax parameters the int8 scheme's activations are the u8s8
    // scheme's, offset by 128, and both have symmetric int8 weights: every tensor is the same.
    EXPECT_EQ(cells[4], cells[5]) << name;
    EXPECT_EQ(cells[7], cells[8]) << name;
  }
  EXPECT_EQ(seen, expected);
}

TEST(QuantErrorMarkdown, ReplacesOnlyTheTextBetweenTheMarkers) {
  const std::string doc = "intro\n<!-- sqnr:begin -->\nold table\n<!-- sqnr:end -->\nrest\n";
  EXPECT_EQ(replace_sqnr_block(doc, "| new |\n", "d.md"), "intro\n<!-- sqnr:begin -->\n| new |\n<!-- sqnr:end -->\nrest\n");
  // Idempotent: splicing the same table again changes nothing.
  const std::string once = replace_sqnr_block(doc, "| t |\n", "d.md");
  EXPECT_EQ(replace_sqnr_block(once, "| t |\n", "d.md"), once);
  EXPECT_THROW(replace_sqnr_block("no markers\n", "x", "d.md"), Error);
  EXPECT_THROW(replace_sqnr_block("<!-- sqnr:end -->\n<!-- sqnr:begin -->\n", "x", "d.md"), Error);
  EXPECT_THROW(replace_sqnr_block(doc + doc, "x", "d.md"), Error);
  try {
    replace_sqnr_block("no markers\n", "x", "docs/q.md");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("docs/q.md"), std::string::npos);
  }
}

}  // namespace
}  // namespace octet
