// int8 GEMM with a float output: the classifier Gemm of a quantized graph, whose output feeds
// float operators (the Softmax) or the graph output, so it is not rounded to 8 bits (issue 15).
// uint8 activations with a zero point, int8 weights with a zero point (kernels/int8/conv.h says
// why one family serves the uint8, int8 and u8s8 schemes), int32 accumulation, one float
// multiply per output:
//   acc[m][j] = bias[j] + Σ_k (x[m][k] - input_zero_point) * (w[j][k] - weight_zero_point)   (int32)
//   y[m][j]   = float(acc[m][j]) * scale[j]
// with scale[j] = float(s_x * s_w[j]) (s_w per column with per-channel weights, else one s_w).
// That is ONNX Runtime 1.30's QGemm with a float output, which its QDQ fusion makes of
// DQ(x), DQ(W), DQ(bias int32) -> Gemm: the int32 bias is broadcast into the accumulator, the
// output scales are alpha * a_scale * b_scale[j] (alpha = 1), and
// MLAS_QGEMM_SCALE_BIAS_OUTPUT_PROCESSOR (no float bias, ZeroMode) writes
// float(acc) * scale[j]. One correctly rounded conversion and one multiply per output, so the
// scalar reference (kernels/reference/qgemm_f32out.h) and every SIMD variant give the same
// bits. The accumulator is int32 with two's-complement wrap-around (every variant adds
// modulo 2^32, so the order of the sum does not matter). Real layers stay far from wrapping
// (|acc| <= K * 255 * 255 + |bias|: under 2^31 for K up to 33,000 with a small bias).
//
// For one row (batch 1) this is a matrix-vector product bound by reading the weights once:
// the SIMD variants read each packed weight byte once per call and reuse it for every row.
#pragma once
#include <cstddef>
#include <cstdint>

namespace octet::kernels {

struct QGemmF32Params {
  int32_t k = 0;                   // inner dimension (input features), >= 1
  int32_t n = 0;                   // output columns, >= 1
  int32_t input_zero_point = 0;    // 0..255
  int32_t weight_zero_point = 0;   // -128..127 (0 for symmetric weights)
};

// The shapes and zero points every variant takes (the plan checker asks it of a loaded plan):
// k up to 2^16 (a bound on a loaded plan's sizes; packing folds the zero-point terms in int64
// and wraps them like the accumulator; the compiler's layers are far smaller: ResNet8's K is
// 64, ImageNet classifiers' 1280..4096).
inline bool qgemm_f32_params_ok(const QGemmF32Params& p) {
  return p.k >= 1 && p.k <= 65536 && p.n >= 1 && p.n <= (1 << 24) && p.input_zero_point >= 0 &&
         p.input_zero_point <= 255 && p.weight_zero_point >= -128 && p.weight_zero_point <= 127;
}

struct QGemmF32Kernel {
  const char* name;   // its name in the kernel table, e.g. "qu8_gemm_f32out_vnni"
  // Column ranges passed to run start at multiples of this (the variant's vector of columns).
  int32_t column_tile;
  size_t (*packed_bytes)(const QGemmF32Params&);
  // weight: int8 [n][k] (B transposed: one row per output column); bias: int32 [n] or nullptr;
  // scales: float [n], the per-column output scales (per-tensor weights: one value n times).
  // Packing folds every input-independent zero-point term into the packed bias and keeps the
  // scales beside it. `packed` is 64-byte aligned.
  void (*pack)(const QGemmF32Params&, const int8_t* weight_nk, const int32_t* bias, const float* scales,
               void* packed);
  // rows x k uint8 input (row stride k) -> rows x n float output (row stride n), columns
  // [n_begin, n_end) of every row; n_begin is a multiple of column_tile. Allocates nothing.
  void (*run)(const QGemmF32Params&, const void* packed, const uint8_t* input, float* output, int32_t rows,
              int32_t n_begin, int32_t n_end);
};

// The variants, one per file (kernels/int8/gemm_f32out_<isa>.cpp), are listed in the kernel
// table, kernels/kernels.inc, and declared in kernels/kernels.h. `scalar` is the portable
// variant for CPUs without AVX2 (the reference's loop on its packed copy of the weights).

}  // namespace octet::kernels
