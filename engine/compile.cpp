// The compiler's core (engine/compiler.h): kernel choice, the plan's buffers and their
// lifetimes, value slots and the layout changes between them, and the per-node dispatch.
#include "engine/compile.h"

#include <algorithm>

#include "engine/compiler.h"
#include "engine/fold_copies.h"
#include "engine/fuse_conv_chain.h"
#include "engine/fuse_conv_pool.h"
#include "engine/qconv_into_concat.h"
#include "engine/resource_estimate.h"
#include "kernels/registry.h"

namespace octet {

namespace detail {

namespace {

// Constants beyond this many bytes do not stay in the caches between runs (a 1 MB L2 per
// core and a share of L3): ResNet18 (47 MB) and ResNet50 (100 MB) read each layer's weights
// from memory in every run, MobileNetV2 (14 MB) and SqueezeNet (5 MB) mostly do not.
constexpr size_t kCachedConstantBytes = size_t{16} << 20;

size_t constant_bytes(const Graph& g) {
  size_t total = 0;
  for (const Value& v : g.values)
    if (v.constant) total += v.constant->bytes.size();
  return total;
}

}  // namespace

Compiler::Compiler(const Graph& g, const CompileOptions& o)
    : g_(g), opts_(o), weights_from_memory_(constant_bytes(g) > kCachedConstantBytes) {
  choose_f32_kernels();
  choose_int8_kernels();
}

// One ISA for all FP32 kernels: the widest up to the cap with a GEMM this CPU runs; the vector
// kernels and the conv candidates (engine/conv_select.cpp) are that ISA's.
void Compiler::choose_f32_kernels() {
  using kernels::KernelFamily;
  const kernels::KernelIsa cap = opts_.f32_isa.value_or(kernels::kWidestIsa);
  const kernels::KernelVariant* gemm = kernels::widest_variant(KernelFamily::GemmF32, cap);
  if (gemm == nullptr)
    throw Error(std::string("no FP32 kernels this CPU runs at ISA ") + kernels::isa_name(cap) + " or narrower");
  isa_ = gemm->isa;
  gemm_ = gemm->gemm;
  const kernels::KernelVariant* vec = kernels::widest_variant(KernelFamily::VectorF32, isa_);
  if (vec == nullptr || vec->isa != isa_)
    throw Error(std::string("the kernel table has no f32_vector variant for ") + kernels::isa_name(isa_));
  vec_ = vec->vector;
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
  if (opts_.conv_chains != FusionRule::Off) fuse_conv_chains(plan_, lifetimes_, opts_.conv_chains == FusionRule::All);
  if (opts_.conv_pool != FusionRule::Off) fuse_conv_pools(plan_, lifetimes_, opts_.conv_pool == FusionRule::All);
  if (opts_.fold_copies) {
    fold_copies(plan_, lifetimes_);
    qconv_into_concat(plan_, lifetimes_);
  }
  MemoryPlan mp = plan_memory(lifetimes_, kPlanAlignment);   // in bytes
  for (size_t b = 0; b < plan_.buffers.size(); ++b) plan_.buffers[b].offset = mp.offsets[b];
  plan_.arena_bytes_per_image = mp.arena_size;
  plan_.weights = AlignedBytes(weights_.size());
  std::copy(weights_.begin(), weights_.end(), plan_.weights.data());
  plan_.vector = vec_;
  if (plan_.has_int8_steps()) plan_.qvector = qvec_;
  plan_.isa = kernels::isa_name(isa_);
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
  const int id = add_buffer(name, bytes, 1, first_step);
  plan_.buffers[static_cast<size_t>(id)].uint8 = true;
  return id;
}

int Compiler::new_buffer(const std::string& name, int64_t floats, int first_step) {
  return add_buffer(name, floats, sizeof(float), first_step);
}

int Compiler::add_buffer(const std::string& name, int64_t elements, size_t element_bytes, int first_step) {
  // Every activation is sized here. An empty one (a 0 dim) has no rows for the kernels to
  // work on and no bytes to point at, so it is refused rather than planned.
  if (elements <= 0) throw Error("value '" + name + "' is empty (a dimension is 0); the optimised runtime needs non-empty tensors");
  const size_t bytes = static_cast<size_t>(elements) * element_bytes;
  Buffer b;
  b.value_name = name;
  b.bytes_per_image = bytes;
  plan_.buffers.push_back(std::move(b));
  lifetimes_.push_back(BufferLifetime{bytes, first_step, first_step});
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

bool Compiler::read_through_qdq(int value_id) const {
  const Slot& s = slots_[static_cast<size_t>(value_id)];
  return s.buffer >= 0 && !s.uint8 && is_activation_params(g_.value(value_id).quant);
}

Slot Compiler::as_float(const Node& n, int value_id) {
  const Slot& s = slot(n, value_id);
  if (!s.uint8 && !read_through_qdq(value_id)) return s;
  auto it = float_copies_.find(value_id);
  if (it != float_copies_.end()) return it->second;
  // A float value that a QuantizeLinear -> DequantizeLinear pair annotates (quant/qdq_import.h,
  // step 3) and that no int8 operator wrote: its float readers see what the pair computes, the
  // value quantized and dequantized, never the value itself (the pair is never dropped).
  const Slot q = s.uint8 ? s : as_uint8(n, value_id, s.layout == Layout::Nhwc);
  Slot out{new_buffer(g_.value(value_id).name + ":float", product(q.dims), static_cast<int>(plan_.steps.size())),
           q.layout, q.dims};
  add_boundary_step(false, n, q, out, q);
  return float_copies_[value_id] = noted(out);
}

Slot Compiler::read_value(const Node& n, int value_id) {
  const Slot& s = slot(n, value_id);
  if (!read_through_qdq(value_id)) return s;
  // The view shares the codes (one Quantize step, which an int8 reader of the view then reads
  // directly) unless its own output carries other parameters: then it shares the dequantized
  // values, which that reader quantizes again with its own.
  const std::optional<QuantParams>& out = g_.value(n.outputs.at(0)).quant;
  if (!out || *out == *g_.value(value_id).quant) return as_uint8(n, value_id, s.layout == Layout::Nhwc);
  return as_float(n, value_id);
}

void Compiler::add_boundary_step(bool quantize, const Node& n, const Slot& in, const Slot& out, const Slot& q) {
  auto fill = [&](auto p) {
    p.elements = product(in.dims);
    p.scale = q.scale;
    p.zero_point = q.zero_point;
    add_step(Step::of(n.name, p, in.buffer, -1, out.buffer));
  };
  if (quantize) fill(QuantizeStep{});
  else fill(DequantizeStep{});
}

Slot Compiler::nhwc(const Node& n, int value_id) { return to_nhwc(n, value_id, as_float(n, value_id), nhwc_copies_); }

Slot Compiler::to_nhwc(const Node& n, int value_id, const Slot& s, std::map<int, Slot>& copies) {
  if (s.dims.size() != 3) fail(n, "expects a 4-D input");
  if (s.layout == Layout::Nhwc) return s;
  auto it = copies.find(value_id);
  if (it != copies.end()) return it->second;
  Slot out{new_buffer(g_.value(value_id).name + ":nhwc", product(s.dims), static_cast<int>(plan_.steps.size())),
           Layout::Nhwc, s.dims};
  NchwToNhwcStep p;
  p.image = image_dims(s);
  add_step(Step::of(n.name, p, s.buffer, -1, out.buffer));
  return copies[value_id] = noted(out);
}

Slot Compiler::plain(int value_id, const std::string& why) {
  if (slots_[static_cast<size_t>(value_id)].buffer < 0)
    throw Error("value '" + g_.value(value_id).name + "' is not computed by the plan");
  Node boundary;   // a dequantization at a graph output is named after the value
  boundary.name = why;
  const Slot s = as_float(boundary, value_id);
  if (s.layout == Layout::Plain) return s;
  // NHWC storage of [C,H,W], or of [c1,c2,...,H,W] whose channels are split (NhwcSplit).
  const Slot image = s.layout == Layout::Nhwc ? s : Slot{s.buffer, Layout::Nhwc, merged_channels(s.dims)};
  if (image.dims[1] * image.dims[2] == 1 || image.dims[0] == 1) return Slot{s.buffer, Layout::Plain, s.dims};  // same bytes
  Slot out{new_buffer(why + ":nchw", product(s.dims), static_cast<int>(plan_.steps.size())), Layout::Plain, s.dims};
  NhwcToNchwStep p;
  p.image = image_dims(image);
  add_step(Step::of(why, p, s.buffer, -1, out.buffer));
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

void Compiler::add_output_step(const Node& n, Step st, Layout layout, std::vector<int64_t> dims) {
  Slot out = output_slot(n, layout, std::move(dims));
  st.output = out.buffer;
  add_step(std::move(st));
  set_output(n, out);
}

// The inputs every step builder reads without checking (a malformed graph may have fewer).
static size_t required_inputs(OpKind op) {
  switch (op) {
    case OpKind::Conv:
    case OpKind::Gemm:
    case OpKind::MatMul:
    case OpKind::Add:
    case OpKind::Sub:
    case OpKind::Mul:
    case OpKind::Div: return 2;
    case OpKind::BatchNormalization: return 5;
    default: return 1;
  }
}

void Compiler::compile_node(const Node& n) {
  const size_t need = required_inputs(n.op);
  for (size_t i = 0; i < need; ++i)
    if (!n.has_input(i))
      fail(n, "needs " + std::to_string(need) + " inputs, input " + std::to_string(i) + " is missing");
  if (runs_int8(n)) return compile_int8_node(n);
  switch (n.op) {
    case OpKind::Conv: return compile_conv(n);
    case OpKind::AveragePool:
    case OpKind::MaxPool: return compile_pool(n);
    case OpKind::GlobalAveragePool: return compile_global_pool(n, true, false);
    case OpKind::GlobalMaxPool: return compile_global_pool(n, true, true);
    case OpKind::Gemm:
    case OpKind::MatMul: return compile_gemm(n);
    case OpKind::Softmax: return compile_softmax(n);
    case OpKind::Relu:
    case OpKind::Clip:
    case OpKind::Sigmoid:
    case OpKind::HardSigmoid:
    case OpKind::HardSwish:
    case OpKind::Tanh:
    case OpKind::LeakyRelu: return compile_activation(n);
    case OpKind::Add: return compile_add(n);
    case OpKind::Sub:
    case OpKind::Mul:
    case OpKind::Div: return compile_binary(n);
    case OpKind::BatchNormalization: return compile_batchnorm(n);
    case OpKind::Concat: return compile_concat(n);
    case OpKind::Transpose: return compile_transpose(n);
    case OpKind::Reshape:
    case OpKind::Flatten:
    case OpKind::Squeeze:
    case OpKind::Unsqueeze: return compile_reshape(n);
    case OpKind::Slice: return compile_slice(n);
    case OpKind::ReduceMean:
    case OpKind::ReduceMax: return compile_reduce(n);
    case OpKind::Identity:
    case OpKind::Dropout: set_output(n, read_value(n, n.inputs[0])); return;
    default: return compile_reference_node(n);
  }
}

size_t Compiler::append_weights(size_t bytes) {
  const size_t offset = align_up(weights_.size());   // each layer kPlanAlignment-aligned in the plan
  weights_.resize(offset + bytes);
  return offset;
}

}  // namespace detail

Plan compile_plan(const Graph& graph, const CompileOptions& options) {
  const ValueDims per_image = bind_value_dims(graph, {});
  check_graph_cost(graph, per_image, 1, options.limits);
  check_graph_memory(graph, per_image, options.limits);
  return detail::Compiler(graph, options).run();
}

}  // namespace octet
