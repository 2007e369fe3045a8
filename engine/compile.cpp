#include "engine/compile.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "engine/compiler.h"
#include "engine/conv_select.h"
#include "kernels/dispatch/cpu_features.h"

namespace octet {

namespace detail {

Compiler::Compiler(const Graph& g, const CompileOptions& o) : g_(g), opts_(o) {
  const auto& f = kernels::cpu_features();
  if (f.avx512f) {
    isa_ = "avx512";
    gemm_ = &kernels::f32_gemm_avx512;
    vec_ = &kernels::f32_vector_avx512;
  } else if (f.avx2 && f.fma) {
    isa_ = "avx2";
    gemm_ = &kernels::f32_gemm_avx2;
    vec_ = &kernels::f32_vector_avx2;
  } else {
    isa_ = "sse2";
    gemm_ = &kernels::f32_gemm_sse2;
    vec_ = &kernels::f32_vector_sse2;
  }
  choose_int8_kernels();
}

Plan Compiler::run() {
  slots_.resize(g_.values.size());
  for (int id : g_.inputs) {
    const Value& v = g_.value(id);
    if (v.dtype != DType::Float32) throw Error("input '" + v.name + "': the optimised runtime takes float32 inputs");
    Slot& s = slots_[static_cast<size_t>(id)];
    s.dims = per_image_dims(v, "input");
    s.buffer = new_buffer(v.name, product(s.dims), -1);
    plan_.inputs.push_back(Port{v.name, with_batch(v, s.dims), s.buffer});
  }
  for (const Node& n : g_.nodes) compile_node(n);
  for (int id : g_.outputs) {
    const Value& v = g_.value(id);
    Slot s = plain(id, v.name);
    plan_.outputs.push_back(Port{v.name, with_batch(v, s.dims), s.buffer});
    lifetimes_[static_cast<size_t>(s.buffer)].last_step = static_cast<int>(plan_.steps.size());
  }
  MemoryPlan mp = plan_memory(lifetimes_, 16);   // 64-byte aligned per image
  for (size_t b = 0; b < plan_.buffers.size(); ++b) plan_.buffers[b].offset = mp.offsets[b];
  plan_.arena_floats_per_image = mp.arena_size;
  plan_.weights = AlignedFloats(weights_.size());
  std::copy(weights_.begin(), weights_.end(), plan_.weights.data());
  plan_.vector = vec_;
  for (const Step& st : plan_.steps)
    if (st.kind >= StepKind::QConv) plan_.qvector = qvec_;
  plan_.isa = isa_;
  return std::move(plan_);
}

void Compiler::fail(const Node& n, const std::string& msg) const {
  throw Error(g_.describe(n) + ": " + msg + " (the optimised runtime does not run this; octet-eval --reference runs the scalar executor)");
}

std::vector<int64_t> Compiler::per_image_dims(const Value& v, const char* what) const {
  if (!v.shape.has_rank || v.shape.dims.empty())
    throw Error(std::string(what) + " '" + v.name + "': shape " + v.shape.to_string() + " has no batch dimension");
  std::vector<int64_t> d;
  for (size_t i = 1; i < v.shape.dims.size(); ++i) {
    if (!v.shape.dims[i].is_known())
      throw Error(std::string(what) + " '" + v.name + "': shape " + v.shape.to_string() +
                  " must be known except for the batch");
    d.push_back(v.shape.dims[i].value);
  }
  return d;
}

std::vector<int64_t> Compiler::with_batch(const Value& v, const std::vector<int64_t>& per_image) {
  std::vector<int64_t> d{v.shape.dims[0].is_known() ? v.shape.dims[0].value : -1};
  d.insert(d.end(), per_image.begin(), per_image.end());
  return d;
}

int Compiler::new_u8_buffer(const std::string& name, int64_t bytes, int first_step) {
  const int id = new_buffer(name, (bytes + 3) / 4, first_step);
  plan_.buffers[static_cast<size_t>(id)].uint8 = true;
  return id;
}

int Compiler::new_buffer(const std::string& name, int64_t floats, int first_step) {
  // Every activation is sized here. An empty one (a 0 dim) has no rows for the kernels to
  // work on and no bytes to point at, so it is refused rather than planned.
  if (floats <= 0) throw Error("value '" + name + "' is empty (a dimension is 0); the optimised runtime needs non-empty tensors");
  plan_.buffers.push_back(Buffer{name, floats, 0});
  lifetimes_.push_back(BufferLifetime{static_cast<size_t>(floats), first_step, first_step});
  return static_cast<int>(plan_.buffers.size()) - 1;
}

Slot Compiler::noted(Slot s) {
  Buffer& b = plan_.buffers[static_cast<size_t>(s.buffer)];
  b.elements_per_image = product(s.dims);
  b.nhwc = s.layout == Layout::Nhwc && s.dims.size() == 3;
  if (s.uint8) {
    b.scale = s.scale;
    b.zero_point = s.zero_point;
  }
  return s;
}

void Compiler::read(int buffer) {
  lifetimes_[static_cast<size_t>(buffer)].last_step = static_cast<int>(plan_.steps.size());
}

int Compiler::add_step(Step s) {
  if (s.input >= 0) read(s.input);
  if (s.input2 >= 0) read(s.input2);
  plan_.steps.push_back(std::move(s));
  return static_cast<int>(plan_.steps.size()) - 1;
}

const Slot& Compiler::slot(const Node& n, int value_id) const {
  const Slot& s = slots_[static_cast<size_t>(value_id)];
  if (s.buffer < 0) {
    const Value& v = g_.value(value_id);
    fail(n, v.constant ? "constant operand '" + v.name + "' where an activation is expected"
                       : "operand '" + v.name + "' is not available");
  }
  return s;
}

Slot Compiler::as_float(const Node& n, int value_id) {
  const Slot& s = slot(n, value_id);
  if (!s.uint8) return s;
  auto it = float_copies_.find(value_id);
  if (it != float_copies_.end()) return it->second;
  Slot out{new_buffer(g_.value(value_id).name + ":float", product(s.dims), static_cast<int>(plan_.steps.size())),
           s.layout, s.dims};
  add_boundary_step(StepKind::Dequantize, n, s, out, s);
  return float_copies_[value_id] = noted(out);
}

void Compiler::add_boundary_step(StepKind kind, const Node& n, const Slot& in, const Slot& out, const Slot& q) {
  Step st;
  st.kind = kind;
  st.name = n.name;
  st.input = in.buffer;
  st.output = out.buffer;
  st.elements = product(in.dims);
  st.scale = q.scale;
  st.zero_point = q.zero_point;
  add_step(st);
}

Slot Compiler::nhwc(const Node& n, int value_id) {
  const Slot s = as_float(n, value_id);
  if (s.dims.size() != 3) fail(n, "expects a 4-D input");
  if (s.layout == Layout::Nhwc) return s;
  auto it = nhwc_copies_.find(value_id);
  if (it != nhwc_copies_.end()) return it->second;
  Slot out{new_buffer(g_.value(value_id).name + ":nhwc", product(s.dims), static_cast<int>(plan_.steps.size())),
           Layout::Nhwc, s.dims};
  Step st;
  st.kind = StepKind::NchwToNhwc;
  st.name = n.name;
  st.input = s.buffer;
  st.output = out.buffer;
  st.channels = static_cast<int32_t>(s.dims[0]);
  st.height = static_cast<int32_t>(s.dims[1]);
  st.width = static_cast<int32_t>(s.dims[2]);
  add_step(st);
  return nhwc_copies_[value_id] = noted(out);
}

Slot Compiler::plain(int value_id, const std::string& why) {
  if (slots_[static_cast<size_t>(value_id)].buffer < 0)
    throw Error("value '" + g_.value(value_id).name + "' is not computed by the plan");
  Node boundary;   // a dequantization at a graph output is named after the value
  boundary.name = why;
  const Slot s = as_float(boundary, value_id);
  if (s.layout == Layout::Plain) return s;
  if (s.dims[1] * s.dims[2] == 1 || s.dims[0] == 1) return Slot{s.buffer, Layout::Plain, s.dims};  // same bytes
  Slot out{new_buffer(why + ":nchw", product(s.dims), static_cast<int>(plan_.steps.size())), Layout::Plain, s.dims};
  Step st;
  st.kind = StepKind::NhwcToNchw;
  st.name = why;
  st.input = s.buffer;
  st.output = out.buffer;
  st.channels = static_cast<int32_t>(s.dims[0]);
  st.height = static_cast<int32_t>(s.dims[1]);
  st.width = static_cast<int32_t>(s.dims[2]);
  add_step(st);
  return out;
}

const Tensor& Compiler::constant(const Node& n, size_t input, const char* what) const {
  if (!n.has_input(input) || !g_.value(n.inputs[input]).constant)
    fail(n, std::string(what) + " must be a constant");
  const Tensor& t = *g_.value(n.inputs[input]).constant;
  if (t.dtype != DType::Float32) fail(n, std::string(what) + " must be float32");
  return t;
}

Slot Compiler::output_slot(const Node& n, Layout layout, std::vector<int64_t> dims) {
  const int step = static_cast<int>(plan_.steps.size());
  return noted(Slot{new_buffer(g_.value(n.outputs[0]).name, product(dims), step), layout, std::move(dims)});
}

void Compiler::compile_node(const Node& n) {
  if (runs_int8(n)) return compile_int8_node(n);
  switch (n.op) {
    case OpKind::Conv: return compile_conv(n);
    case OpKind::AveragePool:
    case OpKind::MaxPool: return compile_pool(n);
    case OpKind::GlobalAveragePool: return compile_global_average(n);
    case OpKind::Gemm:
    case OpKind::MatMul: return compile_gemm(n);
    case OpKind::Softmax: return compile_softmax(n);
    case OpKind::Add: return compile_add(n);
    case OpKind::Transpose: return compile_transpose(n);
    case OpKind::Reshape:
    case OpKind::Flatten: return compile_reshape(n);
    case OpKind::Identity:
    case OpKind::Dropout: set_output(n, slot(n, n.inputs[0])); return;
    default: fail(n, "operator not supported by the optimised runtime");
  }
}

void Compiler::compile_conv(const Node& n) {
  Slot in = nhwc(n, n.inputs[0]);
  const Tensor& w = constant(n, 1, "weight");
  const Tensor* bias = n.has_input(2) ? &constant(n, 2, "bias") : nullptr;
  if (w.rank() != 4) fail(n, "only 2-D convolutions are supported");
  if (n.attr_int("group", 1) != 1) fail(n, "grouped convolution is not supported yet");
  const std::vector<int64_t> in_spatial{in.dims[1], in.dims[2]};
  WindowParams wp = window_params(g_, n, in_spatial, std::vector<int64_t>{w.dims[2], w.dims[3]});
  std::vector<int64_t> out_spatial = wp.output_spatial(in_spatial);
  kernels::ConvNhwcParams p;
  set_window(p, wp, in, out_spatial);
  p.in_c = static_cast<int32_t>(in.dims[0]);
  p.out_c = static_cast<int32_t>(w.dims[0]);
  if (w.dims[1] != p.in_c) fail(n, "weight channels do not match the input");
  const std::string act = n.attr_string("octet_activation", "");
  if (act == "Relu") {
    p.activation = kernels::Activation::Relu;
  } else if (act == "Clip") {
    p.activation = kernels::Activation::Clip;
    p.clip_min = n.attr_float("octet_clip_min", -3.4e38f);
    p.clip_max = n.attr_float("octet_clip_max", 3.4e38f);
  } else if (!act.empty()) {
    fail(n, "unknown fused activation '" + act + "'");
  }
  Step st;
  st.kind = StepKind::Conv;
  st.name = n.name;
  st.input = in.buffer;
  if (n.has_input(3)) {
    Slot r = nhwc(n, n.inputs[3]);
    st.input2 = r.buffer;
  }
  st.conv_params = p;
  st.conv = select_conv_kernel(p, isa_, w.data<float>(), bias ? bias->data<float>() : nullptr, opts_.autotune,
                               opts_.conv_family);
  if (st.conv == nullptr) fail(n, "no convolution kernel supports this layer");
  st.weights_offset = append_weights(st.conv->packed_floats(p));
  st.conv->pack(p, w.data<float>(), bias ? bias->data<float>() : nullptr, weights_.data() + st.weights_offset);
  plan_.workspace_floats = std::max(plan_.workspace_floats, st.conv->workspace_floats(p));
  st.macs = int64_t{p.out_h} * p.out_w * p.out_c * p.in_c * p.kernel_h * p.kernel_w;
  Slot out = output_slot(n, Layout::Nhwc, {p.out_c, p.out_h, p.out_w});
  st.output = out.buffer;
  add_step(st);
  set_output(n, out);
}

size_t Compiler::append_weights(size_t floats) {
  size_t offset = (weights_.size() + 15) / 16 * 16;   // keep each layer 64-byte aligned
  weights_.resize(offset + floats);
  return offset;
}

void Compiler::compile_pool(const Node& n) {
  Slot in = nhwc(n, n.inputs[0]);
  if (n.outputs.size() > 1) fail(n, "MaxPool indices are not supported");
  const std::vector<int64_t> in_spatial{in.dims[1], in.dims[2]};
  WindowParams wp = window_params(g_, n, in_spatial);
  std::vector<int64_t> out_spatial = wp.output_spatial(in_spatial);
  kernels::PoolNhwcParams p;
  set_window(p, wp, in, out_spatial);
  p.channels = static_cast<int32_t>(in.dims[0]);
  p.pad_bottom = static_cast<int32_t>(wp.pads_end[0]);
  p.pad_right = static_cast<int32_t>(wp.pads_end[1]);
  p.count_include_pad = wp.count_include_pad;
  if (n.op == OpKind::AveragePool && (p.dilation_h != 1 || p.dilation_w != 1))
    fail(n, "dilated average pooling is not supported");
  Step st;
  st.kind = n.op == OpKind::AveragePool ? StepKind::AveragePool : StepKind::MaxPool;
  st.name = n.name;
  st.input = in.buffer;
  st.pool = p;
  Slot out = output_slot(n, Layout::Nhwc, {p.channels, p.out_h, p.out_w});
  st.output = out.buffer;
  add_step(st);
  set_output(n, out);
}

void Compiler::compile_global_average(const Node& n) {
  Slot in = nhwc(n, n.inputs[0]);
  Step st;
  st.kind = StepKind::GlobalAverage;
  st.name = n.name;
  st.input = in.buffer;
  st.channels = static_cast<int32_t>(in.dims[0]);
  st.height = static_cast<int32_t>(in.dims[1]);
  st.width = static_cast<int32_t>(in.dims[2]);
  Slot out = output_slot(n, Layout::Nhwc, {in.dims[0], 1, 1});
  st.output = out.buffer;
  add_step(st);
  set_output(n, out);
}

void Compiler::compile_gemm(const Node& n) {
  Slot a = plain(n.inputs[0], g_.value(n.inputs[0]).name);
  if (a.dims.size() != 1) fail(n, "expects a 2-D [batch, features] input");
  const Tensor& b = constant(n, 1, "B");
  if (b.rank() != 2) fail(n, "B must be 2-D");
  bool trans_b = false;
  float alpha = 1.f, beta = 1.f;
  if (n.op == OpKind::Gemm) {
    if (n.attr_int("transA", 0) != 0) fail(n, "transA is not supported");
    trans_b = n.attr_int("transB", 0) != 0;
    alpha = n.attr_float("alpha", 1.f);
    beta = n.attr_float("beta", 1.f);
  }
  const int64_t k = trans_b ? b.dims[1] : b.dims[0];
  const int64_t cols = trans_b ? b.dims[0] : b.dims[1];
  if (k != a.dims[0]) fail(n, "inner dimensions do not match");
  std::vector<float> scaled(b.values<float>().begin(), b.values<float>().end());
  if (const auto& q = g_.value(n.inputs[1]).quant) {
    // Quantized weights of a Gemm whose output stays float (the classifier head before a
    // float Softmax): the stored codes, dequantized, so the plan computes what the model says.
    const double lo = q->dtype == DType::Uint8 ? 0 : -128, hi = q->dtype == DType::Uint8 ? 255 : 127;
    for (float& x : scaled)
      x = float(std::clamp(std::nearbyint(double(x / q->scale)) + q->zero_point, lo, hi) - q->zero_point) * q->scale;
  }
  for (float& x : scaled) x *= alpha;
  std::vector<float> bias(static_cast<size_t>(cols), 0.f);
  if (n.op == OpKind::Gemm && n.has_input(2)) {
    const Tensor& c = constant(n, 2, "C");
    if (c.numel() == 1) {
      std::fill(bias.begin(), bias.end(), c.data<float>()[0] * beta);
    } else if (c.numel() == cols && (c.rank() == 1 || c.dims[0] == 1)) {
      for (int64_t j = 0; j < cols; ++j) bias[static_cast<size_t>(j)] = c.data<float>()[j] * beta;
    } else {
      fail(n, "C must broadcast along the batch (shape [N] or [1,N])");
    }
  }
  Step st;
  st.kind = StepKind::Gemm;
  st.name = n.name;
  st.input = a.buffer;
  st.gemm = gemm_;
  st.rows = 1;
  st.k = static_cast<int32_t>(k);
  st.n = static_cast<int32_t>(cols);
  st.weights_offset = append_weights(gemm_->packed_floats(st.k, st.n));
  gemm_->pack(st.k, st.n, scaled.data(), trans_b, bias.data(), weights_.data() + st.weights_offset);
  st.macs = k * cols;
  Slot out = output_slot(n, Layout::Plain, {cols});
  st.output = out.buffer;
  add_step(st);
  set_output(n, out);
}

void Compiler::compile_softmax(const Node& n) {
  Slot in = plain(n.inputs[0], g_.value(n.inputs[0]).name);
  const int64_t rank = static_cast<int64_t>(in.dims.size()) + 1;
  int64_t axis = n.attr_int("axis", g_.opset >= 13 ? -1 : 1);
  if (axis < 0) axis += rank;
  if (axis != rank - 1) fail(n, "softmax is supported along the last axis only");
  // The batch axis is the caller's: a softmax across it, or over an empty axis, is not a row op.
  if (in.dims.empty() || in.dims.back() <= 0) fail(n, "softmax needs a non-empty axis other than the batch");
  Step st;
  st.kind = StepKind::Softmax;
  st.name = n.name;
  st.input = in.buffer;
  st.n = static_cast<int32_t>(in.dims.back());
  st.rows = static_cast<int32_t>(product(in.dims) / in.dims.back());
  Slot out = output_slot(n, Layout::Plain, in.dims);
  st.output = out.buffer;
  add_step(st);
  set_output(n, out);
}

void Compiler::compile_add(const Node& n) {
  const Slot a = as_float(n, n.inputs[0]);
  const Slot b = as_float(n, n.inputs[1]);
  if (a.dims != b.dims || a.layout != b.layout) fail(n, "only same-shape additions are supported");
  Step st;
  st.kind = StepKind::Add;
  st.name = n.name;
  st.input = a.buffer;
  st.input2 = b.buffer;
  st.elements = product(a.dims);
  Slot out = output_slot(n, a.layout, a.dims);
  st.output = out.buffer;
  add_step(st);
  set_output(n, out);
}

void Compiler::compile_transpose(const Node& n) {
  const Slot& in = slot(n, n.inputs[0]);
  std::vector<int64_t> perm = n.attr_ints("perm", {});
  // NHWC graph input to NCHW (tf2onnx's first node) is free: NHWC is the internal layout.
  // Views keep the storage (float or uint8) and its quantization.
  Slot view = in;
  if (in.layout == Layout::Plain && in.dims.size() == 3 && perm == std::vector<int64_t>{0, 3, 1, 2}) {
    view.layout = Layout::Nhwc;
    view.dims = {in.dims[2], in.dims[0], in.dims[1]};
    return set_output(n, view);
  }
  if (in.layout == Layout::Nhwc && perm == std::vector<int64_t>{0, 2, 3, 1}) {
    view.layout = Layout::Plain;
    view.dims = {in.dims[1], in.dims[2], in.dims[0]};
    return set_output(n, view);
  }
  fail(n, "only the NHWC<->NCHW transposes are supported");
}

void Compiler::compile_reshape(const Node& n) {
  std::vector<int64_t> dims = per_image_dims(g_.value(n.outputs[0]), "output");
  Slot in = slot(n, n.inputs[0]);
  // A uint8 value already in row-major order (or whose layouts coincide) stays uint8.
  const bool same_order = in.layout == Layout::Plain || in.dims.size() != 3 || in.dims[1] * in.dims[2] == 1 ||
                          in.dims[0] == 1;
  if (!in.uint8 || !same_order) in = plain(n.inputs[0], g_.value(n.inputs[0]).name);
  if (product(dims) != product(in.dims)) fail(n, "must keep the batch as its first dimension");
  in.layout = Layout::Plain;
  in.dims = dims;
  set_output(n, in);   // a view: same bytes
}

}  // namespace detail

Plan compile_plan(const Graph& graph, const CompileOptions& options) { return detail::Compiler(graph, options).run(); }

}  // namespace octet
