#include "engine/reference/evaluate.h"

#include "engine/reference/ops.h"

namespace octet {

std::vector<Tensor> evaluate_node(const Graph& graph, const Node& node,
                                  std::span<const Tensor* const> inputs) {
  // A fused epilogue (octet's Conv form) is checked here, for every op, so that none is ignored.
  check_epilogue(graph, node);
  switch (node.op) {
#define OCTET_DISPATCH_REF_OP(e, name, lo, hi) \
  case OpKind::e: return ref::eval_##e(graph, node, inputs);
    OCTET_OPS(OCTET_DISPATCH_REF_OP)
#undef OCTET_DISPATCH_REF_OP
  }
  throw Error(graph.describe(node) + ": no reference implementation");
}

}  // namespace octet
