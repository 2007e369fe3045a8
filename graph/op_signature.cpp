#include "graph/op_signature.h"

#include <string>

namespace octet {

InputCount onnx_input_count(OpKind op, int opset) {
  switch (op) {
    case OpKind::Add:
    case OpKind::Sub:
    case OpKind::Mul:
    case OpKind::Div:
    case OpKind::Gather:
    case OpKind::MatMul:
    case OpKind::Reshape: return {2, 2};
    case OpKind::AveragePool:
    case OpKind::MaxPool:
    case OpKind::GlobalAveragePool:
    case OpKind::GlobalMaxPool:
    case OpKind::Cast:
    case OpKind::ConstantOfShape:
    case OpKind::Flatten:
    case OpKind::Identity:
    case OpKind::Relu:
    case OpKind::Sigmoid:
    case OpKind::HardSigmoid:
    case OpKind::HardSwish:
    case OpKind::Tanh:
    case OpKind::LeakyRelu:
    case OpKind::Shape:
    case OpKind::Softmax:
    case OpKind::LogSoftmax:
    case OpKind::Transpose: return {1, 1};
    case OpKind::BatchNormalization: return {5, 5};
    case OpKind::Clip: return opset >= 11 ? InputCount{1, 3} : InputCount{1, 1};
    case OpKind::Concat: return {1, kUnboundedInputs};
    case OpKind::Constant: return {0, 0};
    case OpKind::Conv: return {2, 3};
    case OpKind::QuantizeLinear:
    case OpKind::DequantizeLinear: return {2, 3};
    case OpKind::Dropout: return opset >= 12 ? InputCount{1, 3} : InputCount{1, 1};
    case OpKind::Gemm: return opset >= 11 ? InputCount{2, 3} : InputCount{3, 3};
    case OpKind::Pad:
      if (opset < 11) return {1, 1};
      return opset >= 18 ? InputCount{2, 4} : InputCount{2, 3};
    case OpKind::QLinearConv: return {8, 9};
    case OpKind::QLinearMatMul: return {8, 8};
    // Axes became an optional input at opset 18 (ReduceMax: 18 too).
    case OpKind::ReduceMax:
    case OpKind::ReduceMean: return opset >= 18 ? InputCount{1, 2} : InputCount{1, 1};
    case OpKind::Slice: return opset >= 10 ? InputCount{3, 5} : InputCount{1, 1};
    // The split sizes became an optional input at opset 13 (an attribute before).
    case OpKind::Split: return opset >= 13 ? InputCount{1, 2} : InputCount{1, 1};
    case OpKind::Squeeze: return opset >= 13 ? InputCount{1, 2} : InputCount{1, 1};
    case OpKind::Unsqueeze: return opset >= 13 ? InputCount{2, 2} : InputCount{1, 1};
  }
  return {0, 0};   // unreachable: the switch covers every OpKind (-Wswitch)
}

void check_onnx_signature(const Graph& graph, const Node& node) {
  auto fail = [&](const std::string& msg) { throw Error(graph.describe(node) + ": " + msg); };
  size_t given = node.inputs.size();
  while (given > 0 && node.inputs[given - 1] == kNoValue) --given;   // trailing omitted inputs
  const InputCount allowed = onnx_input_count(node.op, graph.opset);
  if (given < allowed.min || given > allowed.max) {
    const std::string range = allowed.max == kUnboundedInputs ? "at least " + std::to_string(allowed.min)
                              : allowed.min == allowed.max    ? std::to_string(allowed.min)
                                                              : std::to_string(allowed.min) + " to " +
                                                                    std::to_string(allowed.max);
    fail("ONNX defines " + range + " inputs at this opset, got " + std::to_string(given));
  }
  for (size_t i = 0; i < allowed.min; ++i)
    if (node.inputs[i] == kNoValue) fail("required input " + std::to_string(i) + " is omitted (empty name)");
  if (node.op == OpKind::MaxPool) {
    const int64_t order = node.attr_int("storage_order", 0);
    if (order != 0 && order != 1)
      fail("storage_order must be 0 (row-major) or 1 (column-major), got " + std::to_string(order));
  }
}

}  // namespace octet
