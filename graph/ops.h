// The operators octet knows, as an enum (no strings at run time), with the range of
// default-domain opset versions whose semantics octet implements.
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

namespace octet {

// X(enum name, ONNX op_type, first opset supported, last opset supported)
#define OCTET_OPS(X)                                   \
  X(Add, "Add", 7, 21)                                 \
  X(AveragePool, "AveragePool", 7, 21)                 \
  X(BatchNormalization, "BatchNormalization", 9, 21)   \
  X(Cast, "Cast", 6, 21)                               \
  X(Clip, "Clip", 6, 21)                               \
  X(Concat, "Concat", 4, 21)                           \
  X(Constant, "Constant", 9, 21)                       \
  X(ConstantOfShape, "ConstantOfShape", 9, 21)         \
  X(Conv, "Conv", 1, 21)                               \
  X(DequantizeLinear, "DequantizeLinear", 10, 21)      \
  X(Div, "Div", 7, 21)                                 \
  X(Dropout, "Dropout", 7, 21)                         \
  X(Flatten, "Flatten", 1, 21)                         \
  X(Gather, "Gather", 1, 21)                           \
  X(Gemm, "Gemm", 7, 21)                               \
  X(GlobalAveragePool, "GlobalAveragePool", 1, 21)     \
  X(GlobalMaxPool, "GlobalMaxPool", 1, 21)             \
  X(HardSigmoid, "HardSigmoid", 6, 21)                 \
  X(HardSwish, "HardSwish", 14, 21)                    \
  X(Identity, "Identity", 1, 21)                       \
  X(LeakyRelu, "LeakyRelu", 6, 21)                     \
  X(LogSoftmax, "LogSoftmax", 1, 21)                   \
  X(MatMul, "MatMul", 1, 21)                           \
  X(MaxPool, "MaxPool", 8, 21)                         \
  X(Mul, "Mul", 7, 21)                                 \
  X(Pad, "Pad", 2, 21)                                 \
  X(QLinearConv, "QLinearConv", 10, 21)                \
  X(QLinearMatMul, "QLinearMatMul", 10, 21)            \
  X(QuantizeLinear, "QuantizeLinear", 10, 21)          \
  X(ReduceMax, "ReduceMax", 1, 21)                     \
  X(ReduceMean, "ReduceMean", 1, 21)                   \
  X(Relu, "Relu", 6, 21)                               \
  X(Reshape, "Reshape", 5, 21)                         \
  X(Shape, "Shape", 1, 21)                             \
  X(Sigmoid, "Sigmoid", 6, 21)                         \
  X(Slice, "Slice", 1, 21)                             \
  X(Softmax, "Softmax", 1, 21)                         \
  X(Split, "Split", 2, 21)                             \
  X(Squeeze, "Squeeze", 1, 21)                         \
  X(Sub, "Sub", 7, 21)                                 \
  X(Tanh, "Tanh", 6, 21)                               \
  X(Transpose, "Transpose", 1, 21)                     \
  X(Unsqueeze, "Unsqueeze", 1, 21)

enum class OpKind : uint16_t {
#define OCTET_OP_ENUM(e, name, lo, hi) e,
  OCTET_OPS(OCTET_OP_ENUM)
#undef OCTET_OP_ENUM
};

struct OpInfo {
  OpKind kind;
  std::string_view onnx_name;
  int min_opset;
  int max_opset;
};

const OpInfo& op_info(OpKind kind);
std::string_view op_name(OpKind kind);
// Looks up an ONNX op_type of the default domain; nullopt when octet does not implement it.
std::optional<OpKind> op_from_onnx_name(std::string_view op_type);

}  // namespace octet
