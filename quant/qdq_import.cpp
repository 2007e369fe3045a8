// recognise_qdq: the steps are described in quant/qdq_import.h; each is one function here.
#include "quant/qdq_import.h"

#include <algorithm>
#include <cstdio>

#include "graph/passes/passes.h"
#include "quant/qdq_detail.h"
#include "quant/scheme.h"

namespace octet::quant {

namespace {

using namespace qdq;
using Renames = std::vector<std::pair<int, std::string>>;

std::string describe(const QuantParams& p) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "%s scale %.9g zero point %d", dtype_name(p.dtype).c_str(), double(p.scale),
                p.zero_point);
  return buf;
}

void make_constant(Value& v, Tensor t, const QuantParams& p) {
  v.dtype = DType::Float32;
  v.shape = Shape::of(t.dims);
  v.constant = std::move(t);
  v.quant = p;
}

// ONNX Runtime names the weight W's DequantizeLinear output W_DequantizeLinear_Output; the
// recognised constant gets W back (once the integer initializer's name is free).
void request_weight_name(const Graph& g, int id, Renames& renames) {
  const std::string& name = g.value(id).name;
  if (ends_with(name, kDequantOutputSuffix))
    renames.emplace_back(id, name.substr(0, name.size() - kDequantOutputSuffix.size()));
}

// Step 2: DequantizeLinear(initializer) -> a float constant annotated with its parameters.
void fold_constant_dequantize(Graph& g, Renames& renames) {
  std::vector<bool> drop(g.nodes.size(), false);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    if (n.op != OpKind::DequantizeLinear || !g.value(n.inputs.at(0)).constant) continue;
    const std::optional<QuantParams> p = node_params(g, n);
    if (!p) continue;
    const Value& x = g.value(n.inputs[0]);
    if (x.constant->dtype != p->dtype)
      throw Error(g.describe(n) + ": initializer '" + x.name + "' is " + dtype_name(x.constant->dtype) +
                  " but its zero point is " + dtype_name(p->dtype));
    make_constant(g.value(n.outputs.at(0)), dequantize_tensor(*x.constant, *p), *p);
    request_weight_name(g, n.outputs[0], renames);
    drop[i] = true;
  }
  erase_nodes(g, drop);
}

// Step 3: QuantizeLinear -> DequantizeLinear pairs become annotations.
void remove_pairs(Graph& g, Renames& renames) {
  const std::vector<int> producer = g.producers();
  std::vector<bool> drop(g.nodes.size(), false);
  std::vector<int> annotated_by(g.values.size(), -1);   // the QuantizeLinear that set .quant
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& dq = g.nodes[i];
    if (dq.op != OpKind::DequantizeLinear) continue;
    const int qi = producer[static_cast<size_t>(dq.inputs.at(0))];
    if (qi == kNoValue || g.nodes[static_cast<size_t>(qi)].op != OpKind::QuantizeLinear) continue;
    const Node& q = g.nodes[static_cast<size_t>(qi)];
    const std::optional<QuantParams> pd = node_params(g, dq), pq = node_params(g, q);
    if (!pd || !pq) continue;
    if (*pd != *pq)
      throw Error(g.describe(dq) + " dequantizes the output of node '" + q.name + "' with other parameters (" +
                  describe(*pd) + ", against " + describe(*pq) +
                  "): a requantisation, which octet's quantized IR cannot express");
    const int x = q.inputs.at(0), y = dq.outputs.at(0);
    drop[i] = true;
    if (g.value(x).constant) {   // a float weight behind a Q/DQ pair: store it fake-quantized
      if (g.value(x).constant->dtype != DType::Float32)
        throw Error(g.describe(q) + ": initializer '" + g.value(x).name + "' must be float32");
      make_constant(g.value(y), fake_quantize_tensor(*g.value(x).constant, *pq), *pq);
      request_weight_name(g, y, renames);
      continue;
    }
    if (pq->per_channel())
      throw Error(g.describe(q) + ": per-axis parameters on activation '" + g.value(x).name +
                  "': octet quantizes activations per tensor (per channel: weights and biases only)");
    Value& xv = g.value(x);
    if (xv.quant && *xv.quant != *pq)
      throw Error("value '" + xv.name + "' is quantized twice with different parameters: " + describe(*xv.quant) +
                  " by node '" + g.nodes[static_cast<size_t>(annotated_by[static_cast<size_t>(x)])].name + "' and " +
                  describe(*pq) + " by node '" + q.name + "'");
    xv.quant = *pq;
    annotated_by[static_cast<size_t>(x)] = qi;
    const bool output = is_graph_output(g, y);
    replace_uses(g, y, x);
    if (output && !is_graph_input(g, x)) {   // ORT: producer wrote T_QuantizeLinear_Input, DQ wrote T
      const std::string name = g.value(y).name;
      g.value(y).name += kDequantOutputSuffix;   // unreferenced now; removed by compaction
      g.value(x).name = name;
    }
  }
  erase_nodes(g, drop);
  // QuantizeLinear nodes whose every reader was a recognised DequantizeLinear.
  const std::vector<std::vector<int>> readers = consumers(g);
  std::vector<bool> unused(g.nodes.size(), false);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const int out = g.nodes[i].outputs.at(0);
    unused[i] = g.nodes[i].op == OpKind::QuantizeLinear && readers[static_cast<size_t>(out)].empty() &&
                !is_graph_output(g, out) && g.value(g.nodes[i].inputs[0]).quant;
  }
  erase_nodes(g, unused);
}

bool reads_quantized(const Graph& g, const Node& n) {
  for (int in : n.inputs)
    if (in != kNoValue && g.value(in).quant) return true;
  return false;
}

// Step 4: Relu / Clip merged into a quantized producer.
void merge_activations(Graph& g) {
  const std::vector<int> producer = g.producers();
  const std::vector<std::vector<int>> readers = consumers(g);
  for (const Node& r : g.nodes) {
    if (r.op != OpKind::Relu && r.op != OpKind::Clip) continue;
    const int x = r.inputs.at(0), y = r.outputs.at(0);
    const int p = producer[static_cast<size_t>(x)];
    if (!g.value(y).quant || p == kNoValue || !reads_quantized(g, g.nodes[static_cast<size_t>(p)])) continue;
    // Only when the Relu is x's sole reader: another reader of x sees it unclamped, in float
    // (no pair) or on its own grid (a pair of its own).
    if (readers[static_cast<size_t>(x)].size() == 1 && !is_graph_output(g, x)) g.value(x).quant = g.value(y).quant;
  }
}

// Step 5: the Relu ONNX Runtime's quantizer merged into a zero point at the type's minimum.
void restore_relus(Graph& g) {
  const std::vector<std::vector<int>> readers = consumers(g);
  std::vector<Node> out;
  for (Node& p : g.nodes) {
    out.push_back(p);
    if (p.op != OpKind::Conv && p.op != OpKind::Gemm && p.op != OpKind::MatMul && p.op != OpKind::Add) continue;
    const int y = p.outputs.at(0);
    const std::optional<QuantParams> q = g.value(y).quant;
    if (!q || (q->dtype != DType::Uint8 && q->dtype != DType::Int8) || q->zero_point != qmin(q->dtype)) continue;
    // A Relu reader already clamps at zero. A Clip reader (Relu6) gets the Relu restored in
    // front of it all the same: fuse_conv_epilogue composes the two into the conv's one clamp.
    bool clamped = false;
    for (int c : readers[static_cast<size_t>(y)]) clamped |= g.nodes[static_cast<size_t>(c)].op == OpKind::Relu;
    if (clamped) continue;
    const Value yv = g.value(y);
    const int x = new_value(g, yv.name + std::string(kReluInputSuffix), yv.dtype, yv.shape);
    g.value(x).quant = q;
    out.back().outputs[0] = x;
    Node relu;
    relu.op = OpKind::Relu;
    relu.name = yv.name + "_Relu";
    relu.inputs = {x};
    relu.outputs = {y};
    out.push_back(std::move(relu));
  }
  g.nodes = std::move(out);
}

void apply_renames(Graph& g, const std::vector<int>& remap, const Renames& renames) {
  for (const auto& [old_id, name] : renames) {
    const int id = remap[static_cast<size_t>(old_id)];
    if (id == kNoValue || is_graph_output(g, id) || is_graph_input(g, id) || g.find_value(name) != kNoValue) continue;
    g.value(id).name = name;
  }
}

}  // namespace

void recognise_qdq(Graph& g) {
  const bool quantized = std::any_of(g.nodes.begin(), g.nodes.end(), [](const Node& n) {
    return n.op == OpKind::QuantizeLinear || n.op == OpKind::DequantizeLinear || n.op == OpKind::QLinearConv ||
           n.op == OpKind::QLinearMatMul;
  });
  if (!quantized) return;   // a float model: nothing to recognise, nothing touched
  Renames renames;
  expand_qlinear_ops(g, renames);
  g.sort_topologically();
  infer_shapes(g);   // element types of unannotated DequantizeLinear inputs
  fold_constant_dequantize(g, renames);
  remove_pairs(g, renames);
  merge_activations(g);
  apply_renames(g, compact_values(g), renames);
  restore_relus(g);   // after the renames: the restored Relu's input is named after its output
  g.sort_topologically();
}

}  // namespace octet::quant
