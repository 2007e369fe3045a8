// PENDING: stubs to be replaced by real implementations.
#include "engine/reference/ops.h"

namespace octet::ref {

Outputs eval_MatMul(const Graph& g, const Node& n, Inputs) { throw Error(g.describe(n) + ": not implemented yet"); }
Outputs eval_Gemm(const Graph& g, const Node& n, Inputs) { throw Error(g.describe(n) + ": not implemented yet"); }

}  // namespace octet::ref
