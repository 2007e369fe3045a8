// The FP32 operators of the compiler (engine/compiler.h): Conv (with its fused epilogue),
// the pools, Gemm / MatMul, Softmax and Add as steps on the float kernels (kernels/f32/).
#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "engine/compiler.h"
#include "engine/conv_select.h"
#include "graph/reduce_axes.h"

namespace octet::detail {

// The most channels of a planar (NCHW) conv input that the conv reads directly
// (ConvPlanarF32Step) rather than through an nchw_to_nhwc step: images (RGB, grey). The
// step interleaves pixel by pixel, which for many channels the blocked transposition of
// steps/layout_change.cpp does better.
constexpr int64_t kMaxPlanarConvChannels = 4;

void Compiler::compile_conv(const Node& n) {
  // A planar graph input that no step has converted yet, read by an ungrouped conv without a
  // residual (a stem): the conv reads the planes itself (one pass over the image instead of
  // three). Not a 1x1 conv: that stays an f32_conv, which a conv chain can take as its expand
  // (engine/fuse_conv_chain.h).
  const Slot raw = as_float(n, n.inputs[0]);
  // A float conv of a QDQ file (one no int8 kernel takes) uses its weights as the pairs give them.
  const Tensor& w = float_constant(n, 1, "weight");
  const bool pointwise = w.rank() == 4 && w.dims[2] == 1 && w.dims[3] == 1;
  const bool planar = raw.layout == Layout::Plain && raw.dims.size() == 3 && raw.dims[0] <= kMaxPlanarConvChannels &&
                      n.attr_int("group", 1) == 1 && !n.epilogue.residual && !pointwise &&
                      !nhwc_copies_.contains(n.inputs[0]);
  Slot in = planar ? raw : nhwc(n, n.inputs[0]);
  const Tensor* bias = n.has_input(2) ? &float_constant(n, 2, "bias") : nullptr;
  int32_t groups = 1;
  kernels::ConvNhwcParams p = conv_shape(n, in, w, &groups);
  check_epilogue(g_, n);
  switch (n.epilogue.activation) {
    case Epilogue::Activation::None: break;
    case Epilogue::Activation::Relu: p.activation = kernels::Activation::Relu; break;
    case Epilogue::Activation::Clip:
      p.activation = kernels::Activation::Clip;
      p.clip_min = n.epilogue.min;
      p.clip_max = n.epilogue.max;
      break;
    case Epilogue::Activation::Sigmoid: p.activation = kernels::Activation::Sigmoid; break;
    case Epilogue::Activation::HardSigmoid:
      p.activation = kernels::Activation::HardSigmoid;
      p.alpha = n.epilogue.alpha;
      p.beta = n.epilogue.beta;
      break;
    case Epilogue::Activation::HardSwish: p.activation = kernels::Activation::HardSwish; break;
    case Epilogue::Activation::SiLU: p.activation = kernels::Activation::SiLU; break;
  }
  const int residual = n.epilogue.residual ? nhwc(n, n.inputs[3]).buffer : -1;
  if (groups > 1) return compile_grouped_conv(n, p, groups, in.buffer, residual, w, bias);
  if (planar) return compile_planar_conv(n, p, in.buffer, w, bias);
  ConvF32Step cs;
  cs.shape = p;
  cs.kernel = select_conv_kernel(p, isa_, w.data<float>(), bias ? bias->data<float>() : nullptr, opts_.autotune,
                                 opts_.conv_family, weights_from_memory_);
  if (cs.kernel == nullptr) fail(n, "no convolution kernel supports this layer");
  cs.weights_offset = append_weights(cs.kernel->packed_floats(p) * sizeof(float));
  cs.kernel->pack(p, w.data<float>(), bias ? bias->data<float>() : nullptr, weights_at<float>(cs.weights_offset));
  plan_.workspace_bytes = std::max(plan_.workspace_bytes, cs.kernel->workspace_floats(p) * sizeof(float));
  Step st = Step::of(n.name, cs, in.buffer, residual);
  st.macs = int64_t{p.out_h} * p.out_w * p.out_c * p.in_c * p.kernel_h * p.kernel_w;
  add_output_step(n, std::move(st), Layout::Nhwc, {p.out_c, p.out_h, p.out_w});
}

void Compiler::compile_planar_conv(const Node& n, const kernels::ConvNhwcParams& p, int input, const Tensor& w,
                                   const Tensor* bias) {
  ConvPlanarF32Step cs;
  cs.shape = p;
  cs.band_rows = conv_planar_band_rows(p);
  const kernels::ConvNhwcParams band = cs.band_shape(cs.band_rows);
  // Chosen and packed for the band image (any band size runs on the same packed weights:
  // they depend on the channels and the kernel window only).
  cs.kernel = select_conv_kernel(band, isa_, w.data<float>(), bias ? bias->data<float>() : nullptr, opts_.autotune,
                                 opts_.conv_family, weights_from_memory_);
  if (cs.kernel == nullptr || !cs.kernel->supports(cs.band_shape(1))) fail(n, "no convolution kernel supports this layer");
  cs.weights_offset = append_weights(cs.kernel->packed_floats(band) * sizeof(float));
  cs.kernel->pack(band, w.data<float>(), bias ? bias->data<float>() : nullptr, weights_at<float>(cs.weights_offset));
  plan_.workspace_bytes = std::max(plan_.workspace_bytes, cs.workspace_bytes());
  Step st = Step::of(n.name, cs, input);
  st.macs = int64_t{p.out_h} * p.out_w * p.out_c * p.in_c * p.kernel_h * p.kernel_w;
  add_output_step(n, std::move(st), Layout::Nhwc, {p.out_c, p.out_h, p.out_w});
}

void Compiler::compile_pool(const Node& n) {
  Slot in = nhwc(n, n.inputs[0]);
  if (n.outputs.size() > 1) fail(n, "MaxPool indices are not supported");
  const kernels::PoolNhwcParams p = pool_shape(n, in);
  auto pool_step = [&](auto params) {
    params.pool = p;
    return Step::of(n.name, params, in.buffer);
  };
  add_output_step(n, n.op == OpKind::AveragePool ? pool_step(AveragePoolF32Step{}) : pool_step(MaxPoolF32Step{}),
                  Layout::Nhwc, {p.channels, p.out_h, p.out_w});
}

void Compiler::compile_global_pool(const Node& n, bool keepdims, bool max) {
  Slot in = nhwc(n, n.inputs[0]);
  // [C,1,1] channels-last and [C] row-major are the same bytes.
  Slot out = keepdims ? output_slot(n, Layout::Nhwc, {in.dims[0], 1, 1}) : output_slot(n, Layout::Plain, {in.dims[0]});
  auto add = [&](auto p) {
    p.image = image_dims(in);
    add_step(Step::of(n.name, p, in.buffer, -1, out.buffer));
  };
  if (max) add(GlobalMaxF32Step{});
  else add(GlobalAverageF32Step{});
  set_output(n, out);
}

void Compiler::compile_reduce(const Node& n) {
  const Value& x = g_.value(n.inputs[0]);
  const bool axes_given = g_.opset >= 18 && n.has_input(1);
  const Tensor* axes = axes_given && g_.value(n.inputs[1]).constant ? &*g_.value(n.inputs[1]).constant : nullptr;
  const std::optional<ReduceAxes> r =
      x.shape.has_rank ? reduce_axes(g_, n, static_cast<int64_t>(x.shape.dims.size()), axes, !axes_given || axes)
                       : std::nullopt;
  // The mean or max over H and W of an [N,C,H,W] value is a global pool (ONNX axes {2,3}).
  if (!r || r->identity || r->reduced != std::vector<bool>{false, false, true, true}) return compile_reference_node(n);
  compile_global_pool(n, r->keepdims, n.op == OpKind::ReduceMax);
}

void Compiler::compile_gemm(const Node& n) {
  Slot a = plain(n.inputs[0], g_.value(n.inputs[0]).name);
  if (a.dims.size() != 1) fail(n, "expects a 2-D [batch, features] input");
  const Tensor& b = float_constant(n, 1, "B");
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
  // Quantized weights of a Gemm whose output stays float (the classifier head before a float
  // Softmax): the stored codes, dequantized, so the plan computes what the model says.
  std::vector<float> scaled(b.values<float>().begin(), b.values<float>().end());
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
  check_epilogue(g_, n);
  GemmF32Step gs;
  gs.kernel = gemm_;
  if (n.epilogue.activation == Epilogue::Activation::Relu) gs.activation = kernels::Activation::Relu;
  gs.rows = 1;
  gs.k = static_cast<int32_t>(k);
  gs.n = static_cast<int32_t>(cols);
  gs.weights_offset = append_weights(gemm_->packed_floats(gs.k, gs.n) * sizeof(float));
  gemm_->pack(gs.k, gs.n, scaled.data(), trans_b, bias.data(), weights_at<float>(gs.weights_offset));
  Step st = Step::of(n.name, gs, a.buffer);
  st.macs = k * cols;
  add_output_step(n, std::move(st), Layout::Plain, {cols});
}

void Compiler::compile_softmax(const Node& n) {
  Slot in = plain(n.inputs[0], g_.value(n.inputs[0]).name);
  const int64_t rank = static_cast<int64_t>(in.dims.size()) + 1;
  int64_t axis = n.attr_int("axis", g_.opset >= 13 ? -1 : 1);
  if (axis < 0) axis += rank;
  // Another axis runs on the reference kernel (a reference_node step, named in the plan).
  if (axis != rank - 1) return compile_reference_node(n);
  // The batch axis is the caller's: a softmax across it, or over an empty axis, is not a row op.
  if (in.dims.empty() || in.dims.back() <= 0) fail(n, "softmax needs a non-empty axis other than the batch");
  SoftmaxStep p;
  p.cols = static_cast<int32_t>(in.dims.back());
  p.rows = static_cast<int32_t>(product(in.dims) / in.dims.back());
  add_output_step(n, Step::of(n.name, p, in.buffer), Layout::Plain, in.dims);
}

// Two activations of one shape and layout (a residual Add the optimiser could not fuse) on
// the add kernel; anything that broadcasts or adds a constant on the broadcast step.
void Compiler::compile_add(const Node& n) {
  if (g_.value(n.inputs[0]).constant || g_.value(n.inputs[1]).constant) return compile_binary(n);
  const Slot a = as_float(n, n.inputs[0]);
  const Slot b = as_float(n, n.inputs[1]);
  if (a.dims != b.dims || a.layout != b.layout) return compile_binary(n);
  AddF32Step p;
  p.elements = product(a.dims);
  add_output_step(n, Step::of(n.name, p, a.buffer, b.buffer), a.layout, a.dims);
}

// A standalone element-wise activation (one the optimiser could not fuse into a conv or a
// Gemm) on the vector kernel. Clip's bounds are constants: attributes before opset 11, scalar
// inputs from 11 on (an omitted one unbounded). HardSigmoid's and LeakyRelu's constants are
// attributes with ONNX's defaults.
void Compiler::compile_activation(const Node& n) {
  using kernels::Activation;
  const Slot in = as_float(n, n.inputs[0]);
  ActivationF32Step p;
  p.elements = product(in.dims);
  kernels::ActivationF32Params& a = p.activation;
  switch (n.op) {
    case OpKind::Relu: a.act = Activation::Relu; break;
    case OpKind::Clip: {
      a.act = Activation::Clip;
      if (g_.opset >= 11) {
        auto bound = [&](size_t i, float unbounded) {
          if (!n.has_input(i)) return unbounded;
          const Tensor& t = constant(n, i, i == 1 ? "min" : "max");
          if (t.numel() != 1) fail(n, "Clip bounds must be scalars");
          return t.data<float>()[0];
        };
        a.lo = bound(1, -std::numeric_limits<float>::infinity());
        a.hi = bound(2, std::numeric_limits<float>::infinity());
      } else {
        a.lo = n.attr_float("min", std::numeric_limits<float>::lowest());
        a.hi = n.attr_float("max", std::numeric_limits<float>::max());
      }
      if (std::isnan(a.lo) || std::isnan(a.hi) || a.lo > a.hi) fail(n, "Clip bounds must be ordered numbers");
      break;
    }
    case OpKind::Sigmoid: a.act = Activation::Sigmoid; break;
    case OpKind::HardSigmoid:
      a.act = Activation::HardSigmoid;
      a.alpha = n.attr_float("alpha", 0.2f);
      a.beta = n.attr_float("beta", 0.5f);
      break;
    case OpKind::HardSwish: a.act = Activation::HardSwish; break;
    case OpKind::Tanh: a.act = Activation::Tanh; break;
    case OpKind::LeakyRelu:
      a.act = Activation::LeakyRelu;
      a.alpha = n.attr_float("alpha", 0.01f);
      break;
    default: fail(n, "not an element-wise activation");
  }
  if (!(std::isfinite(a.alpha) && std::isfinite(a.beta))) fail(n, "alpha and beta must be finite");
  add_output_step(n, Step::of(n.name, p, in.buffer), in.layout, in.dims);
}

}  // namespace octet::detail
