// What may run at the same time: one Plan shared by many Sessions on their own threads, one
// Graph shared by several ReferenceExecutors, and compile_plan (with conv autotuning) on
// several models at once. tools/octet-sanitize also runs this file under ThreadSanitizer
// (the suite names all contain "Concurrency" for its `ctest -R Concurrency`).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "engine/compile.h"
#include "engine/executor.h"
#include "engine/pipeline/stages.h"
#include "engine/runtime/session.h"

namespace octet {
namespace {

const std::string kData = OCTET_DATA_DIR;
constexpr int kPixels = 3072;
constexpr int kClasses = 10;

// `count` CIFAR-10 test images from `first`, as floats in the model's layout.
std::vector<float> cifar_images(int first, int count, bool nhwc) {
  std::ifstream f(kData + "/cifar10-test-first1000.bin", std::ios::binary);
  std::vector<uint8_t> raw{std::istreambuf_iterator<char>(f), {}};
  EXPECT_GE(raw.size(), static_cast<size_t>(first + count) * 3073);
  std::vector<float> x(static_cast<size_t>(count) * kPixels);
  for (int i = 0; i < count; ++i) {
    const uint8_t* rec = &raw[static_cast<size_t>(first + i) * 3073 + 1];
    for (int c = 0; c < 3; ++c)
      for (int p = 0; p < 1024; ++p)
        x[static_cast<size_t>(i) * kPixels + (nhwc ? p * 3 + c : c * 1024 + p)] = rec[c * 1024 + p];
  }
  return x;
}

// Runs `images` (kPixels floats each) through `s` in batches of up to `batch`.
std::vector<float> run_session(Session& s, const std::vector<float>& images, int batch) {
  const int n = static_cast<int>(images.size() / kPixels);
  std::vector<float> probs(static_cast<size_t>(n) * kClasses);
  for (int start = 0; start < n; start += batch) {
    const int b = std::min(batch, n - start);
    std::span<const float> in(images.data() + static_cast<size_t>(start) * kPixels, static_cast<size_t>(b) * kPixels);
    std::span<float> out(probs.data() + static_cast<size_t>(start) * kClasses, static_cast<size_t>(b) * kClasses);
    s.run(b, std::span<const std::span<const float>>(&in, 1), std::span<const std::span<float>>(&out, 1));
  }
  return probs;
}

bool bit_identical(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

// Eight sessions of one Plan run at once, each on its own images, half with one thread and
// half with two, at batch 1 (layer-by-layer splitting) and batch 3 (whole images per thread).
// Each result must be bit for bit what a lone single-threaded session computes: the sessions
// share only the plan's read-only weights and steps.
TEST(Concurrency, SessionsSharingOnePlanMatchSequentialRunsBitForBit) {
  for (const auto& [file, nhwc] : {std::pair{"resnet8.onnx", true}, std::pair{"resnet8_torch_opset13.onnx", false}}) {
    const Plan plan = load_plan(kData + "/" + file);
    const int workers = 8, per_worker = 5;
    std::vector<std::vector<float>> inputs, expected;
    Session lone(plan, {1, 3});
    for (int w = 0; w < workers; ++w) {
      inputs.push_back(cifar_images(w * per_worker, per_worker, nhwc));
      expected.push_back(run_session(lone, inputs.back(), 1));
    }
    // The sequential results are themselves sane: probabilities summing to 1.
    for (int k = 0; k < kClasses; ++k) EXPECT_GE(expected[0][static_cast<size_t>(k)], 0.f);
    float sum = 0;
    for (int k = 0; k < kClasses; ++k) sum += expected[0][static_cast<size_t>(k)];
    EXPECT_NEAR(sum, 1.f, 1e-5f);

    std::vector<std::vector<float>> got(workers);
    std::vector<std::string> errors(workers);
    std::vector<std::thread> threads;
    for (int w = 0; w < workers; ++w) {
      threads.emplace_back([&, w] {
        try {
          const int session_threads = 1 + w % 2, batch = w % 4 < 2 ? 1 : 3;
          Session s(plan, {session_threads, batch});
          // Twice through the same session: the second run must not see the first's state.
          got[static_cast<size_t>(w)] = run_session(s, inputs[static_cast<size_t>(w)], batch);
          std::vector<float> again = run_session(s, inputs[static_cast<size_t>(w)], batch);
          if (!bit_identical(again, got[static_cast<size_t>(w)])) errors[static_cast<size_t>(w)] = "second run differs";
        } catch (const std::exception& e) {
          errors[static_cast<size_t>(w)] = e.what();
        }
      });
    }
    for (std::thread& t : threads) t.join();
    for (int w = 0; w < workers; ++w) {
      EXPECT_EQ(errors[static_cast<size_t>(w)], "") << file << " worker " << w;
      EXPECT_TRUE(bit_identical(got[static_cast<size_t>(w)], expected[static_cast<size_t>(w)]))
          << file << " worker " << w << " (threads " << 1 + w % 2 << ")";
    }
  }
}

// ReferenceExecutor::run is const and keeps its per-run values on the stack of the call:
// several executors over one Graph (and one executor from several threads) give the
// sequential answer exactly.
TEST(Concurrency, ReferenceExecutorsSharingOneGraph) {
  const Graph graph = load_reference_graph(kData + "/resnet8.onnx");
  const int workers = 4, per_worker = 2;
  auto input_of = [&](int w) {
    std::vector<float> x = cifar_images(100 + w * per_worker, per_worker, true);
    return Tensor::from<float>({per_worker, 32, 32, 3}, std::span<const float>(x));
  };
  std::vector<Tensor> expected;
  {
    ReferenceExecutor exec(graph);
    for (int w = 0; w < workers; ++w) {
      Tensor in = input_of(w);
      expected.push_back(exec.run(std::span<const Tensor>(&in, 1)).at(0));
    }
  }
  ReferenceExecutor shared(graph);
  std::vector<Tensor> got(workers);
  std::vector<std::string> errors(workers);
  std::vector<std::thread> threads;
  for (int w = 0; w < workers; ++w) {
    threads.emplace_back([&, w] {
      try {
        Tensor in = input_of(w);
        if (w % 2 == 0) {
          ReferenceExecutor own(graph);
          got[static_cast<size_t>(w)] = own.run(std::span<const Tensor>(&in, 1)).at(0);
        } else {
          got[static_cast<size_t>(w)] = shared.run(std::span<const Tensor>(&in, 1)).at(0);
        }
      } catch (const std::exception& e) {
        errors[static_cast<size_t>(w)] = e.what();
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (int w = 0; w < workers; ++w) {
    EXPECT_EQ(errors[static_cast<size_t>(w)], "") << "worker " << w;
    EXPECT_EQ(got[static_cast<size_t>(w)].dims, (std::vector<int64_t>{per_worker, kClasses})) << "worker " << w;
    EXPECT_EQ(got[static_cast<size_t>(w)].bytes, expected[static_cast<size_t>(w)].bytes) << "worker " << w;
  }
}

// compile_plan on two models at once, from four threads, with autotuning on (each thread
// times conv kernels while the others do). Timing may pick different kernels than a lone
// compile, so the plans are checked against the reference executor, not against each other.
TEST(Concurrency, CompilePlanWithAutotuneFromSeveralThreads) {
  struct Model {
    const char* file;
    bool nhwc;
  };
  const Model models[] = {{"resnet8.onnx", true}, {"resnet8_torch_opset13.onnx", false}};
  const int images = 3;
  std::vector<std::vector<float>> x, want;
  std::vector<Graph> optimized;
  for (const Model& m : models) {
    x.push_back(cifar_images(500, images, m.nhwc));
    const Graph ref = load_reference_graph(kData + "/" + m.file);
    std::vector<int64_t> dims = m.nhwc ? std::vector<int64_t>{images, 32, 32, 3} : std::vector<int64_t>{images, 3, 32, 32};
    Tensor in = Tensor::from<float>(dims, std::span<const float>(x.back()));
    const std::vector<double> out = ReferenceExecutor(ref).run(std::span<const Tensor>(&in, 1)).at(0).as_double();
    want.emplace_back(out.begin(), out.end());
    optimized.push_back(load_optimized_graph(kData + "/" + m.file));
  }

  const int workers = 4;
  std::vector<std::vector<float>> got(workers);
  std::vector<std::string> errors(workers);
  std::vector<std::thread> threads;
  for (int w = 0; w < workers; ++w) {
    threads.emplace_back([&, w] {
      try {
        // Workers 0 and 1 share one const Graph each with workers 2 and 3.
        const Plan plan = compile_plan(optimized[static_cast<size_t>(w % 2)], CompileOptions{});
        Session s(plan, {1, images});
        got[static_cast<size_t>(w)] = run_session(s, x[static_cast<size_t>(w % 2)], images);
      } catch (const std::exception& e) {
        errors[static_cast<size_t>(w)] = e.what();
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (int w = 0; w < workers; ++w) {
    EXPECT_EQ(errors[static_cast<size_t>(w)], "") << "worker " << w;
    const std::vector<float>& ref = want[static_cast<size_t>(w % 2)];
    ASSERT_EQ(got[static_cast<size_t>(w)].size(), ref.size()) << "worker " << w;
    double worst = 0;
    for (size_t i = 0; i < ref.size(); ++i)
      worst = std::max(worst, std::fabs(double(got[static_cast<size_t>(w)][i]) - ref[i]));
    EXPECT_LE(worst, 1e-4) << "worker " << w << " (" << models[w % 2].file << ")";
    for (int i = 0; i < images; ++i) {
      const float* a = got[static_cast<size_t>(w)].data() + i * kClasses;
      const float* b = ref.data() + i * kClasses;
      EXPECT_EQ(std::max_element(a, a + kClasses) - a, std::max_element(b, b + kClasses) - b)
          << "worker " << w << " image " << i;
    }
  }
}

// One Session is not meant to be shared, but many Sessions each with their own pool must not
// disturb each other's thread pools: 6 two-thread sessions hammer parallel_for at once.
TEST(Concurrency, ManyTwoThreadSessionsAtBatchOneInterleave) {
  const Plan plan = load_plan(kData + "/resnet8.onnx");
  const std::vector<float> img = cifar_images(7, 1, true);
  Session lone(plan, {2, 1});
  const std::vector<float> expected = run_session(lone, img, 1);
  const int workers = 6, reps = 4;
  std::vector<int> mismatches(workers, 0);
  std::vector<std::thread> threads;
  for (int w = 0; w < workers; ++w) {
    threads.emplace_back([&, w] {
      Session s(plan, {2, 1});
      for (int r = 0; r < reps; ++r) mismatches[static_cast<size_t>(w)] += !bit_identical(run_session(s, img, 1), expected);
    });
  }
  for (std::thread& t : threads) t.join();
  for (int w = 0; w < workers; ++w) EXPECT_EQ(mismatches[static_cast<size_t>(w)], 0) << "worker " << w;
}

}  // namespace
}  // namespace octet
