// FP32 packed GEMM: ResNet8's classifier (64 -> 10; M = 1 image and M = 64) and square
// sizes 64..1024 that show the kernel's steady state once it leaves the L1/L2 caches.
#include <string>
#include <vector>

#include "bench/kernels/bench_common.h"

namespace octet::bench {
namespace {

struct GemmShape {
  int32_t m, n, k;
};

const GemmShape kShapes[] = {
    {1, 10, 64}, {64, 10, 64}, {64, 64, 64}, {128, 128, 128}, {256, 256, 256}, {512, 512, 512}, {1024, 1024, 1024},
};

void bench_gemm(benchmark::State& state, const kernels::KernelVariant& v, GemmShape s) {
  if (skip_unsupported(state, v)) return;
  const kernels::GemmF32Kernel& g = *v.gemm;
  const std::vector<float> a = random_floats(size_t(s.m) * s.k, 5);
  // ONNX Gemm from a Dense/Linear layer stores B as [N][K] (transB = 1).
  const std::vector<float> b = random_floats(size_t(s.n) * s.k, 6), bias = random_floats(size_t(s.n), 7);
  std::vector<float> packed(g.packed_floats(s.k, s.n)), c(size_t(s.m) * s.n);
  g.pack(s.k, s.n, b.data(), true, bias.data(), packed.data());
  const double t0 = thread_seconds();
  for (auto _ : state) {
    g.run(0, s.m, s.n, s.k, a.data(), s.k, packed.data(), c.data(), s.n, kernels::Activation::None);
    benchmark::ClobberMemory();
  }
  set_rate_counters(state, double(s.m) * s.n * s.k, thread_seconds() - t0, &v);
}

}  // namespace

void register_f32_gemm(const kernels::KernelVariant& v) {
  for (const GemmShape& s : kShapes) {
    const std::string name = std::string(v.name) + "/M:" + std::to_string(s.m) + "/N:" + std::to_string(s.n) +
                             "/K:" + std::to_string(s.k);
    benchmark::RegisterBenchmark(name.c_str(), bench_gemm, v, s);
  }
}

}  // namespace octet::bench
