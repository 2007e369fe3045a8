// PENDING: stubs to be replaced by real implementations.
#include "engine/reference/ops.h"

namespace octet::ref {

Outputs eval_Shape(const Graph& g, const Node& n, Inputs) { throw Error(g.describe(n) + ": not implemented yet"); }
Outputs eval_Reshape(const Graph& g, const Node& n, Inputs) { throw Error(g.describe(n) + ": not implemented yet"); }
Outputs eval_Flatten(const Graph& g, const Node& n, Inputs) { throw Error(g.describe(n) + ": not implemented yet"); }
Outputs eval_Squeeze(const Graph& g, const Node& n, Inputs) { throw Error(g.describe(n) + ": not implemented yet"); }
Outputs eval_Unsqueeze(const Graph& g, const Node& n, Inputs) { throw Error(g.describe(n) + ": not implemented yet"); }
Outputs eval_Concat(const Graph& g, const Node& n, Inputs) { throw Error(g.describe(n) + ": not implemented yet"); }
Outputs eval_Slice(const Graph& g, const Node& n, Inputs) { throw Error(g.describe(n) + ": not implemented yet"); }
Outputs eval_Gather(const Graph& g, const Node& n, Inputs) { throw Error(g.describe(n) + ": not implemented yet"); }
Outputs eval_Cast(const Graph& g, const Node& n, Inputs) { throw Error(g.describe(n) + ": not implemented yet"); }
Outputs eval_Constant(const Graph& g, const Node& n, Inputs) { throw Error(g.describe(n) + ": not implemented yet"); }
Outputs eval_ConstantOfShape(const Graph& g, const Node& n, Inputs) { throw Error(g.describe(n) + ": not implemented yet"); }
Outputs eval_Identity(const Graph& g, const Node& n, Inputs) { throw Error(g.describe(n) + ": not implemented yet"); }
Outputs eval_Dropout(const Graph& g, const Node& n, Inputs) { throw Error(g.describe(n) + ": not implemented yet"); }

}  // namespace octet::ref
