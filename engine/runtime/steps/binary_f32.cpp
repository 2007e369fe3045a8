#include "engine/runtime/steps/binary_f32.h"

#include "engine/runtime/step_type_impl.h"
#include "kernels/f32/vector.h"

namespace octet {

using kernels::BinaryF32Op;

void BinaryF32Step::run(const BinaryF32Step& p, const StepContext& c, int32_t row_begin, int32_t row_end) {
  auto constant = [&](size_t offset) { return reinterpret_cast<const float*>(c.weights + offset); };
  const float* a = p.a_constant ? constant(p.a_offset) : c.in<float>();
  const float* b = p.b_constant ? constant(p.b_offset) : p.a_constant ? c.in<float>() : c.in2<float>();
  const float* addend = p.shape.op == BinaryF32Op::MulAdd ? constant(p.c_offset) : nullptr;
  c.vector->binary(p.shape, a, b, addend, c.out<float>(), row_begin, row_end);
}

static const char* op_name(BinaryF32Op op) {
  switch (op) {
    case BinaryF32Op::Add: return "add";
    case BinaryF32Op::Sub: return "sub";
    case BinaryF32Op::Mul: return "mul";
    case BinaryF32Op::Div: return "div";
    case BinaryF32Op::MulAdd: return "affine";
  }
  return "unknown";
}

std::string BinaryF32Step::summary(const BinaryF32Step& p) { return std::string(op_name(p.shape.op)) + " (broadcast)"; }

// "binary mul  [196 x 96]  a [96, 1]  b [0, 1]+scalar": the loops, each operand's strides.
std::string BinaryF32Step::describe(const Step&, const BinaryF32Step& p) {
  auto strides = [&](const int64_t* s, bool scalar, bool constant) {
    std::string t = constant ? " const[" : " [";
    for (int32_t d = 0; d < p.shape.outer_dims; ++d) t += std::to_string(s[d]) + ", ";
    return t + (scalar ? "scalar]" : "run]");
  };
  std::string dims = "[";
  for (int32_t d = 0; d < p.shape.outer_dims; ++d) dims += std::to_string(p.shape.outer[d]) + " x ";
  dims += std::to_string(p.shape.inner) + "]";
  return std::string("binary ") + op_name(p.shape.op) + "  " + dims + "  a" +
         strides(p.shape.a_stride, p.shape.a_scalar, p.a_constant) + "  b" +
         strides(p.shape.b_stride, p.shape.b_scalar, p.b_constant);
}

void BinaryF32Step::validate(PlanChecker& c, const Step& s, const BinaryF32Step& p) {
  const kernels::BinaryF32Params& k = p.shape;
  c.require(static_cast<uint8_t>(k.op) <= static_cast<uint8_t>(BinaryF32Op::MulAdd), "unknown binary operator");
  c.require(k.outer_dims >= 0 && k.outer_dims <= kernels::kBinaryMaxOuterDims, "bad loop count");
  c.require(!(p.a_constant && p.b_constant), "both operands constant");
  int64_t out = c.mul({k.inner}, "run length");
  for (int32_t d = 0; d < k.outer_dims; ++d) out = c.mul({out, k.outer[d]}, "output size");
  // Each operand reads at most `out` elements' worth of distinct offsets: a stride past the
  // output's size cannot come from a broadcast, and bounding it keeps the extents below 2^62.
  for (int32_t d = 0; d < k.outer_dims; ++d)
    c.require(k.a_stride[d] >= 0 && k.a_stride[d] <= out && k.b_stride[d] >= 0 && k.b_stride[d] <= out, "bad stride");
  const int64_t a = k.a_extent(), b = k.b_extent();
  c.require(a <= out && b <= out, "an operand reaches past the output's size");
  if (p.a_constant) c.weights(p.a_offset, static_cast<size_t>(a) * sizeof(float));
  else c.buffer(s.input, a, false, "first operand");
  if (p.b_constant) c.weights(p.b_offset, static_cast<size_t>(b) * sizeof(float));
  else c.buffer(p.a_constant ? s.input : s.input2, b, false, "second operand");
  if (k.op == BinaryF32Op::MulAdd) {
    c.require(p.b_constant, "the affine's scale is not a constant");
    c.weights(p.c_offset, static_cast<size_t>(b) * sizeof(float));
  }
  c.buffer(s.output, out, false, "output");
}

const StepType BinaryF32Step::kType = make_step_type<BinaryF32Step>(20, "f32_binary", false);

}  // namespace octet
