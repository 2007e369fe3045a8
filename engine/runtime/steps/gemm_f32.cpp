#include "engine/runtime/steps/gemm_f32.h"

#include "engine/runtime/step_type_impl.h"

namespace octet {

void GemmF32Step::run(const GemmF32Step& p, const StepContext& c, int32_t, int32_t) {
  p.kernel->run(0, p.rows, p.n, p.k, c.in<float>(), p.k, reinterpret_cast<const float*>(c.weights + p.weights_offset),
                c.out<float>(), p.n, p.activation);
}

std::string GemmF32Step::describe(const Step&, const GemmF32Step& p) {
  return std::string(p.kernel->name) + "  " + std::to_string(p.rows) + "x" + std::to_string(p.k) + " -> " +
         std::to_string(p.n) + (p.activation == kernels::Activation::Relu ? " relu" : "");
}

void GemmF32Step::validate(PlanChecker& c, const Step& s, const GemmF32Step& p) {
  c.require(p.kernel != nullptr, "no gemm kernel");
  // The gemm kernels' epilogue takes no parameters: None or Relu (kernels/f32/gemm_impl.h).
  c.require(p.activation == kernels::Activation::None || p.activation == kernels::Activation::Relu,
            "bad activation (a gemm applies none or Relu)");
  c.mul({p.rows, p.n, p.k}, "gemm size");
  c.buffer(s.input, int64_t{p.rows} * p.k, false, "input");
  c.buffer(s.output, int64_t{p.rows} * p.n, false, "output");
  c.weights(p.weights_offset, p.kernel->packed_floats(p.k, p.n) * sizeof(float));
}

const StepType GemmF32Step::kType = make_step_type<GemmF32Step>(5, "f32_gemm", false);

}  // namespace octet
