// The input counts and attribute values ONNX allows for each operator octet implements,
// checked once at import so that the reference executor and the optimised runtime see the
// same, valid nodes (the runtime used to ignore a third input of Add, say, that the
// reference executor and ONNX Runtime refuse).
#pragma once
#include "graph/ir.h"

namespace octet {

// Inputs an ONNX node of this op may have at the graph's opset (trailing omitted optional
// inputs not counted). max is kUnboundedInputs for variadic ops (Concat).
struct InputCount {
  size_t min = 0;
  size_t max = 0;
};
inline constexpr size_t kUnboundedInputs = static_cast<size_t>(-1);
InputCount onnx_input_count(OpKind op, int opset);

// Throws octet::Error naming the node and op when its input count is outside
// onnx_input_count, a required input is omitted, or an attribute has a value ONNX does not
// define (MaxPool storage_order other than 0 or 1).
void check_onnx_signature(const Graph& graph, const Node& node);

}  // namespace octet
