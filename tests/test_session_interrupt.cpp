// Interrupting a run from another thread: Session::interrupt and octet_session_interrupt make a
// long run (a stack of convs over 32 images, about 1e10 MACs) stop within milliseconds with
// InterruptedError / OCTET_INTERRUPTED, and the session's next run gives exactly what a fresh
// session gives.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <thread>
#include <vector>

#include "engine/compile.h"
#include "engine/executor.h"
#include "engine/runtime/model_file.h"
#include "engine/runtime/session.h"
#include "graph/passes/optimize.h"
#include "octet/octet.h"
#include "tests/optimize_test_util.h"

namespace octet {
namespace {

using opt_test::Builder;
using opt_test::ints;
using Clock = std::chrono::steady_clock;

constexpr int kBatch = 32;
constexpr int64_t kChannels = 32, kSize = 64;
// A release build stops in about a millisecond (printed); the bound is generous because the
// sanitizer builds run the same test on a shared, noisy machine at a tenth of the speed.
constexpr double kMaxStopSeconds = 0.25;

Plan long_plan() {
  Builder b;
  int x = b.input("x", {-1, kChannels, kSize, kSize});
  for (int i = 0; i < 10; ++i)
    x = b.conv("conv" + std::to_string(i), x, kChannels, kChannels, 3, 20 + static_cast<uint32_t>(i),
               {{"pads", ints({1, 1, 1, 1})}});
  b.output(x);
  Graph g = b.prepared();
  optimize_graph(g);
  CompileOptions options;
  options.autotune = false;
  return compile_plan(g, options);
}

// Runs `run` on another thread, waits until `started()` shows the run in progress (an
// interrupt before that would be lost: each run starts uninterrupted), interrupts it through
// `interrupt`, and returns the seconds between the interrupt and the run's return.
template <typename Run, typename Started, typename Interrupt>
double stop_latency(Run run, Started started, Interrupt interrupt) {
  Clock::time_point returned;
  std::thread worker([&] {
    run();
    returned = Clock::now();
  });
  const Clock::time_point give_up = Clock::now() + std::chrono::seconds(20);
  while (!started() && Clock::now() < give_up) std::this_thread::sleep_for(std::chrono::microseconds(100));
  const Clock::time_point asked = Clock::now();
  interrupt();
  worker.join();
  const double seconds = std::chrono::duration<double>(returned - asked).count();
  std::printf("stopped %.2f ms after the interrupt\n", seconds * 1e3);
  return seconds;
}

// The first image's first output, poisoned with NaN before the run: a number once the run has
// stored that image (of kBatch), so the run is in progress. A benign race on purpose.
bool first_image_done(const std::vector<float>& out) {
  return !std::isnan(static_cast<const volatile float*>(out.data())[0]);
}

TEST(SessionInterrupt, StopsALongRunWithinMillisecondsAndRunsAgainExactly) {
  const Plan plan = long_plan();
  const size_t per_image = static_cast<size_t>(kChannels * kSize * kSize);
  const Tensor in = opt_test::random_tensor({kBatch, kChannels, kSize, kSize}, 9);
  std::vector<float> out(kBatch * per_image, std::nanf(""));
  const float* x = in.data<float>();
  float* y = out.data();

  Session session(plan, {1, kBatch});
  bool interrupted = false;
  const double latency = stop_latency(
      [&] {
        try {
          session.run(kBatch, std::span<const float* const>(&x, 1), std::span<float* const>(&y, 1));
        } catch (const InterruptedError&) {
          interrupted = true;
        }
      },
      [&] { return first_image_done(out); }, [&] { session.interrupt(); });
  EXPECT_TRUE(interrupted) << "the run ended before the interrupt: make the model longer";
  EXPECT_LT(latency, kMaxStopSeconds);

  // The next run (one image) equals a fresh session's, bit for bit.
  session.run(1, std::span<const float* const>(&x, 1), std::span<float* const>(&y, 1));
  std::vector<float> want(per_image);
  float* w = want.data();
  Session(plan, {1, 1}).run(1, std::span<const float* const>(&x, 1), std::span<float* const>(&w, 1));
  EXPECT_TRUE(std::equal(want.begin(), want.end(), out.begin()));
}

TEST(SessionInterrupt, CApiReturnsInterruptedAndTheSessionStaysUsable) {
  const Plan plan = long_plan();
  const std::vector<uint8_t> bytes = model_file_bytes(plan);
  octet_model* model = nullptr;
  ASSERT_EQ(octet_model_load_bytes(bytes.data(), bytes.size(), &model), OCTET_OK);
  const octet_session_options options{2, kBatch, 0, 0};
  octet_session* session = nullptr;
  ASSERT_EQ(octet_session_create(model, &options, &session), OCTET_OK);
  EXPECT_EQ(octet_session_interrupt(nullptr), OCTET_INVALID_ARGUMENT);
  EXPECT_EQ(octet_session_interrupt(session), OCTET_OK);   // no run in progress: no effect

  const size_t per_image = static_cast<size_t>(kChannels * kSize * kSize);
  const Tensor in = opt_test::random_tensor({kBatch, kChannels, kSize, kSize}, 4);
  std::vector<float> out(kBatch * per_image, std::nanf(""));
  const float* x = in.data<float>();
  float* y = out.data();
  octet_status status = OCTET_OK;
  const double latency = stop_latency([&] { status = octet_session_run(session, kBatch, &x, 1, &y, 1); },
                                      [&] { return first_image_done(out); },
                                      [&] { EXPECT_EQ(octet_session_interrupt(session), OCTET_OK); });
  EXPECT_EQ(status, OCTET_INTERRUPTED);
  EXPECT_STREQ(octet_status_string(OCTET_INTERRUPTED), "interrupted");
  EXPECT_LT(latency, kMaxStopSeconds);

  ASSERT_EQ(octet_session_run(session, 1, &x, 1, &y, 1), OCTET_OK);
  std::vector<float> want(per_image);
  float* w = want.data();
  Session(plan, {1, 1}).run(1, std::span<const float* const>(&x, 1), std::span<float* const>(&w, 1));
  EXPECT_TRUE(std::equal(want.begin(), want.end(), out.begin()));
  octet_session_free(session);
  octet_model_free(model);
}

// The reference executor checks between nodes: a chain of 60 Relus over 2^21 floats.
TEST(SessionInterrupt, ReferenceExecutorStopsBeforeItsNextNode) {
  Builder b;
  int x = b.input("x", {1, 1 << 21});
  for (int i = 0; i < 60; ++i) x = b.node(OpKind::Relu, "relu" + std::to_string(i), {x});
  b.output(x);
  const Graph g = b.prepared();
  const ReferenceExecutor exec(g);
  const Tensor in = opt_test::random_tensor({1, 1 << 21}, 2);
  std::atomic<int> nodes_done{0};
  int done_when_asked = 0;
  bool interrupted = false;
  stop_latency(
      [&] {
        try {
          exec.run(std::span<const Tensor>(&in, 1), [&](int, const Tensor&) { ++nodes_done; });
        } catch (const InterruptedError&) {
          interrupted = true;
        }
      },
      [&] { return nodes_done.load() > 2; },
      [&] {
        done_when_asked = nodes_done.load();
        exec.interrupt();
      });
  EXPECT_TRUE(interrupted);
  // The contract is counted in nodes, not milliseconds (a node takes tens of milliseconds under
  // the sanitizers): at most the node in progress when asked finishes, no other starts.
  EXPECT_LE(nodes_done.load(), done_when_asked + 1);
  const Tensor out = exec.run(std::span<const Tensor>(&in, 1)).at(0);
  int64_t wrong = 0;
  for (int64_t i = 0; i < in.numel(); ++i) wrong += out.data<float>()[i] != std::max(0.f, in.data<float>()[i]);
  EXPECT_EQ(wrong, 0);
}

}  // namespace
}  // namespace octet
