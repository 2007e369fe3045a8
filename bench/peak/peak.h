// Machine peak: how many multiply-accumulates per second one core sustains with each
// instruction set, measured with independent accumulator chains in a tight loop (the
// figure that kernel benchmarks report their "peak%" against).
#pragma once
#include <cstdint>
#include <span>

#include "kernels/registry.h"

namespace octet::bench {

// The loops, one per ISA file (compiled with that ISA's flags, see bench/CMakeLists.txt).
// Each runs `loops` iterations and returns the multiply-accumulates it did.
uint64_t peak_loop_mul_add_sse2(int64_t loops);   // mulps + addps, 4 lanes: 1 MAC per lane pair
uint64_t peak_loop_fma_avx2(int64_t loops);       // vfmadd ymm: 8 MACs
uint64_t peak_loop_fma_avx512(int64_t loops);     // vfmadd zmm: 16 MACs
uint64_t peak_loop_vnni(int64_t loops);           // vpdpbusd zmm: 64 u8 x s8 MACs
uint64_t peak_loop_maddwd_avx2(int64_t loops);    // vpmaddwd + vpaddd ymm: 16 int16 MACs

struct PeakKind {
  const char* name;          // "fp32_fma_avx512"
  const char* instruction;   // "vfmadd231ps zmm"
  kernels::KernelIsa isa;    // the kernels this peak is the ceiling of
  uint64_t (*loop)(int64_t loops);
  int macs_per_instruction;   // per vector instruction (per pair for mul+add and maddwd+add)
};

std::span<const PeakKind> peak_kinds();

// Best of `reps` timings of about `seconds` each, in GMAC/s per core, on thread CPU time
// (as Google Benchmark's default, so a descheduled slice does not count). The caller
// checks that the CPU supports the kind.
double measure_peak_gmacs(const PeakKind& kind, double seconds, int reps);

// The FP32 peak of one kernel ISA (sse2, avx2, avx512), measured once on first use
// (3 x 20 ms); 0 for an ISA this CPU lacks.
double fp32_peak_gmacs(kernels::KernelIsa isa);

// The int8 peak of one kernel ISA: vpdpbusd for vnni, vpmaddwd + vpaddd for avx2 (exact
// int8 products without VNNI); measured once on first use; 0 for other ISAs or when the CPU
// lacks it.
double int8_peak_gmacs(kernels::KernelIsa isa);

}  // namespace octet::bench
