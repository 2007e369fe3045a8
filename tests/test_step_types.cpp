// Step types (engine/runtime/step_type.h): the registration list gives every type a distinct
// stable id and a complete table; the .octet loader refuses an unknown id and an older format
// version with a clear message; and the validator refuses packed weights that start inside
// the weights section but end past it (16 bytes before its end), for every step type with
// weights in an FP32 and an int8 (QDQ) plan.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <set>

#include "engine/runtime/model_file.h"
#include "engine/runtime/steps/all.h"
#include "tests/model_file_test_util.h"
#include "engine/pipeline/stages.h"

namespace octet {
namespace {

#define EXPECT_HAS(msg, want) EXPECT_NE((msg).find(want), std::string::npos) << "message: '" << (msg) << "'"

TEST(StepTypes, RegistrationListHasDistinctIdsAndCompleteTables) {
  std::set<int> ids;
  std::set<std::string> names;
  for (const StepType* t : step_types()) {
    SCOPED_TRACE(t->name);
    EXPECT_NE(t->id, 0) << "id 0 is never a step type (a zeroed file must not read as one)";
    EXPECT_TRUE(ids.insert(t->id).second) << "duplicate id " << int(t->id);
    EXPECT_TRUE(names.insert(t->name).second) << "duplicate name";
    EXPECT_EQ(find_step_type(t->id), t);
    EXPECT_TRUE(t->run && t->rows && t->kernel && t->describe && t->summary && t->make && t->write && t->read &&
                t->validate);
  }
  EXPECT_EQ(ids.size(), 35u);   // the 15 kinds of stop 11, f32_dwconv, f32_grouped_conv, concat_slice, f32_binary,
                                // reference_node, strided_copy, global_max, qu8_conv_channel, f32_activation,
                                // qu8_dwconv, f32_conv_chain, f32_conv_planar, qu8_lookup, qu8_mul, qu8_max_pool,
                                // qu8_concat_slice, qu8_strided_copy, f32_conv_pool, quantize_planes, qu8_gemm_f32
  EXPECT_EQ(find_step_type(16), nullptr);   // reference_unary, retired: its files no longer load
  EXPECT_EQ(find_step_type(0), nullptr);
  EXPECT_EQ(find_step_type(255), nullptr);
}

const Plan& fp32_plan() {
  static const Plan p = load_plan(std::string(OCTET_DATA_DIR) + "/resnet8.onnx");
  return p;
}
const Plan& qdq_plan() {
  static const Plan p = load_plan(std::string(OCTET_SOURCE_DIR) + "/tests/fixtures/qdq/ort_qdq_u8s8.onnx");
  return p;
}

TEST(StepTypes, OlderFormatVersionIsRefused) {
  std::vector<uint8_t> b = model_file_bytes(fp32_plan());
  const uint32_t v1 = 1;
  std::memcpy(b.data() + 8, &v1, 4);
  fix_crc(b);
  const std::string msg = load_error(b);
  EXPECT_HAS(msg, "invalid .octet file: format version 1, this runtime reads version " + std::to_string(kModelFileVersion));
  EXPECT_HAS(msg, "recompile");
}

TEST(StepTypes, UnknownStepTypeIdIsRefused) {
  // Step 0 is written as its type id, then its name (a one-byte length and the characters).
  const Step& first = fp32_plan().steps.at(0);
  ASSERT_LT(first.name.size(), 128u);
  std::vector<uint8_t> pattern{first.type->id, static_cast<uint8_t>(first.name.size())};
  pattern.insert(pattern.end(), first.name.begin(), first.name.end());
  std::vector<uint8_t> b = model_file_bytes(fp32_plan());
  auto at = std::search(b.begin(), b.end(), pattern.begin(), pattern.end());
  ASSERT_NE(at, b.end());
  *at = 200;
  fix_crc(b);
  EXPECT_HAS(load_error(b), "invalid .octet file: step 0: unknown step type id 200");
}

// The byte offset of a step's packed weights, for the types that have them.
size_t* weights_offset(Step& s) {
  if (auto* p = s.params_if<ConvF32Step>()) return &p->weights_offset;
  if (auto* p = s.params_if<GemmF32Step>()) return &p->weights_offset;
  if (auto* p = s.params_if<QConvStep>()) return &p->weights_offset;
  return nullptr;
}

TEST(StepTypes, PackedWeightsStarting16BytesBeforeTheEndAreRefused) {
  std::set<const StepType*> tried_types;
  for (const auto& [plan, what] : {std::pair{&fp32_plan(), "fp32"}, std::pair{&qdq_plan(), "qdq u8s8"}}) {
    int tried = 0;
    for (size_t i = 0; i < plan->steps.size(); ++i) {
      Plan edited = load_model_file(model_file_bytes(*plan));   // a copy to edit
      size_t* offset = weights_offset(edited.steps[i]);
      if (offset == nullptr) continue;
      SCOPED_TRACE(std::string(what) + " step " + edited.steps[i].name);
      ++tried;
      tried_types.insert(edited.steps[i].type);
      // A weights section grown so that the offset 16 bytes before its end is 64-byte aligned:
      // only the bounds can refuse it.
      const size_t old_size = edited.weights.size(), end = align_up(old_size) + 16;
      AlignedBytes grown(end);
      std::memcpy(grown.data(), edited.weights.data(), old_size);
      std::memset(grown.data() + old_size, 0, end - old_size);
      edited.weights = std::move(grown);
      *offset = end - 16;
      try {
        validate_plan(edited);
        ADD_FAILURE() << "accepted";
      } catch (const Error& e) {
        EXPECT_HAS(std::string(e.what()), "packed weights lie outside the weights section");
      }
      // And as a file.
      EXPECT_HAS(load_error(model_file_bytes(edited)), "packed weights lie outside the weights section");
    }
    EXPECT_GT(tried, 1) << what;
  }
  EXPECT_EQ(tried_types, (std::set<const StepType*>{&ConvF32Step::kType, &GemmF32Step::kType, &QConvStep::kType}));
}

}  // namespace
}  // namespace octet
