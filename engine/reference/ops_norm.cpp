// PENDING: stubs to be replaced by real implementations.
#include "engine/reference/ops.h"

namespace octet::ref {

Outputs eval_BatchNormalization(const Graph& g, const Node& n, Inputs) { throw Error(g.describe(n) + ": not implemented yet"); }
Outputs eval_Softmax(const Graph& g, const Node& n, Inputs) { throw Error(g.describe(n) + ": not implemented yet"); }

}  // namespace octet::ref
