// Shared pieces of the kernel microbenchmarks (octet-bench-kernels): names, random
// buffers, and the counters every benchmark reports.
//
// Counters. items_per_second is the work rate: multiply-accumulates for convolutions and
// GEMMs (Winograd is credited with the MACs of the direct convolution it replaces, so it
// can pass 100%), and element operations (window taps, adds, exps) for the vector kernels.
// "peak%" (MAC kernels only) is that MAC rate as a percentage of the single-core FP32 peak
// of the kernel's own ISA, measured once per process by bench/peak's loops.
#pragma once
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "bench/peak/peak.h"
#include "kernels/registry.h"

namespace octet::bench {

// Registration per family, for one registry entry (bench_f32_*.cpp); references have no
// registry entry (bench_reference.cpp).
void register_f32_conv(const kernels::KernelVariant& v);
void register_f32_dwconv(const kernels::KernelVariant& v);   // bench_f32_dwconv.cpp
void register_f32_gemm(const kernels::KernelVariant& v);
void register_f32_vector(const kernels::KernelVariant& v);
void register_qu8_conv(const kernels::KernelVariant& v);     // bench_qu8_conv.cpp
void register_qu8_dwconv(const kernels::KernelVariant& v);   // bench_qu8_dwconv.cpp
void register_qu8_gemm(const kernels::KernelVariant& v);     // bench_qu8_gemm.cpp
void register_qu8_maxpool(const kernels::KernelVariant& v);  // bench_qu8_maxpool.cpp
void register_qu8_vector(const kernels::KernelVariant& v);   // bench_qu8_vector.cpp
void register_reference();
// bench_copy.cpp: the strided copies of the channel shuffle and split, float and uint8.
void register_copies();

inline std::vector<float> random_floats(size_t n, uint32_t seed = 1) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(-1.f, 1.f);
  std::vector<float> v(n);
  for (float& x : v) x = d(rng);
  return v;
}

// Skips (visibly, under the benchmark's name) a variant this CPU cannot run. Call before
// touching the kernel: its pack routine is compiled for its ISA too.
inline bool skip_unsupported(benchmark::State& state, const kernels::KernelVariant& v) {
  if (v.supported()) return false;
  state.SkipWithError((std::string("CPU lacks ") + kernels::isa_name(v.isa)).c_str());
  return true;
}

// Thread CPU time, the clock Google Benchmark reports by default; read around the timing
// loop to derive peak% from the same time base as items_per_second.
double thread_seconds();

// Sets items_per_second for `work_per_iteration` items, and peak% against the FP32 peak of
// v's ISA when v is given (MAC kernels).
void set_rate_counters(benchmark::State& state, double work_per_iteration, double seconds,
                       const kernels::KernelVariant* v);

}  // namespace octet::bench
