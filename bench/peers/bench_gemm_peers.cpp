// The timed loops. Names: "<type>/M:m/N:n/K:k/<library>", type f32 or u8s8, library octet,
// openblas or onednn; registered shape by shape, so that the libraries' runs of one shape
// are close in time on this noisy machine.
//
// Counters: items_per_second = M*N*K multiply-accumulates per second; "peak%" = that rate
// against the single-core peak of octet's chosen ISA (bench/peak: the FMA peak for f32, the
// vpdpbusd / vpmaddwd peak for u8s8), the same yardstick for every library of a row. Times
// are the calling thread's CPU time (Google Benchmark's default, and what peak% uses); the
// peers run on that thread only, which check_all verifies.
#include "bench/kernels/bench_common.h"
#include "bench/peers/gemm_peers.h"

namespace octet::bench {
namespace {

double macs(const GemmShape& s) { return double(s.m) * s.n * s.k; }

void set_counters(benchmark::State& state, const GemmShape& s, double seconds, double peak_gmacs) {
  set_rate_counters(state, macs(s), seconds, nullptr);
  if (seconds > 0 && peak_gmacs > 0)
    state.counters["peak%"] = 100.0 * macs(s) * double(state.iterations()) / seconds / (peak_gmacs * 1e9);
}

template <typename Body>
void timed(benchmark::State& state, const GemmShape& s, double peak_gmacs, Body body) {
  const double t0 = thread_seconds();
  for (auto _ : state) {
    body();
    benchmark::ClobberMemory();
  }
  set_counters(state, s, thread_seconds() - t0, peak_gmacs);
}

void octet_f32(benchmark::State& state, GemmShape s) {
  const F32Problem p(s);
  const OctetF32Gemm g(p);
  std::vector<float> c(size_t(s.m) * s.n);
  timed(state, s, fp32_peak_gmacs(g.variant().isa), [&] { g.run(c.data()); });
}

void peer_f32(benchmark::State& state, GemmShape s, const PeerLibrary* peer) {
  const F32Problem p(s);
  std::vector<float> c(size_t(s.m) * s.n);
  timed(state, s, fp32_peak_gmacs(octet_f32_variant().isa), [&] { peer->sgemm(s, p.a.data(), p.b.data(), c.data()); });
}

void octet_u8s8(benchmark::State& state, GemmShape s) {
  const U8S8Problem p(s);
  const OctetU8S8Gemm g(p);
  std::vector<uint8_t> c(size_t(s.m) * s.n);
  timed(state, s, int8_peak_gmacs(g.variant().isa), [&] { g.run(c.data()); });
}

void peer_u8s8(benchmark::State& state, GemmShape s, const PeerLibrary* peer) {
  const U8S8Problem p(s);
  std::vector<int32_t> c(size_t(s.m) * s.n);
  timed(state, s, int8_peak_gmacs(octet_u8s8_variant(s).isa), [&] {
    peer->gemm_u8s8s32(s, p.a.data(), U8S8Problem::kInputZeroPoint, p.b.data(), p.bias.data(), c.data());
  });
}

}  // namespace

void register_gemm_peers() {
  for (const GemmShape& s : kPeerShapes) {
    const std::string f32 = "f32/" + shape_name(s) + "/";
    benchmark::RegisterBenchmark((f32 + "octet").c_str(), octet_f32, s);
    for (const PeerLibrary* peer : peer_libraries())
      if (peer->sgemm != nullptr) benchmark::RegisterBenchmark((f32 + peer->name).c_str(), peer_f32, s, peer);
  }
  for (const GemmShape& s : kPeerShapes) {
    const std::string u8s8 = "u8s8/" + shape_name(s) + "/";
    benchmark::RegisterBenchmark((u8s8 + "octet").c_str(), octet_u8s8, s);
    for (const PeerLibrary* peer : peer_libraries())
      if (peer->gemm_u8s8s32 != nullptr) benchmark::RegisterBenchmark((u8s8 + peer->name).c_str(), peer_u8s8, s, peer);
  }
}

}  // namespace octet::bench
