// The compiled runtime: thread pool, memory plan, and whole-model runs against the
// reference executor, with no heap allocation per run. The whole-model runs compile the model
// once per FP32 ISA in this one process (CompileOptions::f32_isa), so the AVX2 and SSE2 plans
// that other x86-64 CPUs get are checked on this machine too.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <new>
#include <ostream>
#include <random>
#include <string>
#include <tuple>

#include "engine/executor.h"
#include "engine/memory_plan.h"
#include "engine/pipeline/stages.h"
#include "engine/runtime/session.h"
#include "engine/runtime/thread_pool.h"
#include "kernels/dispatch/isa.h"

// Counts every heap allocation of this test binary, to prove that Session::run makes none.
namespace {
std::atomic<long> g_allocations{0};
}
void* operator new(size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
// The nothrow form too (std::stable_sort's temporary buffer uses it): its memory reaches the
// operator delete below, which must then free what this malloc'd, not the library's new.
void* operator new(size_t n, const std::nothrow_t&) noexcept {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(n ? n : 1);
}
// GCC flags free() inside operator delete as a mismatch; here it is the matching malloc's.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
#pragma GCC diagnostic pop

namespace octet {
namespace {

const std::string kData = OCTET_DATA_DIR;

TEST(ThreadPool, EveryTaskRunsOnceOnAValidThread) {
  for (int threads : {1, 2, 3}) {
    ThreadPool pool(threads);
    for (int64_t tasks : {1, 2, 5, 64, 1000}) {
      std::vector<std::atomic<int>> hits(static_cast<size_t>(tasks));
      std::atomic<int> bad_thread{0};
      auto fn = [&](int64_t t, int thread) {
        hits[static_cast<size_t>(t)].fetch_add(1);
        if (thread < 0 || thread >= pool.size()) bad_thread.fetch_add(1);
      };
      for (int rep = 0; rep < 20; ++rep) pool.parallel_for(tasks, fn);
      for (auto& h : hits) EXPECT_EQ(h.load(), 20);
      EXPECT_EQ(bad_thread.load(), 0);
    }
  }
}

TEST(MemoryPlan, LiveBuffersNeverOverlapAndDeadOnesShare) {
  // A chain a → b → c: a and c can share, b cannot overlap either.
  std::vector<BufferLifetime> chain{{100, 0, 1}, {50, 1, 2}, {100, 2, 3}};
  MemoryPlan p = plan_memory(chain, 1);
  EXPECT_EQ(p.arena_size, 150u);
  std::mt19937 rng(7);
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<BufferLifetime> bufs;
    for (int i = 0; i < 30; ++i) {
      int a = static_cast<int>(rng() % 20), len = static_cast<int>(rng() % 6);
      bufs.push_back({1 + rng() % 1000, a, a + len});
    }
    MemoryPlan mp = plan_memory(bufs, 16);
    size_t total = 0;
    for (size_t i = 0; i < bufs.size(); ++i) {
      total += (bufs[i].size + 15) / 16 * 16;
      EXPECT_EQ(mp.offsets[i] % 16, 0u);
      for (size_t j = 0; j < i; ++j) {
        bool live_together = !(bufs[i].last_step < bufs[j].first_step || bufs[j].last_step < bufs[i].first_step);
        bool overlap = mp.offsets[i] < mp.offsets[j] + bufs[j].size && mp.offsets[j] < mp.offsets[i] + bufs[i].size;
        EXPECT_FALSE(live_together && overlap) << "buffers " << i << " and " << j;
      }
    }
    EXPECT_LE(mp.arena_size, total);
  }
}

std::vector<float> cifar_images(int count, bool nhwc) {
  std::ifstream f(kData + "/cifar10-test-first1000.bin", std::ios::binary);
  std::vector<uint8_t> raw{std::istreambuf_iterator<char>(f), {}};
  std::vector<float> x(static_cast<size_t>(count) * 3072);
  for (int i = 0; i < count; ++i)
    for (int c = 0; c < 3; ++c)
      for (int p = 0; p < 1024; ++p)
        x[static_cast<size_t>(i) * 3072 + (nhwc ? p * 3 + c : c * 1024 + p)] = raw[static_cast<size_t>(i) * 3073 + 1 + c * 1024 + p];
  return x;
}

struct ModelCase {
  const char* file;
  bool nhwc;
};
void PrintTo(const ModelCase& m, std::ostream* os) { *os << m.file; }

class SessionVsReference : public ::testing::TestWithParam<std::tuple<ModelCase, kernels::KernelIsa>> {};

TEST_P(SessionVsReference, SameProbabilitiesAtEveryBatchAndThreadCount) {
  const auto [mc, isa] = GetParam();
  if (!kernels::cpu_runs(isa)) GTEST_SKIP() << "CPU lacks " << kernels::isa_name(isa);
  const std::string path = kData + "/" + mc.file;
  const int images = 14;
  std::vector<float> x = cifar_images(images, mc.nhwc);

  Graph ref_graph = load_reference_graph(path);
  ReferenceExecutor ref(ref_graph);
  std::vector<int64_t> dims = mc.nhwc ? std::vector<int64_t>{images, 32, 32, 3} : std::vector<int64_t>{images, 3, 32, 32};
  Tensor input = Tensor::from<float>(dims, std::span<const float>(x));
  const std::vector<double> ref_out = ref.run(std::span<const Tensor>(&input, 1)).at(0).as_double();
  const std::vector<float> expected(ref_out.begin(), ref_out.end());

  CompileOptions options;
  options.f32_isa = isa;
  Plan plan = load_plan(path, options);
  // The cap reached every kernel: each FP32 kernel is this ISA's.
  EXPECT_EQ(plan.isa, kernels::isa_name(isa));
  const std::string suffix = std::string("_") + kernels::isa_name(isa);
  ASSERT_NE(plan.vector, nullptr);
  EXPECT_TRUE(std::string(plan.vector->name).ends_with(suffix)) << plan.vector->name;
  int kernel_steps = 0;
  for (const Step& st : plan.steps) {
    if (!st.has_kernel()) continue;
    ++kernel_steps;
    EXPECT_TRUE(std::string(st.kernel_name()).ends_with(suffix)) << st.name << ": " << st.kernel_name();
  }
  EXPECT_EQ(kernel_steps, 10);   // ResNet8: nine convolutions and the classifier
  for (int threads : {1, 2}) {
    for (int batch : {1, 7}) {
      Session s(plan, {threads, batch});
      std::vector<float> got(static_cast<size_t>(images) * 10);
      for (int start = 0; start < images; start += batch) {
        const float* in = x.data() + static_cast<size_t>(start) * 3072;
        float* out = got.data() + static_cast<size_t>(start) * 10;
        s.run(std::min(batch, images - start), std::span<const float* const>(&in, 1), std::span<float* const>(&out, 1));
      }
      double max_diff = 0;
      for (int i = 0; i < images; ++i) {
        const float* a = &got[static_cast<size_t>(i) * 10];
        const float* b = &expected[static_cast<size_t>(i) * 10];
        EXPECT_EQ(std::max_element(a, a + 10) - a, std::max_element(b, b + 10) - b) << "image " << i;
        for (int k = 0; k < 10; ++k) max_diff = std::max(max_diff, std::fabs(double(a[k]) - b[k]));
      }
      EXPECT_LE(max_diff, 1e-4) << "threads " << threads << " batch " << batch;
    }
  }
}

}  // namespace
}  // namespace octet

// gtest prints a parameter through a PrintTo found by argument-dependent lookup.
namespace octet::kernels {
void PrintTo(KernelIsa isa, std::ostream* os) { *os << isa_name(isa); }
}  // namespace octet::kernels

namespace octet {
namespace {

INSTANTIATE_TEST_SUITE_P(ResNet8, SessionVsReference,
                         ::testing::Combine(::testing::Values(ModelCase{"resnet8.onnx", true},
                                                              ModelCase{"resnet8_torch_opset13.onnx", false}),
                                            ::testing::Values(kernels::KernelIsa::Sse2, kernels::KernelIsa::Avx2,
                                                              kernels::KernelIsa::Avx512)),
                         [](const auto& info) {
                           return std::string(std::get<0>(info.param).nhwc ? "Tf2onnx_" : "TorchExport_") +
                                  kernels::isa_name(std::get<1>(info.param));
                         });

TEST(Session, RunAllocatesNothing) {
  Plan plan = load_plan(kData + "/resnet8.onnx");
  std::vector<float> x = cifar_images(8, true);
  std::vector<float> y(80);
  for (int threads : {1, 2}) {
    Session s(plan, {threads, 8});
    const float* in = x.data();
    float* out = y.data();
    s.run(8, std::span<const float* const>(&in, 1), std::span<float* const>(&out, 1));   // warm up
    const long before = g_allocations.load();
    for (int batch : {1, 8, 3}) s.run(batch, std::span<const float* const>(&in, 1), std::span<float* const>(&out, 1));
    // The size-checked form as well.
    for (int batch : {2, 8}) {
      std::span<const float> xs(x.data(), static_cast<size_t>(batch) * 3072);
      std::span<float> ys(y.data(), static_cast<size_t>(batch) * 10);
      s.run(batch, std::span<const std::span<const float>>(&xs, 1), std::span<const std::span<float>>(&ys, 1));
    }
    EXPECT_EQ(g_allocations.load() - before, 0) << "threads " << threads;
  }
  std::printf("arena for batch 1: %zu bytes\n", plan.arena_bytes_per_image);
}

TEST(Session, RejectsBadBatch) {
  Plan plan = load_plan(kData + "/resnet8.onnx");
  Session s(plan, {1, 2});
  std::vector<float> x(3 * 3072), y(30);
  const float* in = x.data();
  float* out = y.data();
  EXPECT_THROW(s.run(3, std::span<const float* const>(&in, 1), std::span<float* const>(&out, 1)), Error);
  EXPECT_THROW(s.run(0, std::span<const float* const>(&in, 1), std::span<float* const>(&out, 1)), Error);
}

}  // namespace
}  // namespace octet
