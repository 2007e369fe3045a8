// oneDNN as a peer: dnnl_sgemm and dnnl_gemm_u8s8s32 (row-major, B transposed). Debian's
// libdnnl is built on OpenMP: left alone it runs one thread per CPU (both vCPUs here; measured:
// process CPU time 1.5-3x the caller's on 512^3 sgemm). libgomp reads OMP_NUM_THREADS when it
// loads, before main (main() re-runs the process with it set to 1), and init() also calls
// omp_set_num_threads(1) before the first oneDNN call; check_all measures that only the
// calling thread works. DNNL_VERBOSE prints nothing for these BLAS-like calls (they
// are not primitives); DNNL_JIT_DUMP=1 writes the JIT kernels they generate.
#include <omp.h>
#include <oneapi/dnnl/dnnl.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "bench/peers/gemm_peers.h"

namespace octet::bench {
namespace {

const char* isa_text(dnnl_cpu_isa_t isa) {
  switch (isa) {
    case dnnl_cpu_isa_sse41: return "sse41";
    case dnnl_cpu_isa_avx: return "avx";
    case dnnl_cpu_isa_avx2: return "avx2";
    case dnnl_cpu_isa_avx2_vnni: return "avx2_vnni";
    case dnnl_cpu_isa_avx512_core: return "avx512_core";
    case dnnl_cpu_isa_avx512_core_vnni: return "avx512_core_vnni";
    case dnnl_cpu_isa_avx512_core_bf16: return "avx512_core_bf16 (includes vnni)";
    case dnnl_cpu_isa_avx512_core_amx: return "avx512_core_amx";
    default: return "other";
  }
}

void init() { omp_set_num_threads(1); }

std::string describe() {
  const dnnl_version_t* v = dnnl_version();
  return "oneDNN " + std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch) +
         " (OpenMP); effective ISA " + isa_text(dnnl_get_effective_cpu_isa()) + "; " +
         std::to_string(omp_get_max_threads()) + " OpenMP thread(s)";
}

void fail(const char* what, dnnl_status_t st) {
  std::fprintf(stderr, "octet-bench-gemm-peers: %s failed (dnnl_status_t %d)\n", what, static_cast<int>(st));
  std::exit(1);
}

void sgemm(const GemmShape& s, const float* a, const float* b, float* c) {
  const dnnl_status_t st = dnnl_sgemm('N', 'T', s.m, s.n, s.k, 1.f, a, s.k, b, s.k, 0.f, c, s.n);
  if (st != dnnl_success) fail("dnnl_sgemm", st);
}

// offsetc 'R': one offset per element of a row, i.e. per output column n: the bias.
void gemm_u8s8s32(const GemmShape& s, const uint8_t* a, uint8_t a_zero_point, const int8_t* b, const int32_t* bias,
                  int32_t* c) {
  const dnnl_status_t st =
      dnnl_gemm_u8s8s32('N', 'T', 'R', s.m, s.n, s.k, 1.f, a, s.k, a_zero_point, b, s.k, 0, 0.f, c, s.n, bias);
  if (st != dnnl_success) fail("dnnl_gemm_u8s8s32", st);
}

}  // namespace

extern const PeerLibrary onednn_peer = {
    "onednn", "oneDNN", "libdnnl-dev", init, describe, sgemm, "dnnl_sgemm", gemm_u8s8s32, "dnnl_gemm_u8s8s32",
};

}  // namespace octet::bench
