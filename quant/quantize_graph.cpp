#include "quant/quantize_graph.h"

#include <algorithm>
#include <cmath>

#include "engine/int8_coverage.h"
#include "graph/passes/optimize.h"
#include "graph/op_attrs.h"
#include "graph/passes/passes.h"

namespace octet::quant {

namespace {

bool is_activation(const Graph& g, int id) {
  return id != kNoValue && !g.value(id).constant && g.value(id).dtype == DType::Float32;
}

// Whether any reader of the value is an op that is quantized or passes quantization through.
bool feeds_quantized(const Graph& g, int value) {
  for (const Node& n : g.nodes)
    for (int in : n.inputs)
      if (in == value && (has_int8_kernel(g, n) || int8_pass_through_op(n.op))) return true;
  return false;
}

float tensor_min(const Tensor& t) {
  float m = 0.f;
  for (float x : t.values<float>()) m = std::min(m, x);
  return m;
}
float tensor_max(const Tensor& t) {
  float m = 0.f;
  for (float x : t.values<float>()) m = std::max(m, x);
  return m;
}

// Bias correction: rounding the weights shifts each output channel's mean by
//   E[conv(x, W_q - W)] = sum over taps of (W_q - W) * (mean input seen by that tap),
// averaged over output positions (padding reads 0), with the calibration images' mean input.
// Subtracting it from the bias removes that systematic error (Nagel et al. 2019, "Data-Free
// Quantization", section 4.2, here with the empirical mean).
std::vector<double> weight_rounding_shift(const Graph& g, const Node& n, const std::vector<double>& in_mean) {
  const Value& wv = g.value(n.inputs[1]);
  const Tensor& w = *wv.constant;
  std::vector<float> dw(w.values<float>().begin(), w.values<float>().end());
  for (size_t i = 0; i < dw.size(); ++i) {
    const QuantParams p = element_params(*wv.quant, w.dims, int64_t(i));
    dw[i] = dequantize_value(quantize_value(dw[i], p), p) - dw[i];
  }
  if (n.op == OpKind::Gemm) {
    const bool tb = n.attr_int("transB", 0) != 0;
    const int64_t k = tb ? w.dims[1] : w.dims[0], cols = tb ? w.dims[0] : w.dims[1];
    std::vector<double> shift(static_cast<size_t>(cols), 0.0);
    if (static_cast<int64_t>(in_mean.size()) != k) return {};
    for (int64_t j = 0; j < cols; ++j)
      for (int64_t i = 0; i < k; ++i)
        shift[static_cast<size_t>(j)] += dw[static_cast<size_t>(tb ? j * k + i : i * cols + j)] * in_mean[static_cast<size_t>(i)];
    return shift;
  }
  const Shape& xs = g.value(n.inputs[0]).shape;
  if (w.rank() != 4 || !xs.has_rank || xs.dims.size() != 4 || n.attr_int("group", 1) != 1) return {};
  for (size_t d = 1; d < 4; ++d)
    if (!xs.dims[d].is_known()) return {};
  const int64_t oc = w.dims[0], ic = w.dims[1], kh = w.dims[2], kw = w.dims[3];
  const int64_t ih = xs.dims[2].value, iw = xs.dims[3].value;
  if (static_cast<int64_t>(in_mean.size()) != ic * ih * iw) return {};
  const std::vector<int64_t> in_spatial{ih, iw};
  const WindowParams wp = window_params(g, n, in_spatial, std::vector<int64_t>{kh, kw});
  const std::vector<int64_t> out = wp.output_spatial(in_spatial);
  // Mean input under each tap (c, ky, kx), averaged over output positions.
  std::vector<double> tap_mean(static_cast<size_t>(ic * kh * kw), 0.0);
  for (int64_t c = 0; c < ic; ++c)
    for (int64_t ky = 0; ky < kh; ++ky)
      for (int64_t kx = 0; kx < kw; ++kx) {
        double sum = 0;
        for (int64_t oy = 0; oy < out[0]; ++oy)
          for (int64_t ox = 0; ox < out[1]; ++ox) {
            const int64_t y = oy * wp.strides[0] - wp.pads_begin[0] + ky * wp.dilations[0];
            const int64_t x = ox * wp.strides[1] - wp.pads_begin[1] + kx * wp.dilations[1];
            if (y >= 0 && y < ih && x >= 0 && x < iw) sum += in_mean[static_cast<size_t>((c * ih + y) * iw + x)];
          }
        tap_mean[static_cast<size_t>((c * kh + ky) * kw + kx)] = sum / double(out[0] * out[1]);
      }
  std::vector<double> shift(static_cast<size_t>(oc), 0.0);
  const size_t taps = tap_mean.size();
  for (int64_t o = 0; o < oc; ++o)
    for (size_t t = 0; t < taps; ++t) shift[static_cast<size_t>(o)] += dw[static_cast<size_t>(o) * taps + t] * tap_mean[t];
  return shift;
}

void correct_bias(Graph& g, Node& n, const std::vector<ValueRange>& ranges) {
  const std::vector<double> shift = weight_rounding_shift(g, n, ranges[static_cast<size_t>(n.inputs[0])].mean);
  if (shift.empty()) return;
  const int64_t cols = static_cast<int64_t>(shift.size());
  Tensor b = n.has_input(2) ? *g.value(n.inputs[2]).constant : Tensor(DType::Float32, {cols});
  if (b.numel() != cols) return;
  for (int64_t o = 0; o < cols; ++o) b.data<float>()[o] -= float(shift[static_cast<size_t>(o)]);
  std::vector<int> uses = opt::use_counts(g);
  opt::set_constant_input(g, n, 2, std::move(b), uses);
}

// The output-channel axis of a Conv or Gemm weight: Conv [M, C/group, kH, kW] and a Gemm's
// transposed B [N, K] hold it first, a plain Gemm's B [K, N] second.
int32_t output_axis(const Node& n) { return n.op == OpKind::Gemm && n.attr_int("transB", 0) == 0 ? 1 : 0; }

// Bias parameters: int32 at s_in * s_w (per channel when the weights are).
QuantParams bias_params(float input_scale, const QuantParams& w) {
  QuantParams b;
  b.dtype = DType::Int32;
  b.scale = input_scale * w.scale;
  b.zero_point = 0;
  for (float s : w.channel_scales) b.channel_scales.push_back(input_scale * s);
  return b;
}

}  // namespace

void quantize_graph(Graph& g, const std::vector<ValueRange>& ranges, Scheme scheme, const QuantizeOptions& options) {
  if (ranges.size() != g.values.size()) throw Error("calibration ranges do not belong to this graph");
  if (options.per_channel && !weights_symmetric(scheme))
    throw Error("per-channel weights need the int8 or u8s8 scheme (symmetric int8 weights), not " +
                std::string(scheme_name(scheme)));
  // 1. Which activations are quantized.
  std::vector<bool> want(g.values.size(), false);
  for (const Node& n : g.nodes) {
    if (!has_int8_kernel(g, n)) continue;   // stays float: its readers and writers dequantize and quantize
    const size_t act_inputs = n.op == OpKind::Add || n.op == OpKind::Mul ? 2 : n.op == OpKind::Concat ? n.inputs.size() : 1;
    for (size_t i = 0; i < act_inputs && i < n.inputs.size(); ++i)
      if (is_activation(g, n.inputs[i])) want[static_cast<size_t>(n.inputs[i])] = true;
    // A Gemm feeding only float ops (the classifier before its Softmax) keeps a float output:
    // the head dequantizes at the boundary, without rounding the logits to 8 bits.
    if (n.op != OpKind::Gemm || feeds_quantized(g, n.outputs[0])) want[static_cast<size_t>(n.outputs[0])] = true;
  }
  // A self-gated activation Mul(x, f(x)) (SiLU) runs as one table from x to the Mul's output:
  // f's output stays float (engine/int8_coverage.h, self_gate_of).
  for (const Node& n : g.nodes)
    if (is_self_gate(g, n)) want[static_cast<size_t>(n.outputs[0])] = false;
  for (bool changed = true; changed;) {
    changed = false;
    for (const Node& n : g.nodes) {
      if (!int8_pass_through_op(n.op) || !is_activation(g, n.inputs[0])) continue;
      const size_t in = static_cast<size_t>(n.inputs[0]), out = static_cast<size_t>(n.outputs[0]);
      if (want[in] != want[out]) want[in] = want[out] = changed = true;
    }
  }
  // 2. Activation parameters from their own ranges.
  const DType act = activation_dtype(scheme);
  for (size_t id = 0; id < g.values.size(); ++id) {
    if (!want[id]) continue;
    const ValueRange& r = ranges[id];
    if (!r.seen) throw Error("value '" + g.values[id].name + "' was never computed during calibration");
    const auto [lo, hi] = calibrated_range(r, options.calibration, act);
    g.values[id].quant = asymmetric_params(lo, hi, act);
  }
  // 3. Relu / Clip merged into the producer: the producer's output is stored with the
  // parameters of the clamped range (when the Relu is its only reader).
  std::vector<int> uses = opt::use_counts(g);
  for (auto it = g.nodes.rbegin(); it != g.nodes.rend(); ++it) {
    const Node& n = *it;
    if ((n.op != OpKind::Relu && n.op != OpKind::Clip) || !want[static_cast<size_t>(n.outputs[0])]) continue;
    const int in = n.inputs[0];
    if (uses[static_cast<size_t>(in)] == 1 && !opt::is_graph_output(g, in)) g.value(in).quant = g.value(n.outputs[0]).quant;
  }
  // A MaxPool's output takes its input's parameters (as ONNX Runtime's quantizer gives them):
  // the int8 max pool then needs no requantisation table (engine/compile_qmax_pool.cpp), and
  // the maximum of a window can only be a value its input's parameters already represent.
  for (const Node& n : g.nodes)
    if (n.op == OpKind::MaxPool && want[static_cast<size_t>(n.outputs[0])] && g.value(n.inputs[0]).quant)
      g.value(n.outputs[0]).quant = g.value(n.inputs[0]).quant;
  // 4. Weights and biases.
  for (Node& n : g.nodes) {
    if ((n.op != OpKind::Conv && n.op != OpKind::Gemm) || !has_int8_kernel(g, n)) continue;
    if (!n.has_input(1) || !g.value(n.inputs[1]).constant || !g.value(n.inputs[0]).quant) continue;
    Value& w = g.value(n.inputs[1]);
    if (w.constant->dtype != DType::Float32) throw Error(g.describe(n) + ": weight '" + w.name + "' is not float32");
    const float lo = tensor_min(*w.constant), hi = tensor_max(*w.constant);
    if (options.per_channel)
      w.quant = symmetric_int8_channel_params(*w.constant, output_axis(n));
    else
      w.quant = weights_symmetric(scheme) ? symmetric_int8_params(lo, hi) : asymmetric_params(lo, hi, DType::Uint8);
    // correct_bias may add a value (a bias the node did not have): `w` is not valid after it.
    if (options.bias_correction) correct_bias(g, n, ranges);
    if (n.has_input(2) && g.value(n.inputs[2]).constant)
      g.value(n.inputs[2]).quant = bias_params(g.value(n.inputs[0]).quant->scale, *g.value(n.inputs[1]).quant);
  }
}

Graph fuse_quantized_graph(Graph graph) {
  while (fuse_conv_epilogue(graph)) {
  }
  remove_dead_nodes(graph);
  graph.sort_topologically();
  return graph;
}

bool is_quantized(const Graph& graph) {
  return std::any_of(graph.values.begin(), graph.values.end(), [](const Value& v) { return v.quant.has_value(); });
}

}  // namespace octet::quant
