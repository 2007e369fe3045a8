// Portable int8 GEMM with a float output (kernels/int8/gemm_f32out.h): the variant for CPUs
// without AVX2, the reference loop (kernels/reference/qgemm_f32out.h) on its packed copy of the
// arguments: [scales n][bias n][weights n x k], as given.
#include <cstring>

#include "kernels/kernels.h"
#include "kernels/reference/qgemm_f32out.h"

namespace octet::kernels {
namespace {

size_t packed_bytes(const QGemmF32Params& p) { return size_t(p.n) * (sizeof(float) + sizeof(int32_t) + size_t(p.k)); }

void pack(const QGemmF32Params& p, const int8_t* weight_nk, const int32_t* bias, const float* scales, void* packed) {
  auto* s = static_cast<float*>(packed);
  auto* b = reinterpret_cast<int32_t*>(s + p.n);
  auto* w = reinterpret_cast<int8_t*>(b + p.n);
  std::memcpy(s, scales, sizeof(float) * size_t(p.n));
  for (int32_t j = 0; j < p.n; ++j) b[j] = bias != nullptr ? bias[j] : 0;
  std::memcpy(w, weight_nk, size_t(p.n) * size_t(p.k));
}

void run(const QGemmF32Params& p, const void* packed, const uint8_t* input, float* output, int32_t rows,
         int32_t n_begin, int32_t n_end) {
  const auto* s = static_cast<const float*>(packed);
  const auto* b = reinterpret_cast<const int32_t*>(s + p.n);
  const auto* w = reinterpret_cast<const int8_t*>(b + p.n);
  qgemm_f32out_ref(p, input, w, b, s, output, rows, n_begin, n_end);
}

}  // namespace

const QGemmF32Kernel qu8_gemm_f32out_scalar = {"qu8_gemm_f32out_scalar", 1, &packed_bytes, &pack, &run};

}  // namespace octet::kernels
