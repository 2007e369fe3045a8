// int8 GEMM with a float output (kernels/int8/gemm_f32out.h) at the zoo's classifiers, one
// image: MobileNetV2's 1280 -> 1000 (1.28 MB of int8 weights, more than the L2 cache holds, so
// it streams them), ResNet-18's 512 -> 1000, and ResNet8's 64 -> 10; MobileNetV2's also with 7
// rows (a batch). Work counted in multiply-accumulates.
#include <random>
#include <string>
#include <vector>

#include "bench/kernels/bench_common.h"

namespace octet::bench {
namespace {

void bench_qgemm(benchmark::State& state, const kernels::KernelVariant& v, kernels::QGemmF32Params p, int32_t rows) {
  if (skip_unsupported(state, v)) return;
  std::mt19937 rng(7);
  std::vector<int8_t> w(size_t(p.n) * size_t(p.k));
  for (int8_t& x : w) x = static_cast<int8_t>(rng());
  std::vector<int32_t> bias(size_t(p.n));
  for (int32_t& b : bias) b = static_cast<int32_t>(rng() % 20001) - 10000;
  std::vector<float> scales(size_t(p.n), 1e-4f);
  std::vector<uint8_t> in(size_t(rows) * size_t(p.k));
  for (uint8_t& x : in) x = static_cast<uint8_t>(rng());
  std::vector<float> out(size_t(rows) * size_t(p.n));
  std::vector<uint8_t> packed(v.qgemm->packed_bytes(p) + 64);
  void* aligned = packed.data() + (64 - reinterpret_cast<uintptr_t>(packed.data()) % 64) % 64;
  v.qgemm->pack(p, w.data(), bias.data(), scales.data(), aligned);
  for (auto _ : state) {
    v.qgemm->run(p, aligned, in.data(), out.data(), rows, 0, p.n);
    benchmark::ClobberMemory();
  }
  set_rate_counters(state, double(rows) * p.k * p.n, 0, nullptr);
}

kernels::QGemmF32Params shape(int32_t k, int32_t n) {
  kernels::QGemmF32Params p;
  p.k = k;
  p.n = n;
  p.input_zero_point = 3;
  return p;
}

}  // namespace

void register_qu8_gemm(const kernels::KernelVariant& v) {
  struct Case {
    const char* name;
    kernels::QGemmF32Params p;
    int32_t rows;
  };
  const Case cases[] = {
      {"1280x1000", shape(1280, 1000), 1},
      {"1280x1000/rows7", shape(1280, 1000), 7},
      {"512x1000", shape(512, 1000), 1},
      {"64x10", shape(64, 10), 1},
  };
  for (const Case& c : cases)
    benchmark::RegisterBenchmark((std::string(v.name) + "/" + c.name).c_str(), bench_qgemm, v, c.p, c.rows);
}

}  // namespace octet::bench
