// The scalar reference kernels (kernels/reference, NCHW) at a few ResNet8 shapes, batch 1:
// the baseline the SIMD variants are measured against. Not in the kernel registry (they
// are oracles, not variants the fast path dispatches to), so no peak%.
#include <string>
#include <vector>

#include "bench/kernels/bench_common.h"
#include "kernels/reference/conv.h"
#include "kernels/reference/elementwise.h"
#include "kernels/reference/gemm.h"
#include "kernels/reference/pool.h"
#include "kernels/reference/softmax.h"

namespace octet::bench {
namespace {

using kernels::Spatial;

void bench_conv_ref(benchmark::State& state, int64_t hw, int64_t c, int64_t m) {
  kernels::ConvParams p;
  p.in_channels = c;
  p.out_channels = m;
  p.in = Spatial{1, hw, hw};
  p.out = Spatial{1, hw, hw};
  p.kernel = Spatial{1, 3, 3};
  p.pad_begin = Spatial{0, 1, 1};
  const std::vector<float> x = random_floats(size_t(c * hw * hw), 1), w = random_floats(size_t(m * c * 9), 2),
                           b = random_floats(size_t(m), 3);
  std::vector<float> y(size_t(m * hw * hw));
  for (auto _ : state) {
    kernels::conv_f32_ref(p, x.data(), w.data(), b.data(), y.data());
    benchmark::ClobberMemory();
  }
  set_rate_counters(state, double(m) * hw * hw * c * 9, 0, nullptr);
}

void bench_gemm_ref(benchmark::State& state, int64_t m, int64_t n, int64_t k) {
  kernels::GemmParams p;
  p.M = m;
  p.N = n;
  p.K = k;
  p.trans_b = true;
  p.c_col_stride = 1;   // bias [N] broadcast over rows
  const std::vector<float> a = random_floats(size_t(m * k), 4), b = random_floats(size_t(n * k), 5),
                           c = random_floats(size_t(n), 6);
  std::vector<float> y(size_t(m * n));
  for (auto _ : state) {
    kernels::gemm_ref<float>(p, a.data(), b.data(), c.data(), y.data());
    benchmark::ClobberMemory();
  }
  set_rate_counters(state, double(m) * n * k, 0, nullptr);
}

void bench_max_pool_ref(benchmark::State& state) {
  kernels::PoolParams p;
  p.channels = 16;
  p.in = Spatial{1, 32, 32};
  p.out = Spatial{1, 16, 16};
  p.kernel = Spatial{1, 3, 3};
  p.stride = Spatial{1, 2, 2};
  p.pad_begin = p.pad_end = Spatial{0, 1, 1};
  const std::vector<float> x = random_floats(16 * 32 * 32, 7);
  std::vector<float> y(16 * 16 * 16);
  for (auto _ : state) {
    kernels::max_pool_ref<float>(p, x.data(), y.data(), nullptr, false);
    benchmark::ClobberMemory();
  }
  set_rate_counters(state, 9.0 * y.size(), 0, nullptr);
}

void bench_global_average_ref(benchmark::State& state) {
  const std::vector<float> x = random_floats(64 * 64, 8);
  std::vector<float> y(64);
  for (auto _ : state) {
    kernels::global_average_pool_f32_ref(64, 64, x.data(), y.data());
    benchmark::ClobberMemory();
  }
  set_rate_counters(state, 64.0 * 64, 0, nullptr);
}

void bench_add_ref(benchmark::State& state) {
  constexpr int64_t n = 32 * 32 * 16;
  const int64_t dims[] = {n}, strides[] = {1};
  const kernels::BroadcastParams p{dims, strides, strides};
  const std::vector<float> a = random_floats(n, 9), b = random_floats(n, 10);
  std::vector<float> y(n);
  for (auto _ : state) {
    kernels::binary_broadcast<float>(kernels::BinaryOp::Add, p, a.data(), b.data(), y.data());
    benchmark::ClobberMemory();
  }
  set_rate_counters(state, double(n), 0, nullptr);
}

void bench_softmax_ref(benchmark::State& state, int64_t rows) {
  kernels::SoftmaxParams p;
  p.outer = rows;
  p.axis = 10;
  const std::vector<float> x = random_floats(size_t(rows * 10), 11);
  std::vector<float> y(x.size());
  for (auto _ : state) {
    kernels::softmax_f32_ref(p, x.data(), y.data());
    benchmark::ClobberMemory();
  }
  set_rate_counters(state, double(rows) * 10, 0, nullptr);
}

}  // namespace

void register_reference() {
  benchmark::RegisterBenchmark("ref_conv_f32_nchw/32x32x16->16_k3s1/batch:1", bench_conv_ref, 32, 16, 16);
  benchmark::RegisterBenchmark("ref_conv_f32_nchw/8x8x64->64_k3s1/batch:1", bench_conv_ref, 8, 64, 64);
  benchmark::RegisterBenchmark("ref_gemm_f32/M:1/N:10/K:64", bench_gemm_ref, 1, 10, 64);
  benchmark::RegisterBenchmark("ref_gemm_f32/M:64/N:10/K:64", bench_gemm_ref, 64, 10, 64);
  benchmark::RegisterBenchmark("ref_gemm_f32/M:256/N:256/K:256", bench_gemm_ref, 256, 256, 256);
  benchmark::RegisterBenchmark("ref_max_pool_f32_nchw/max_pool_k3s2/32x32x16/batch:1", bench_max_pool_ref);
  benchmark::RegisterBenchmark("ref_global_average_pool_f32/global_average/8x8x64/batch:1", bench_global_average_ref);
  benchmark::RegisterBenchmark("ref_add_f32/add/32x32x16/batch:1", bench_add_ref);
  benchmark::RegisterBenchmark("ref_softmax_f32/softmax/10/batch:64", bench_softmax_ref, 64);
}

}  // namespace octet::bench
