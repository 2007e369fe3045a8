// int8 NHWC max pooling (kernels/int8/maxpool.h) at the zoo's pools, batch 1: SqueezeNet 1.1's
// first 3x3 stride-2 ceil_mode pool (111x111x64) and ResNet-18's stem 3x3 stride-2 pad-1 pool
// (112x112x64), each with input and output sharing their parameters (no table) and with a
// requantisation table. Work counted in window taps, as the FP32 pools are.
#include <random>
#include <string>
#include <vector>

#include "bench/kernels/bench_common.h"

namespace octet::bench {
namespace {

struct MaxPoolCase {
  const char* name;
  kernels::PoolNhwcParams shape;
};

kernels::PoolNhwcParams pool_3x3s2(int32_t size, int32_t channels, int32_t pad, int32_t out) {
  kernels::PoolNhwcParams p;
  p.in_h = p.in_w = size;
  p.channels = channels;
  p.kernel_h = p.kernel_w = 3;
  p.stride_h = p.stride_w = 2;
  p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = pad;
  p.out_h = p.out_w = out;
  return p;
}

void bench_qmaxpool(benchmark::State& state, const kernels::KernelVariant& v, kernels::PoolNhwcParams p,
                    bool with_table) {
  if (skip_unsupported(state, v)) return;
  std::vector<uint8_t> in(size_t(p.in_h) * p.in_w * p.channels), out(size_t(p.out_h) * p.out_w * p.channels);
  std::mt19937 rng(5);
  for (uint8_t& x : in) x = static_cast<uint8_t>(rng());
  std::vector<uint8_t> table(256);
  for (int i = 0; i < 256; ++i) table[size_t(i)] = static_cast<uint8_t>(i / 2 + 3);
  for (auto _ : state) {
    v.qmaxpool->run(p, with_table ? table.data() : nullptr, in.data(), out.data(), 0, p.out_h);
    benchmark::ClobberMemory();
  }
  set_rate_counters(state, double(out.size()) * p.kernel_h * p.kernel_w, 0, nullptr);
}

}  // namespace

void register_qu8_maxpool(const kernels::KernelVariant& v) {
  const MaxPoolCase cases[] = {
      {"k3s2_ceil/111x111x64", pool_3x3s2(111, 64, 0, 55)},
      {"k3s2p1/112x112x64", pool_3x3s2(112, 64, 1, 56)},
  };
  for (const MaxPoolCase& c : cases) {
    const std::string name = std::string(v.name) + "/" + c.name;
    benchmark::RegisterBenchmark(name.c_str(), bench_qmaxpool, v, c.shape, false);
    benchmark::RegisterBenchmark((name + "/table").c_str(), bench_qmaxpool, v, c.shape, true);
  }
}

}  // namespace octet::bench
