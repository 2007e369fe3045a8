// Fuses the smooth activations that follow a Conv into its epilogue (graph/ir.h), FP32 only:
//   Conv → Sigmoid,  Conv → HardSigmoid,  Conv → HardSwish
//   Conv x → Mul(x, Sigmoid(x))                       = SiLU (EfficientNet's Swish)
//   Conv x → Mul(x, HardSigmoid(x, 1/6, 0.5))        = HardSwish (MobileNetV3 before opset 14)
// and Gemm → Relu into the Gemm's (the MLPerf Tiny autoencoder's layers, once its
// BatchNormalization is folded): here, not in fuse_conv_epilogue, because quantization runs
// that pass and the int8 Gemm keeps its Relu a separate clamp.
// The x·f(x) forms match when x feeds exactly the activation and the Mul (in either operand
// order) and the activation's output feeds only the Mul: otherwise the nodes stay, and run
// as standalone steps. The conv's epilogue must have no activation yet (a residual is fine:
// the activation applies after it, as in the written graph).
#include <utility>
#include <vector>

#include "graph/passes/optimize.h"

namespace octet {

namespace {

using Act = Epilogue::Activation;

// The HardSigmoid whose x·f(x) is ONNX's HardSwish: alpha 1/6 and beta 0.5 as float32, the
// values torch.onnx writes for hardswish.
bool is_hard_swish_gate(const Node& n) {
  return n.op == OpKind::HardSigmoid && n.attr_float("alpha", 0.2f) == 1.f / 6.f && n.attr_float("beta", 0.5f) == 0.5f;
}

struct Readers {
  std::vector<std::vector<int>> of;   // per value id: the nodes reading it (once per slot)
  explicit Readers(const Graph& g) : of(g.values.size()) {
    for (size_t n = 0; n < g.nodes.size(); ++n)
      for (int in : g.nodes[n].inputs)
        if (in != kNoValue) of[static_cast<size_t>(in)].push_back(static_cast<int>(n));
  }
};

// The epilogue fields this pass sets (a copy of the whole Epilogue would copy its quantized
// optional too, for nothing).
struct Activation {
  Act activation = Act::None;
  float alpha = 0.f, beta = 0.f;
};

// The activation one node applies to x on its own (Sigmoid, HardSigmoid, HardSwish).
bool single_activation(const Node& act, Activation& e) {
  if (act.outputs.size() != 1 || act.input_count() != 1) return false;
  switch (act.op) {
    case OpKind::Sigmoid: e.activation = Act::Sigmoid; return true;
    case OpKind::HardSwish: e.activation = Act::HardSwish; return true;
    case OpKind::HardSigmoid:
      e.activation = Act::HardSigmoid;
      e.alpha = act.attr_float("alpha", 0.2f);
      e.beta = act.attr_float("beta", 0.5f);
      return true;
    default: return false;
  }
}

// Gemm → Relu, where the Gemm's output feeds only the Relu: the Relu's node index, or -1.
int fusable_gemm_relu(const Graph& g, const Node& gemm, const std::vector<int>& uses, const Readers& readers) {
  if (gemm.op != OpKind::Gemm || gemm.outputs.size() != 1 || gemm.epilogue.fused()) return -1;
  const int x = gemm.outputs[0];
  if (uses[static_cast<size_t>(x)] != 1 || opt::is_graph_output(g, x)) return -1;
  const int r = readers.of[static_cast<size_t>(x)].at(0);
  const Node& relu = g.nodes[static_cast<size_t>(r)];
  return relu.op == OpKind::Relu && relu.outputs.size() == 1 ? r : -1;
}

}  // namespace

bool fuse_conv_activation(Graph& g) {
  const std::vector<int> uses = opt::use_counts(g);
  const Readers readers(g);
  std::vector<bool> drop(g.nodes.size(), false);
  bool changed = false;
  for (Node& conv : g.nodes) {
    if (const int relu = fusable_gemm_relu(g, conv, uses, readers); relu >= 0) {
      drop[static_cast<size_t>(relu)] = true;
      conv.epilogue.activation = Act::Relu;
      conv.outputs[0] = g.nodes[static_cast<size_t>(relu)].outputs[0];
      changed = true;
      continue;
    }
    if (conv.op != OpKind::Conv || conv.outputs.size() != 1 || conv.epilogue.activation != Act::None) continue;
    const int x = conv.outputs[0];
    if (opt::is_graph_output(g, x)) continue;
    const std::vector<int>& r = readers.of[static_cast<size_t>(x)];
    Activation e{conv.epilogue.activation, conv.epilogue.alpha, conv.epilogue.beta};
    std::vector<int> fused;   // the nodes the epilogue replaces; the last one's output is the result
    if (uses[static_cast<size_t>(x)] == 1 && single_activation(g.nodes[static_cast<size_t>(r[0])], e)) {
      fused = {r[0]};
    } else if (uses[static_cast<size_t>(x)] == 2 && r.size() == 2 && r[0] != r[1]) {
      // x · f(x): one reader is the gate f, the other the Mul of x and the gate's output.
      for (auto [gate, mul] : {std::pair{r[0], r[1]}, std::pair{r[1], r[0]}}) {
        const Node& f = g.nodes[static_cast<size_t>(gate)];
        const Node& m = g.nodes[static_cast<size_t>(mul)];
        if (f.outputs.size() != 1 || m.op != OpKind::Mul || m.input_count() != 2 || m.outputs.size() != 1) continue;
        const int s = f.outputs[0];
        if (uses[static_cast<size_t>(s)] != 1 || opt::is_graph_output(g, s)) continue;
        if (!((m.inputs[0] == x && m.inputs[1] == s) || (m.inputs[0] == s && m.inputs[1] == x))) continue;
        if (f.op == OpKind::Sigmoid) e.activation = Act::SiLU;
        else if (is_hard_swish_gate(f)) e.activation = Act::HardSwish;
        else continue;
        fused = {gate, mul};
        break;
      }
    }
    if (fused.empty()) continue;
    for (int n : fused) drop[static_cast<size_t>(n)] = true;
    conv.epilogue.activation = e.activation;
    conv.epilogue.alpha = e.alpha;
    conv.epilogue.beta = e.beta;
    conv.outputs[0] = g.nodes[static_cast<size_t>(fused.back())].outputs[0];
    changed = true;
  }
  if (changed) opt::erase_nodes(g, drop);
  return changed;
}

}  // namespace octet
