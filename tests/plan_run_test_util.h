// Running a compiled plan on one float input and comparing its one output with the reference
// executor's, for the end-to-end tests of the optimised runtime's step types.
#pragma once
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <span>
#include <string>
#include <vector>

#include "engine/runtime/session.h"
#include "graph/tensor.h"

namespace octet::plan_test {

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

}  // namespace octet::plan_test
