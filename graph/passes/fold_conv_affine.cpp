// Folds per-output-channel affine ops after a Conv into its weight and bias:
//   BatchNormalization:  y = (conv - mean) * scale / sqrt(var + eps) + B
//   Mul / Add / Sub by a constant that varies at most along the channel axis
// all have the form y[m] = conv[m] * s[m] + t[m], so W'[m] = W[m] * s[m] and
// b'[m] = b[m] * s[m] + t[m]. tf2onnx writes BatchNormalization as exactly such a Mul + Add
// pair; torch.onnx keeps the BatchNormalization node. The same holds after a Gemm, whose
// output [M, N] has its channels along axis 1 (MLPerf Tiny's autoencoder: Gemm → BN → Relu):
// B's column m is scaled, and the bias becomes C'[m] = beta * C[m] * s[m] + t[m] with alpha
// folded into B (the folded Gemm has alpha = beta = 1). The arithmetic is done in double and
// rounded once, so the folded graph differs from the original by float rounding only.
#include <cmath>
#include <optional>
#include <vector>

#include "graph/passes/optimize.h"

namespace octet {

namespace {

struct Affine {
  std::vector<double> scale, shift;   // per output channel
};

// The constant's per-channel values when, broadcast against a Conv output of rank `rank`
// with `channels` channels, it varies at most along axis 1 and does not grow the output.
std::optional<std::vector<double>> per_channel(const Tensor& c, int64_t rank, int64_t channels) {
  if (c.rank() > rank) return std::nullopt;
  bool along_channels = false;
  for (int64_t k = 0; k < c.rank(); ++k) {
    const int64_t axis = rank - c.rank() + k;
    const int64_t d = c.dims[static_cast<size_t>(k)];
    if (d == 1) continue;
    if (axis != 1 || d != channels) return std::nullopt;
    along_channels = true;
  }
  const std::span<const float> v = c.values<float>();
  std::vector<double> out(static_cast<size_t>(channels));
  for (size_t m = 0; m < out.size(); ++m) out[m] = v[along_channels ? m : 0];
  return out;
}

// The affine map `node` applies to `conv_out` (one of its inputs), or nullopt when it is not
// a foldable per-channel affine op.
std::optional<Affine> affine_of(const Graph& g, const Node& node, int conv_out, int64_t rank, int64_t channels) {
  const size_t m = static_cast<size_t>(channels);
  if (node.op == OpKind::BatchNormalization) {
    if (node.input_count() != 5 || node.inputs[0] != conv_out || node.attr_int("training_mode", 0) != 0) return {};
    // Outputs past the first (running statistics) exist in training mode only.
    for (size_t o = 1; o < node.outputs.size(); ++o)
      if (node.outputs[o] != kNoValue) return {};
    const Tensor* p[4];
    for (size_t i = 0; i < 4; ++i) {
      p[i] = opt::float_constant(g, node.inputs[i + 1]);
      if (p[i] == nullptr || p[i]->rank() != 1 || p[i]->dims[0] != channels) return {};
    }
    const double eps = node.attr_float("epsilon", 1e-5f);
    Affine a{std::vector<double>(m), std::vector<double>(m)};
    for (size_t c = 0; c < m; ++c) {
      const double s = double(p[0]->data<float>()[c]) / std::sqrt(double(p[3]->data<float>()[c]) + eps);
      a.scale[c] = s;
      a.shift[c] = double(p[1]->data<float>()[c]) - double(p[2]->data<float>()[c]) * s;
    }
    return a;
  }
  if (node.op != OpKind::Mul && node.op != OpKind::Add && node.op != OpKind::Sub) return {};
  if (node.input_count() != 2 || node.outputs.size() != 1) return {};
  const bool conv_first = node.inputs[0] == conv_out;
  // Sub is only affine in the conv with the conv on the left (c - conv would negate W).
  if (!conv_first && (node.inputs[1] != conv_out || node.op == OpKind::Sub)) return {};
  const Tensor* c = opt::float_constant(g, node.inputs[conv_first ? 1 : 0]);
  if (c == nullptr) return {};
  std::optional<std::vector<double>> v = per_channel(*c, rank, channels);
  if (!v) return {};
  if (node.op == OpKind::Mul) return Affine{std::move(*v), std::vector<double>(m, 0.0)};
  if (node.op == OpKind::Sub)
    for (double& x : *v) x = -x;
  return Affine{std::vector<double>(m, 1.0), std::move(*v)};
}

// Whether a Conv can absorb an affine epilogue: constant float weights (and bias), and none
// of the fused epilogue (a residual or activation comes after the bias, so an affine op after
// them does not commute into W and b).
bool foldable_conv(const Graph& g, const Node& n) {
  if (n.op != OpKind::Conv || n.outputs.size() != 1 || n.input_count() > 3 || n.epilogue.fused()) return false;
  const Tensor* w = opt::float_constant(g, n.has_input(1) ? n.inputs[1] : kNoValue);
  if (w == nullptr || w->rank() < 3 || w->dims[0] <= 0) return false;
  if (n.has_input(2)) {
    const Tensor* b = opt::float_constant(g, n.inputs[2]);
    if (b == nullptr || b->rank() != 1 || b->dims[0] != w->dims[0]) return false;
  }
  return true;
}

// The Gemm columns an affine op can be folded into: constant float B (2-D), C absent or a
// constant that does not vary along the rows ([N], [1, N] or a scalar), nothing fused.
// Returns N, or nullopt.
std::optional<int64_t> foldable_gemm_columns(const Graph& g, const Node& n) {
  if (n.op != OpKind::Gemm || n.outputs.size() != 1 || n.epilogue.fused() || !n.has_input(1)) return std::nullopt;
  const Tensor* b = opt::float_constant(g, n.inputs[1]);
  if (b == nullptr || b->rank() != 2) return std::nullopt;
  const int64_t columns = b->dims[n.attr_int("transB", 0) != 0 ? 0 : 1];
  if (columns <= 0) return std::nullopt;
  if (n.has_input(2)) {
    const Tensor* c = opt::float_constant(g, n.inputs[2]);
    const bool row_vector = c != nullptr && c->numel() == columns && (c->rank() == 1 || (c->rank() == 2 && c->dims[0] == 1));
    if (c == nullptr || (c->numel() != 1 && !row_vector)) return std::nullopt;
  }
  return columns;
}

void apply_to_gemm(Graph& g, Node& gemm, const Affine& a, const std::vector<int>& uses) {
  const Tensor& b = *g.value(gemm.inputs[1]).constant;
  const bool trans_b = gemm.attr_int("transB", 0) != 0;
  const double alpha = gemm.attr_float("alpha", 1.f), beta = gemm.attr_float("beta", 1.f);
  const int64_t columns = trans_b ? b.dims[0] : b.dims[1];
  Tensor b2(DType::Float32, b.dims);
  for (int64_t i = 0; i < b.numel(); ++i) {
    const auto m = static_cast<size_t>(trans_b ? i / b.dims[1] : i % b.dims[1]);
    b2.data<float>()[i] = static_cast<float>(double(b.data<float>()[i]) * alpha * a.scale[m]);
  }
  const Tensor* c = gemm.has_input(2) ? &*g.value(gemm.inputs[2]).constant : nullptr;
  Tensor c2(DType::Float32, {columns});
  for (int64_t m = 0; m < columns; ++m) {
    const double cm = c == nullptr ? 0.0 : double(c->data<float>()[c->numel() == 1 ? 0 : m]);
    const auto k = static_cast<size_t>(m);
    c2.data<float>()[m] = static_cast<float>(beta * cm * a.scale[k] + a.shift[k]);
  }
  opt::set_constant_input(g, gemm, 1, std::move(b2), uses);
  opt::set_constant_input(g, gemm, 2, std::move(c2), uses);
  gemm.attrs.erase("alpha");
  gemm.attrs.erase("beta");
}

void apply(Graph& g, Node& conv, const Affine& a, const std::vector<int>& uses) {
  const Tensor& w = *g.value(conv.inputs[1]).constant;
  const int64_t channels = w.dims[0];
  const int64_t per_channel_elems = w.numel() / channels;
  Tensor w2(DType::Float32, w.dims);
  const float* src = w.data<float>();
  float* dst = w2.data<float>();
  for (int64_t m = 0; m < channels; ++m)
    for (int64_t i = 0; i < per_channel_elems; ++i) {
      const int64_t k = m * per_channel_elems + i;
      dst[k] = static_cast<float>(double(src[k]) * a.scale[static_cast<size_t>(m)]);
    }
  Tensor b2(DType::Float32, {channels});
  const float* b = conv.has_input(2) ? g.value(conv.inputs[2]).constant->data<float>() : nullptr;
  for (int64_t m = 0; m < channels; ++m) {
    const size_t c = static_cast<size_t>(m);
    b2.data<float>()[m] = static_cast<float>((b ? double(b[m]) : 0.0) * a.scale[c] + a.shift[c]);
  }
  opt::set_constant_input(g, conv, 1, std::move(w2), uses);
  opt::set_constant_input(g, conv, 2, std::move(b2), uses);
}

// Folds into Convs, or (into_gemm) into Gemms.
bool fold_affine(Graph& graph, bool into_gemm) {
  bool changed = false;
  // One fold per Conv or Gemm per sweep (the consumer table goes stale once a Conv's output moves);
  // sweeps repeat so that Conv → Mul → Add folds both.
  for (;;) {
    const std::vector<int> uses = opt::use_counts(graph);
    std::vector<int> consumer(graph.values.size(), kNoValue);
    for (size_t n = 0; n < graph.nodes.size(); ++n)
      for (int in : graph.nodes[n].inputs)
        if (in != kNoValue) consumer[static_cast<size_t>(in)] = static_cast<int>(n);
    std::vector<bool> drop(graph.nodes.size(), false);
    bool any = false;
    for (size_t n = 0; n < graph.nodes.size(); ++n) {
      Node& conv = graph.nodes[n];
      const std::optional<int64_t> gemm_columns = into_gemm ? foldable_gemm_columns(graph, conv) : std::nullopt;
      if (drop[n] || (into_gemm ? !gemm_columns : !foldable_conv(graph, conv))) continue;
      const int out = conv.outputs[0];
      if (uses[static_cast<size_t>(out)] != 1 || opt::is_graph_output(graph, out)) continue;
      const int next = consumer[static_cast<size_t>(out)];
      if (next == kNoValue || drop[static_cast<size_t>(next)]) continue;
      const Node& f = graph.nodes[static_cast<size_t>(next)];
      const Tensor& w = *graph.value(conv.inputs[1]).constant;
      const std::optional<Affine> a = gemm_columns ? affine_of(graph, f, out, 2, *gemm_columns)
                                                   : affine_of(graph, f, out, w.rank(), w.dims[0]);
      if (!a) continue;
      if (gemm_columns) apply_to_gemm(graph, conv, *a, uses);
      else apply(graph, conv, *a, uses);
      conv.outputs[0] = f.outputs[0];
      drop[static_cast<size_t>(next)] = true;
      any = true;
    }
    if (!any) break;
    opt::erase_nodes(graph, drop);
    changed = true;
  }
  return changed;
}

}  // namespace

bool fold_conv_affine(Graph& graph) { return fold_affine(graph, false); }

bool fold_gemm_affine(Graph& graph) { return fold_affine(graph, true); }

}  // namespace octet
