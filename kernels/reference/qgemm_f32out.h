// int8 GEMM with a float output (kernels/int8/gemm_f32out.h), scalar: the oracle that every
// qu8_gemm_f32out variant must match bit for bit.
#pragma once
#include <cstdint>

#include "kernels/int8/gemm_f32out.h"

namespace octet::kernels {

// output[m][j] for m < rows and j in [n_begin, n_end), per the formula in
// kernels/int8/gemm_f32out.h, in plain loops. The accumulator is summed in int64 and truncated
// to int32 (two's-complement wrap-around, what the SIMD variants' int32 adds do).
// input: uint8 [rows][k]; weight: int8 [n][k]; bias: int32 [n] or nullptr; scales: float [n];
// output: float [rows][n].
void qgemm_f32out_ref(const QGemmF32Params& p, const uint8_t* input, const int8_t* weight_nk, const int32_t* bias,
                      const float* scales, float* output, int32_t rows, int32_t n_begin, int32_t n_end);

}  // namespace octet::kernels
