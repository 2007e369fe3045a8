// OpenBLAS as a peer: cblas_sgemm, row-major, B transposed, on one thread. Debian's default
// build (libopenblas0-pthread) starts a worker per extra CPU when it loads, unless
// OPENBLAS_NUM_THREADS=1 (which main() makes sure of); openblas_set_num_threads(1) keeps the
// work on the calling thread either way (check_all measures it). OpenBLAS has no int8 GEMM.
#include <cblas.h>

#include <string>

#include "bench/peers/gemm_peers.h"

namespace octet::bench {
namespace {

void init() { openblas_set_num_threads(1); }

std::string describe() {
  // "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Cooperlake MAX_THREADS=64"
  return std::string(openblas_get_config()) + "; kernels for core " + openblas_get_corename() + "; " +
         std::to_string(openblas_get_num_threads()) + " thread(s)";
}

void sgemm(const GemmShape& s, const float* a, const float* b, float* c) {
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, s.m, s.n, s.k, 1.f, a, s.k, b, s.k, 0.f, c, s.n);
}

}  // namespace

extern const PeerLibrary openblas_peer = {
    "openblas", "OpenBLAS", "libopenblas-dev", init, describe, sgemm, "cblas_sgemm", nullptr, nullptr,
};

}  // namespace octet::bench
