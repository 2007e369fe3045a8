// PENDING: stubs to be replaced by real implementations.
#include "engine/reference/ops.h"

namespace octet::ref {

Outputs eval_Add(const Graph& g, const Node& n, Inputs) { throw Error(g.describe(n) + ": not implemented yet"); }
Outputs eval_Sub(const Graph& g, const Node& n, Inputs) { throw Error(g.describe(n) + ": not implemented yet"); }
Outputs eval_Mul(const Graph& g, const Node& n, Inputs) { throw Error(g.describe(n) + ": not implemented yet"); }
Outputs eval_Div(const Graph& g, const Node& n, Inputs) { throw Error(g.describe(n) + ": not implemented yet"); }
Outputs eval_Relu(const Graph& g, const Node& n, Inputs) { throw Error(g.describe(n) + ": not implemented yet"); }
Outputs eval_Clip(const Graph& g, const Node& n, Inputs) { throw Error(g.describe(n) + ": not implemented yet"); }

}  // namespace octet::ref
