// The int8 Mul (engine/int8_coverage.h): two quantized activations of one shape, or a
// [N,C,H,W] tensor times a [N,C,1,1] gate (squeeze-excitation), as one QMulStep with QLinearMul's
// float requantisation, ratio = float(s_a * s_b) / s_y (kernels/int8/vector.h, QMulParams). SiLU,
// Mul(x, Sigmoid(x)), with only x quantized, is a table instead (compile_qlookup.cpp).
#include <utility>

#include "engine/compile_int8_helpers.h"
#include "engine/compiler.h"

namespace octet::detail {

void Compiler::compile_qmul(const Node& n) {
  if (gated_mul_runs_as_table(n)) return compile_qgated_mul(n);
  int big = n.inputs[0], small = n.inputs[1];
  if (product(slot(n, big).dims) < product(slot(n, small).dims)) std::swap(big, small);
  const Slot& s = slot(n, big);
  const Slot& t = slot(n, small);
  const bool same_shape = product(s.dims) == product(t.dims);
  // A gate against a 4-D tensor: both NHWC, so the gate's C values repeat for every pixel.
  // Same shape: NHWC when either 4-D operand is (the other is converted once), else as they are.
  const bool nhwc_layout =
      !same_shape || (s.dims.size() == 3 && (s.layout == Layout::Nhwc || t.layout == Layout::Nhwc));
  const Slot a = as_uint8(n, big, nhwc_layout);
  const Slot b = as_uint8(n, small, nhwc_layout);
  QMulStep st;
  if (same_shape) {
    // [C,1,1] is stored alike in both layouts.
    const bool layouts_agree = a.layout == b.layout || (a.dims.size() == 3 && a.dims[1] * a.dims[2] == 1);
    if (a.dims != b.dims || !layouts_agree) fail(n, "int8 Mul: operands of one size but different shapes");
    st.rows = 1;
    st.cols = static_cast<int32_t>(product(a.dims));
    if (int64_t{st.cols} != product(a.dims)) fail(n, "int8 Mul: tensor too large");
  } else {
    if (a.dims.size() != 3 || b.dims.size() != 3 || b.dims[0] != a.dims[0] || b.dims[1] * b.dims[2] != 1)
      fail(n, "int8 Mul broadcasts only a [N,C,1,1] gate over a [N,C,H,W] tensor");
    st.rows = a.dims[1] * a.dims[2];
    st.cols = static_cast<int32_t>(a.dims[0]);
    st.broadcast_b = true;
  }
  Slot out = u8_output_slot(n, a.layout, a.dims);
  kernels::QMulParams& m = st.mul;
  m.a_zero_point = a.zero_point;
  m.b_zero_point = b.zero_point;
  m.output_zero_point = out.zero_point;
  m.ratio = a.scale * b.scale / out.scale;   // in float, as MLAS (the order of a and b does not matter)
  if (!kernels::qfloat_ok(m.ratio)) fail(n, "requantisation ratio out of range (s_a * s_b / s_y)");
  output_clamp(g_, n, out, &m.output_min, &m.output_max);
  add_step(Step::of(n.name, std::move(st), a.buffer, b.buffer, out.buffer));
  set_output(n, out);
}

}  // namespace octet::detail
