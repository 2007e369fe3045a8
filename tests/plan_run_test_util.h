// Running a compiled plan on one float input and comparing its one output with the reference
// executor's, for the end-to-end tests of the optimised runtime's step types.
#pragma once
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <vector>

#include "engine/executor.h"
#include "engine/runtime/model_file.h"
#include "engine/runtime/session.h"
#include "graph/tensor.h"
#include "tests/optimize_test_util.h"

namespace octet::plan_test {

// How many of the plan's steps are of type P (a fusion pass's output, for instance).
template <typename P>
int count_steps(const Plan& plan) {
  int n = 0;
  for (const Step& s : plan.steps) n += s.params_if<P>() != nullptr;
  return n;
}

// The plan's first output for `batch` images of `in`, on a session of `threads` threads
// (the output starts as NaN, so an element the plan never writes fails the comparison).
inline std::vector<float> run(const Plan& plan, const Tensor& in, int batch, int threads) {
  Session session(plan, {threads, batch});
  std::vector<float> out(static_cast<size_t>(plan.outputs.at(0).floats_per_image() * batch), std::nanf(""));
  const float* ip = in.data<float>();
  float* op = out.data();
  session.run(batch, std::span<const float* const>(&ip, 1), std::span<float* const>(&op, 1));
  return out;
}

// Every element within `tolerance` of the expected output's largest magnitude (the FP32
// tolerance of the zoo, 1e-4, by default; 0 asks for the same bits).
inline void expect_close(const std::vector<float>& got, const Tensor& want, const std::string& what,
                         float tolerance = 1e-4f) {
  ASSERT_EQ(got.size(), static_cast<size_t>(want.numel())) << what;
  float largest = 0.f;
  for (int64_t i = 0; i < want.numel(); ++i) largest = std::max(largest, std::fabs(want.data<float>()[i]));
  ASSERT_GT(largest, 0.f);
  int bad = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    const float w = want.data<float>()[i];
    if (!(std::fabs(got[i] - w) <= tolerance * largest) && ++bad <= 5)
      ADD_FAILURE() << what << ": element " << i << " got " << got[i] << " want " << w;
  }
  EXPECT_EQ(bad, 0) << what;
}

// The same bits element for element (NaN fails, as it never equals itself).
inline void expect_same(const std::vector<float>& got, const std::vector<float>& want, const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  int bad = 0;
  for (size_t i = 0; i < got.size(); ++i)
    if (!(got[i] == want[i]) && ++bad <= 5) ADD_FAILURE() << what << ": element " << i << " got " << got[i] << " want " << want[i];
  EXPECT_EQ(bad, 0) << what;
}

// A fused plan against the unfused plan of the same optimised graph: for random inputs of
// batch 1 and 7 (`image`: the input's dims after the batch), the unfused plan must give the
// reference executor's outputs for `reference` within the FP32 tolerance, and the fused plan
// and its .octet round trip (which must print the same) the unfused plan's bits on 1 and 2
// threads.
inline void expect_fused_gives_unfused_bits(const Graph& reference, const Plan& fused, const Plan& unfused,
                                            const std::vector<int64_t>& image) {
  const Plan loaded = load_model_file(model_file_bytes(fused));
  EXPECT_EQ(loaded.describe(), fused.describe());
  for (const int batch : {1, 7}) {
    std::vector<int64_t> dims{batch};
    dims.insert(dims.end(), image.begin(), image.end());
    const Tensor in = opt_test::random_tensor(dims, 5 + static_cast<uint32_t>(batch), -2.f, 2.f);
    const Tensor want = ReferenceExecutor(reference).run(std::span<const Tensor>(&in, 1)).at(0);
    const std::vector<float> base = run(unfused, in, batch, 1);
    expect_close(base, want, "unfused");
    for (const int threads : {1, 2}) {
      const std::string what = "batch " + std::to_string(batch) + " threads " + std::to_string(threads);
      expect_same(run(fused, in, batch, threads), base, what);
      expect_same(run(loaded, in, batch, threads), base, what + " .octet");
    }
  }
}

// Banded steps of type P: with each band size of `rows` (`set(params, rows)` sets it, within
// the step's range), the plan must still validate and give `base`'s bits for one image of `in`
// on 1 and 2 threads: small bands force every band boundary on small images.
template <typename P, typename Set>
void expect_bands_give_the_same_bits(Plan& plan, const Tensor& in, const std::vector<float>& base,
                                     std::initializer_list<int32_t> rows, Set set) {
  for (const int32_t r : rows) {
    for (Step& s : plan.steps)
      if (auto* p = s.template params_if<P>()) set(*p, r);
    validate_plan(plan);
    expect_same(run(plan, in, 1, 1), base, "band " + std::to_string(r));
    expect_same(run(plan, in, 1, 2), base, "band " + std::to_string(r) + ", 2 threads");
  }
}

// Each edit of the plan's one step of type P (on a copy through the .octet writer and reader)
// must make the validator refuse the plan.
template <typename P>
void expect_edits_refused(const Plan& plan, const std::vector<void (*)(P&)>& edits) {
  for (size_t e = 0; e < edits.size(); ++e) {
    SCOPED_TRACE("edit " + std::to_string(e));
    Plan edited = load_model_file(model_file_bytes(plan));
    int found = 0;
    for (Step& s : edited.steps)
      if (auto* p = s.template params_if<P>()) {
        edits[e](*p);
        ++found;
      }
    ASSERT_EQ(found, 1);
    EXPECT_THROW(validate_plan(edited), Error);
  }
}

}  // namespace octet::plan_test
