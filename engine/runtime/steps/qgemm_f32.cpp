#include "engine/runtime/steps/qgemm_f32.h"

#include <algorithm>
#include <sstream>

#include "engine/runtime/step_type_impl.h"

namespace octet {

void QGemmF32Step::run(const QGemmF32Step& p, const StepContext& c, int32_t row_begin, int32_t row_end) {
  const int32_t tile = p.kernel->column_tile;
  p.kernel->run(p.gemm, c.weights + p.weights_offset, c.input, c.out<float>(), p.m, row_begin * tile,
                std::min(p.gemm.n, row_end * tile));
}

// The input's parameters as the dequantize step prints its own: the last quantized tensor of
// a plan that ends in this step (bench/peers/qdq_agreement.js reads it).
std::string QGemmF32Step::describe(const Step&, const QGemmF32Step& p) {
  std::ostringstream out;
  out << p.kernel->name << "  " << p.m << "x" << p.gemm.k << " -> " << p.gemm.n << " float (input scale "
      << p.input_scale << ", zero point " << p.gemm.input_zero_point << ")"
      << (p.per_channel ? " per-channel weights" : "");
  return out.str();
}

std::string QGemmF32Step::summary(const QGemmF32Step& p) {
  return "gemm " + std::to_string(p.gemm.k) + "→" + std::to_string(p.gemm.n) + " (float out)";
}

void QGemmF32Step::validate(PlanChecker& c, const Step& s, const QGemmF32Step& p) {
  c.require(p.kernel != nullptr, "no int8 gemm kernel");
  c.require(kernels::qgemm_f32_params_ok(p.gemm), "int8 gemm shape or zero points out of range");
  c.require(p.m >= 1, "int8 gemm needs at least one row");
  c.mul({p.m, p.gemm.n, p.gemm.k}, "gemm size");
  c.buffer(s.input, int64_t{p.m} * p.gemm.k, true, "input");
  c.buffer(s.output, int64_t{p.m} * p.gemm.n, false, "output");
  c.weights(p.weights_offset, p.kernel->packed_bytes(p.gemm));
}

const StepType QGemmF32Step::kType = make_step_type<QGemmF32Step>(74, "qu8_gemm_f32", true);

}  // namespace octet
