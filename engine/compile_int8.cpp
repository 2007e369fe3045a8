// The int8 half of the compiler: nodes of a quantized graph (Value::quant set, see
// docs/quantization.md) become steps on the int8 kernels over uint8 buffers, and the
// float <-> uint8 boundaries become Quantize / Dequantize steps where a float operator meets
// an int8 one. Arithmetic: docs/quantization.md; kernels: kernels/int8/.
#include <algorithm>
#include <cmath>
#include <limits>

#include "engine/compile_int8_helpers.h"
#include "engine/compiler.h"
#include "engine/int8_coverage.h"
#include "kernels/registry.h"

namespace octet::detail {

// Helpers shared with compile_qdwconv.cpp: engine/compile_int8_helpers.h says what each does.
int32_t u8_zero_point(const QuantParams& q) { return q.zero_point + (q.dtype == DType::Int8 ? 128 : 0); }

int32_t add_code_offset(const Graph& g, const Node& n) {
  const auto& q = g.value(n.outputs[0]).quant;
  return q && q->dtype == DType::Int8 ? 128 : 0;
}

float weight_scale(const QuantParams& q, int64_t c) { return q.per_channel() ? q.channel_scales.at(size_t(c)) : q.scale; }

Int8Weights quantize_weights(std::span<const float> w, const QuantParams& q, int64_t out_c) {
  Int8Weights out;
  const int32_t offset = q.dtype == DType::Uint8 ? 128 : 0;
  const double lo = q.dtype == DType::Uint8 ? 0 : -128, hi = q.dtype == DType::Uint8 ? 255 : 127;
  const size_t per_channel = out_c > 0 ? w.size() / size_t(out_c) : 1;
  out.codes.resize(w.size());
  for (size_t i = 0; i < w.size(); ++i) {
    const float scale = weight_scale(q, int64_t(i / per_channel));
    double c = std::isnan(w[i]) ? q.zero_point : std::nearbyint(double(w[i] / scale)) + q.zero_point;
    out.codes[i] = static_cast<int8_t>(static_cast<int32_t>(std::clamp(c, lo, hi)) - offset);
  }
  out.zero_point = q.zero_point - offset;
  return out;
}

std::vector<int32_t> quantize_bias(const Tensor* bias, size_t n, float input_scale, const QuantParams& wq) {
  std::vector<int32_t> out(n, 0);
  if (bias == nullptr) return out;
  const auto b = bias->values<float>();
  for (size_t i = 0; i < n; ++i) {
    const float s = input_scale * weight_scale(wq, int64_t(i));
    double q = std::nearbyint(double(b[i] / s));
    out[i] = static_cast<int32_t>(std::clamp(q, double(std::numeric_limits<int32_t>::min()),
                                             double(std::numeric_limits<int32_t>::max())));
  }
  return out;
}

int32_t code_of(float x, float scale, int32_t zero_point) {
  double q = std::nearbyint(double(x / scale)) + zero_point;
  return static_cast<int32_t>(std::clamp(q, 0.0, 255.0));
}

// The int8 kernels are chosen independently of the FP32 ones: the widest up to the int8 cap
// that this CPU runs (every variant gives the same bytes, docs/quantization.md).
void Compiler::choose_int8_kernels() {
  const kernels::KernelIsa cap = opts_.int8_isa.value_or(kernels::kWidestIsa);
  const kernels::KernelVariant* v = kernels::widest_variant(kernels::KernelFamily::VectorQU8, cap);
  if (v == nullptr) throw Error(std::string("no int8 vector kernels at ISA ") + kernels::isa_name(cap) + " or narrower");
  qvec_ = v->qvector;
}

// Per layer, since the SIMD convolutions take only some shapes; the scalar one takes every
// well-formed layer.
const kernels::QConvU8Kernel* Compiler::pick_qconv(const kernels::QConvParams& p) const {
  const kernels::KernelVariant* v =
      kernels::widest_variant(kernels::KernelFamily::ConvQU8, opts_.int8_isa.value_or(kernels::kWidestIsa),
                              [&](const kernels::KernelVariant& k) { return k.qconv->supports(p); });
  if (v == nullptr) throw Error("int8 convolution: no kernel takes this layer's parameters");
  return v->qconv;
}

bool Compiler::runs_int8(const Node& n) const {
  auto act = [&](size_t i) { return n.has_input(i) && is_activation_params(g_.value(n.inputs[i]).quant); };
  auto weight = [&](size_t i) {
    return n.has_input(i) && g_.value(n.inputs[i]).constant && is_activation_params(g_.value(n.inputs[i]).quant);
  };
  const bool out = !n.outputs.empty() && is_activation_params(g_.value(n.outputs[0]).quant);
  // A form no int8 kernel takes (a grouped conv of an imported QDQ file) runs in float between
  // a Dequantize and a Quantize step, its annotated weights as their pair gives them.
  // Relu and a Transpose pass quantization through: they run on codes when their input is codes.
  if (n.op != OpKind::Relu && n.op != OpKind::Transpose && !has_int8_kernel(g_, n)) return false;
  switch (n.op) {
    case OpKind::Conv: return act(0) && weight(1) && out;
    case OpKind::Gemm: return act(0) && weight(1) && (out || qgemm_float_output(n));
    case OpKind::GlobalAveragePool:
    case OpKind::AveragePool: return act(0) && out;
    case OpKind::Add:
      return act(0) && act(1) && out && !g_.value(n.inputs[0]).constant && !g_.value(n.inputs[1]).constant;
    case OpKind::Relu: return act(0) && out && slot_is_uint8(n.inputs[0]);
    case OpKind::Mul: return out && ((act(0) && act(1)) || gated_mul_runs_as_table(n));
    case OpKind::MaxPool:
    case OpKind::Concat:   // they move codes: every operand annotated
      for (size_t i = 0; i < n.inputs.size(); ++i)
        if (!act(i)) return false;
      return out;
    case OpKind::Transpose:
    case OpKind::Slice: return act(0) && out && int8_copy_runs(n);
    default: return int8_table_op(n.op) && act(0) && (out || fused_into_gated_table(n));
  }
}

void Compiler::compile_int8_node(const Node& n) {
  switch (n.op) {
    case OpKind::Conv: return n.attr_int("group", 1) == 1 ? compile_qconv(n) : compile_qdwconv(n);
    case OpKind::Gemm: return compile_qgemm(n);
    case OpKind::GlobalAveragePool: return compile_qglobal_average(n);
    case OpKind::AveragePool: return compile_qaverage_pool(n);
    case OpKind::Add: return compile_qadd(n);
    case OpKind::Relu: return compile_qrelu(n);
    case OpKind::Mul: return compile_qmul(n);
    case OpKind::MaxPool: return compile_qmax_pool(n);
    case OpKind::Concat: return compile_qconcat(n);
    case OpKind::Transpose:
    case OpKind::Slice: return compile_qcopy(n);
    default:
      if (int8_table_op(n.op)) return compile_qlookup(n);
      fail(n, "operator has no int8 kernel");
  }
}

Slot Compiler::as_uint8(const Node& n, int value_id, bool want_nhwc) {
  const QuantParams& q = *g_.value(value_id).quant;
  const Slot& s = slot(n, value_id);
  const bool layout_ok = !want_nhwc || s.layout == Layout::Nhwc ||
                         (s.dims.size() == 3 && (s.dims[0] == 1 || s.dims[1] * s.dims[2] == 1));
  if (s.uint8 && layout_ok) {
    if (s.scale != q.scale || s.zero_point != u8_zero_point(q))
      fail(n, "operand '" + g_.value(value_id).name + "' carries other quantization parameters than its producer wrote");
    return s;
  }
  auto key = std::make_pair(value_id, want_nhwc);
  auto it = uint8_copies_.find(key);
  if (it != uint8_copies_.end()) return it->second;
  // A planar float image of up to 4 channels (an RGB graph input) that nothing has converted to
  // NHWC yet goes from its planes to NHWC codes in one quantize_planes step.
  const bool planes = !s.uint8 && want_nhwc && s.layout == Layout::Plain && s.dims.size() == 3 && s.dims[0] <= 4 &&
                      !raw_nhwc_copies_.contains(value_id);
  // Else the float the Quantize step reads: the value as its producer wrote it (as_float would
  // read a float value through its own QDQ pair).
  Slot f = planes   ? s
           : s.uint8 ? (want_nhwc ? nhwc(n, value_id) : as_float(n, value_id))
                     : (want_nhwc ? to_nhwc(n, value_id, s, raw_nhwc_copies_) : s);
  Slot out{new_u8_buffer(g_.value(value_id).name + ":uint8", product(f.dims), static_cast<int>(plan_.steps.size())),
           want_nhwc ? Layout::Nhwc : f.layout, f.dims, true, q.scale, u8_zero_point(q)};
  if (planes) {
    QuantizePlanesStep p;
    p.image = image_dims(s);
    p.scale = q.scale;
    p.zero_point = out.zero_point;
    add_step(Step::of(n.name, p, s.buffer, -1, out.buffer));
  } else {
    add_boundary_step(true, n, f, out, out);
  }
  return uint8_copies_[key] = noted(out);
}

Slot Compiler::u8_output_slot(const Node& n, Layout layout, std::vector<int64_t> dims) {
  const QuantParams& q = *g_.value(n.outputs[0]).quant;
  const int step = static_cast<int>(plan_.steps.size());
  const int64_t bytes = product(dims);
  return noted(Slot{new_u8_buffer(g_.value(n.outputs[0]).name, bytes, step), layout, std::move(dims), true, q.scale,
                    u8_zero_point(q)});
}

void Compiler::add_qconv_step(const Node& n, kernels::QConvParams p, const std::vector<int8_t>& weight_oihw,
                              const std::vector<int32_t>& bias, int input, int residual, int output,
                              const std::vector<float>& channel_scales) {
  QConvChannelStep qs;
  qs.kernel = pick_qconv(p);
  qs.conv = p;
  qs.weights_offset = append_weights(qs.kernel->packed_bytes(p));
  qs.kernel->pack(p, weight_oihw.data(), bias.data(), weights_at<uint8_t>(qs.weights_offset));
  plan_.workspace_bytes = std::max(plan_.workspace_bytes, qs.kernel->workspace_bytes(p));
  const bool per_channel = !channel_scales.empty();
  if (per_channel) {
    qs.scales_offset = append_weights(sizeof(float) * channel_scales.size());
    std::copy(channel_scales.begin(), channel_scales.end(), weights_at<float>(qs.scales_offset));
  }
  Step st = per_channel ? Step::of(n.name, qs, input, residual, output)
                        : Step::of(n.name, static_cast<QConvStep>(qs), input, residual, output);
  const auto& sh = p.shape;
  st.macs = int64_t{sh.out_h} * sh.out_w * sh.out_c * sh.in_c * sh.kernel_h * sh.kernel_w;
  add_step(std::move(st));
}

void output_clamp(const Graph& g, const Node& n, const Slot& out, int32_t* lo, int32_t* hi) {
  check_epilogue(g, n);   // also refuses an epilogue on the Gemm or Add this serves
  *lo = 0;
  *hi = 255;
  switch (n.epilogue.activation) {
    case Epilogue::Activation::None: break;
    case Epilogue::Activation::Relu: *lo = out.zero_point; break;
    case Epilogue::Activation::Clip:
      *lo = code_of(n.epilogue.min, out.scale, out.zero_point);
      *hi = code_of(n.epilogue.max, out.scale, out.zero_point);
      break;
    case Epilogue::Activation::Sigmoid:
    case Epilogue::Activation::HardSigmoid:
    case Epilogue::Activation::HardSwish:
    case Epilogue::Activation::SiLU:
      // Only the FP32 optimiser fuses these (fuse_conv_activation); the int8 epilogue is a clamp.
      throw Error(g.describe(n) + ": a fused " + activation_name(n.epilogue.activation) +
                  " has no int8 form (the int8 conv epilogue is a clamp)");
  }
}

void conv_scales(const Graph& g, const Node& n, const QuantParams& wq, float in_scale, float out_scale,
                 kernels::QConvParams& p, std::vector<float>& channel) {
  auto checked = [&](int64_t c) {
    const float s = kernels::conv_requant_scale(in_scale, weight_scale(wq, c), out_scale);
    if (!kernels::requant_scale_ok(s))
      throw Error(g.describe(n) + ": requantisation scale s_in*s_w/s_out = " + std::to_string(s) +
                  " is not a finite number >= 0");
    return s;
  };
  channel.clear();
  if (!wq.per_channel()) {
    p.scale = checked(0);
    return;
  }
  for (int32_t c = 0; c < p.shape.out_c; ++c) channel.push_back(checked(c));
}

void set_epilogue(const Graph& g, const Node& n, kernels::QConvParams& p, float in_scale, const QuantParams& wq,
                         const Slot& out, std::vector<float>& channel_scales) {
  p.output_zero_point = out.zero_point;
  conv_scales(g, n, wq, in_scale, out.scale, p, channel_scales);
  output_clamp(g, n, out, &p.output_min, &p.output_max);
}

// round_before_residual (docs/quantization.md, "Residual blocks"): the conv into c (scale
// c_scale, zero point c_zero_point, [0, 255]), then the Add of c and the residual in the
// Add's operand order (Epilogue::residual_first) with the output's clamp (Relu / Clip fused
// into the node), as the int8 Add step computes it (kernels/int8/requant.h, qadd_float).
static void set_round_first_epilogue(const Graph& g, const Node& n, kernels::QConvParams& p, float in_scale,
                                     const QuantParams& wq, float c_scale, int32_t c_zero_point, const Slot& residual,
                                     const Slot& out, std::vector<float>& channel_scales) {
  conv_scales(g, n, wq, in_scale, c_scale, p, channel_scales);
  p.round_before_residual = true;
  p.conv_zero_point = c_zero_point;
  p.residual_zero_point = residual.zero_point;
  p.output_zero_point = out.zero_point;
  p.residual_is_first = n.epilogue.residual_first;
  const int32_t offset = add_code_offset(g, n);
  p.residual_add = p.residual_is_first
                       ? kernels::make_qadd_float(residual.scale, residual.zero_point, c_scale, c_zero_point,
                                                  out.scale, out.zero_point, offset)
                       : kernels::make_qadd_float(c_scale, c_zero_point, residual.scale, residual.zero_point,
                                                  out.scale, out.zero_point, offset);
  if (!qadd_float_ok(p.residual_add))
    throw Error(g.describe(n) + ": the residual Add's scale ratios are out of range (s_c = " + std::to_string(c_scale) +
                ", s_residual = " + std::to_string(residual.scale) + ", s_out = " + std::to_string(out.scale) + ")");
  output_clamp(g, n, out, &p.output_min, &p.output_max);
}

void Compiler::compile_qconv(const Node& n) {
  check_epilogue(g_, n);
  Slot in = as_uint8(n, n.inputs[0], true);
  const Tensor& w = constant(n, 1, "weight");
  const QuantParams& wq = *g_.value(n.inputs[1]).quant;
  const Tensor* bias = n.has_input(2) ? &constant(n, 2, "bias") : nullptr;
  kernels::QConvParams p;
  p.shape = conv_shape(n, in, w);
  p.input_zero_point = in.zero_point;
  if (wq.per_channel() && (wq.axis != 0 || int64_t(wq.channel_scales.size()) != p.shape.out_c))
    fail(n, "per-channel weights must have one scale per output channel (axis 0)");
  Int8Weights qw = quantize_weights(w.values<float>(), wq, p.shape.out_c);
  p.weight_zero_point = qw.zero_point;
  std::vector<int32_t> qb = quantize_bias(bias, static_cast<size_t>(p.shape.out_c), in.scale, wq);
  std::vector<float> channel_scales;
  if (n.epilogue.residual && !n.epilogue.conv_output)
    fail(n, "the fused residual Add has no parameters for the Conv's own output (a quantized graph rounds it "
            "before the Add: Epilogue::conv_output); the int8 conv has no other residual arithmetic");
  Slot residual;
  if (n.epilogue.residual) residual = as_uint8(n, n.inputs[3], true);
  Slot out = u8_output_slot(n, Layout::Nhwc, {p.shape.out_c, p.shape.out_h, p.shape.out_w});
  if (n.epilogue.residual) {
    // The QDQ layout rounds the conv's own output to a tensor c before the residual Add: one
    // conv step whose epilogue rounds to c and then adds (QConvParams::round_before_residual),
    // bit for bit the conv into c followed by the int8 Add.
    const QuantParams& cq = *n.epilogue.conv_output;
    set_round_first_epilogue(g_, n, p, in.scale, wq, cq.scale, u8_zero_point(cq), residual, out, channel_scales);
    add_qconv_step(n, p, qw.codes, qb, in.buffer, residual.buffer, out.buffer, channel_scales);
  } else {
    set_epilogue(g_, n, p, in.scale, wq, out, channel_scales);
    add_qconv_step(n, p, qw.codes, qb, in.buffer, -1, out.buffer, channel_scales);
  }
  set_output(n, out);
}

// QLinearGlobalAveragePool's arithmetic (kernels/int8/vector.h, QGlobalAverageParams), for
// GlobalAveragePool and for an AveragePool whose one window is the whole unpadded image.
void Compiler::add_qglobal_average_step(const Node& n, const Slot& in) {
  Slot out = u8_output_slot(n, Layout::Nhwc, {in.dims[0], 1, 1});
  QGlobalAverageStep p;
  p.image = image_dims(in);
  const int64_t hw = int64_t{p.image.height} * p.image.width;
  if (hw >= (int64_t{1} << 23)) fail(n, "int8 global average over 2^23 pixels or more");
  kernels::QGlobalAverageParams& a = p.average;
  a.scale = in.scale / (out.scale * static_cast<float>(hw));   // in float, as MLAS
  if (!kernels::qfloat_ok(a.scale)) fail(n, "requantisation scale out of range (s_in / (s_out * hw))");
  a.input_zero_point = in.zero_point;
  a.output_zero_point = out.zero_point;
  add_step(Step::of(n.name, std::move(p), in.buffer, -1, out.buffer));
  set_output(n, out);
}

void Compiler::compile_qglobal_average(const Node& n) { add_qglobal_average_step(n, as_uint8(n, n.inputs[0], true)); }

void Compiler::compile_qaverage_pool(const Node& n) {
  Slot in = as_uint8(n, n.inputs[0], true);
  QAveragePoolStep st;
  st.pool.shape = pool_shape(n, in);
  const kernels::PoolNhwcParams& p = st.pool.shape;
  // ONNX Runtime runs a window covering the whole unpadded image as a global average.
  if (p.kernel_h == p.in_h && p.kernel_w == p.in_w && p.pad_top == 0 && p.pad_left == 0 && p.pad_bottom == 0 &&
      p.pad_right == 0 && p.out_h == 1 && p.out_w == 1)
    return add_qglobal_average_step(n, in);
  Slot out = u8_output_slot(n, Layout::Nhwc, {p.channels, p.out_h, p.out_w});
  st.pool.input_scale = in.scale;
  st.pool.output_scale = out.scale;
  st.pool.input_zero_point = in.zero_point;
  st.pool.output_zero_point = out.zero_point;
  if (!kernels::qfloat_ok(in.scale, 0x1p-64f) || !kernels::qfloat_ok(out.scale, 0x1p-64f))
    fail(n, "quantization scale out of range");
  add_step(Step::of(n.name, std::move(st), in.buffer, -1, out.buffer));
  set_output(n, out);
}

// A Relu merged into its producer's range (docs/quantization.md): input and output carry the
// same parameters and the zero point is the code of 0.0 at the bottom of the uint8 range, so
// the codes already are the Relu's output. Anything else has no int8 kernel.
void Compiler::compile_qrelu(const Node& n) {
  const Slot& in = slot(n, n.inputs[0]);
  const QuantParams& q = *g_.value(n.outputs[0]).quant;
  if (in.scale != q.scale || in.zero_point != u8_zero_point(q) || in.zero_point != 0)
    fail(n, "a quantized Relu needs its input's parameters with the zero point at the type's minimum");
  set_output(n, in);
}

void Compiler::compile_qadd(const Node& n) {
  Slot a = slot(n, n.inputs[0]);
  const bool nhwc_layout = a.layout == Layout::Nhwc;
  a = as_uint8(n, n.inputs[0], nhwc_layout);
  Slot b = as_uint8(n, n.inputs[1], nhwc_layout);
  if (a.dims != b.dims || a.layout != b.layout) fail(n, "only same-shape additions are supported");
  Slot out = u8_output_slot(n, a.layout, a.dims);
  add_qadd_step(n, a, b, out);
  set_output(n, out);
}

void Compiler::add_qadd_step(const Node& n, const Slot& a, const Slot& b, const Slot& out) {
  QAddStep st;
  st.elements = product(a.dims);
  st.add.rescale =
      kernels::make_qadd_float(a.scale, a.zero_point, b.scale, b.zero_point, out.scale, out.zero_point, add_code_offset(g_, n));
  const kernels::QAddFloat& r = st.add.rescale;
  if (!kernels::qadd_float_ok(r)) fail(n, "requantisation ratio out of range (s_a / s_y, s_b / s_y)");
  output_clamp(g_, n, out, &st.add.output_min, &st.add.output_max);
  add_step(Step::of(n.name, std::move(st), a.buffer, b.buffer, out.buffer));
}

}  // namespace octet::detail
