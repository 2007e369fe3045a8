// int8 Gemm with a float output (the classifier before a float Softmax or the graph output,
// docs/quantization.md "Convolution and GEMM"): uint8 [rows, k] -> float [rows, n] per image on
// a kernels/int8/gemm_f32out.h variant, ONNX Runtime's QGemm arithmetic
// (y = float(acc) * s_x * s_w[j]). The packed weights hold the folded bias and the per-column
// scales (per tensor: one value n times). Split across threads by column tiles.
#pragma once
#include <cstddef>

#include "engine/runtime/step_type.h"
#include "kernels/int8/gemm_f32out.h"

namespace octet {

struct QGemmF32Step final : StepParams {
  const kernels::QGemmF32Kernel* kernel = nullptr;
  kernels::QGemmF32Params gemm;
  int32_t m = 1;               // rows per image
  bool per_channel = false;    // whether the scales differ by column (for the plan printer)
  float input_scale = 0;       // s_x, for the plan printer (the scales are in the packed weights)
  size_t weights_offset = 0;   // bytes into Plan::weights

  static const StepType kType;
  static void run(const QGemmF32Step&, const StepContext&, int32_t row_begin, int32_t row_end);
  // "Rows" are column tiles: threads split the output columns (one row per image at batch 1).
  static RowSplit rows(const QGemmF32Step& p) {
    const int32_t tile = p.kernel->column_tile;
    return {(p.gemm.n + tile - 1) / tile, 1};
  }
  static const char* kernel_name(const QGemmF32Step& p) { return p.kernel->name; }
  static std::string describe(const Step&, const QGemmF32Step&);
  static std::string summary(const QGemmF32Step&);
  template <typename IO, typename S>
  static void fields(IO& io, S& p) {
    io(p.kernel), io(p.gemm.k), io(p.gemm.n), io(p.gemm.input_zero_point), io(p.gemm.weight_zero_point);
    io(p.m), io(p.per_channel), io(p.input_scale), io(p.weights_offset);
  }
  static void validate(PlanChecker&, const Step&, const QGemmF32Step&);
};

}  // namespace octet
