// A quantized Gemm ([batch, features] x constant B + C): with a quantized output, a 1x1 int8
// conv (kernels/int8/conv.h, requantised to uint8); with a float output (the classifier before
// a float Softmax, or the graph output), an int8 GEMM whose accumulator is scaled to float
// (kernels/int8/gemm_f32out.h), as ONNX Runtime's QDQ fusion runs it (QGemm with a float
// output, docs/quantization.md "Convolution and GEMM").
#include <algorithm>

#include "engine/compile_int8_helpers.h"
#include "engine/compiler.h"
#include "kernels/registry.h"

namespace octet::detail {

// The float-output form takes what ONNX Runtime fuses into a QGemm with a float output: no
// activation fused into the Gemm (it would act on the float output, after the scale), and a
// bias that is absent or one int32-quantized value per column (DQ of int32 codes); anything
// else stays on the float Gemm over dequantized operands.
bool Compiler::qgemm_float_output(const Node& n) const {
  if (n.outputs.empty() || g_.value(n.outputs[0]).quant || n.epilogue.activation != Epilogue::Activation::None ||
      n.epilogue.residual)
    return false;
  const Value& b = g_.value(n.inputs[1]);
  if (!b.constant || b.constant->rank() != 2) return false;
  const int64_t cols = n.attr_int("transB", 0) != 0 ? b.constant->dims[0] : b.constant->dims[1];
  if (!n.has_input(2)) return true;
  const Value& c = g_.value(n.inputs[2]);
  return c.constant && c.constant->numel() == cols && c.quant && c.quant->dtype == DType::Int32;
}

void Compiler::compile_qgemm(const Node& n) {
  Slot a = as_uint8(n, n.inputs[0], false);
  if (a.dims.size() != 1) fail(n, "expects a 2-D [batch, features] input");
  const Tensor& b = constant(n, 1, "B");
  if (b.rank() != 2) fail(n, "B must be 2-D");
  if (n.attr_int("transA", 0) != 0) fail(n, "transA is not supported");
  if (n.attr_float("alpha", 1.f) != 1.f || n.attr_float("beta", 1.f) != 1.f)
    fail(n, "a quantized Gemm needs alpha = beta = 1");
  const bool trans_b = n.attr_int("transB", 0) != 0;
  const int64_t k = trans_b ? b.dims[1] : b.dims[0];
  const int64_t cols = trans_b ? b.dims[0] : b.dims[1];
  if (k != a.dims[0]) fail(n, "inner dimensions do not match");
  const Tensor* c = n.has_input(2) ? &constant(n, 2, "C") : nullptr;
  if (c && c->numel() != cols) fail(n, "a quantized Gemm needs C of shape [N]");
  // B as [N][K] (the OIHW layout of a 1x1 conv with N outputs), then to int8 codes.
  std::vector<float> bt(static_cast<size_t>(k * cols));
  const auto bv = b.values<float>();
  for (int64_t i = 0; i < k; ++i)
    for (int64_t j = 0; j < cols; ++j)
      bt[static_cast<size_t>(j * k + i)] = trans_b ? bv[static_cast<size_t>(j * k + i)] : bv[static_cast<size_t>(i * cols + j)];
  const QuantParams& wq = *g_.value(n.inputs[1]).quant;
  if (wq.per_channel() && (wq.axis != (trans_b ? 0 : 1) || int64_t(wq.channel_scales.size()) != cols))
    fail(n, "per-channel weights must have one scale per output column (B's axis " + std::to_string(trans_b ? 0 : 1) + ")");
  Int8Weights qw = quantize_weights(bt, wq, cols);
  std::vector<int32_t> qb = quantize_bias(c, static_cast<size_t>(cols), a.scale, wq);

  if (!g_.value(n.outputs[0]).quant) {
    // Float output: y[j] = float(acc[j]) * float(s_x * s_w[j]), ONNX Runtime's QGemm output
    // scales (alpha * a_scale * b_scale[j], alpha = 1) and MLAS_QGEMM_SCALE_BIAS_OUTPUT_PROCESSOR.
    QGemmF32Step gs;
    gs.gemm.k = static_cast<int32_t>(k);
    gs.gemm.n = static_cast<int32_t>(cols);
    gs.gemm.input_zero_point = a.zero_point;
    gs.gemm.weight_zero_point = qw.zero_point;
    if (!kernels::qgemm_f32_params_ok(gs.gemm)) fail(n, "int8 Gemm shape out of the kernels' range");
    const kernels::KernelVariant* v =
        kernels::widest_variant(kernels::KernelFamily::GemmQU8, opts_.int8_isa.value_or(kernels::kWidestIsa));
    if (v == nullptr) fail(n, "no int8 gemm kernel at this ISA");
    gs.kernel = v->qgemm;
    gs.per_channel = wq.per_channel();
    gs.input_scale = a.scale;
    std::vector<float> scales(static_cast<size_t>(cols));
    for (int64_t j = 0; j < cols; ++j) {
      scales[static_cast<size_t>(j)] = a.scale * weight_scale(wq, j);
      if (!kernels::requant_scale_ok(scales[static_cast<size_t>(j)]))
        fail(n, "output scale s_in * s_w is not a finite number >= 0");
    }
    gs.weights_offset = append_weights(gs.kernel->packed_bytes(gs.gemm));
    gs.kernel->pack(gs.gemm, qw.codes.data(), qb.data(), scales.data(), weights_at<uint8_t>(gs.weights_offset));
    Step st = Step::of(n.name, gs, a.buffer);
    st.macs = k * cols;
    add_output_step(n, std::move(st), Layout::Plain, {cols});
    return;
  }
  kernels::QConvParams p;
  p.shape.in_h = p.shape.in_w = p.shape.out_h = p.shape.out_w = 1;
  p.shape.in_c = static_cast<int32_t>(k);
  p.shape.out_c = static_cast<int32_t>(cols);
  p.input_zero_point = a.zero_point;
  p.weight_zero_point = qw.zero_point;
  Slot out = u8_output_slot(n, Layout::Plain, {cols});
  std::vector<float> channel_scales;
  set_epilogue(g_, n, p, a.scale, wq, out, channel_scales);
  add_qconv_step(n, p, qw.codes, qb, a.buffer, -1, out.buffer, channel_scales);
  set_output(n, out);
}

}  // namespace octet::detail
