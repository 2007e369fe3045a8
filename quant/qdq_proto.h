// IR -> ONNX protobuf conversions for the QDQ exporter. Only quant/qdq_*.cpp include this
// header (it brings in the generated onnx.pb.h, which octet_qdq links privately).
#pragma once
#include <cstdint>
#include <string>

#include "graph/ir.h"
#include "onnx.pb.h"

namespace octet::quant::qdq {

// `t` as an initializer or attribute tensor named `name` (raw little-endian data).
void tensor_to_proto(const Tensor& t, const std::string& name, onnx::TensorProto* out);
void attribute_to_proto(const std::string& name, const Attribute& a, onnx::AttributeProto* out);
// A graph input/output declaration: element type and shape, symbolic dims as dim_param.
void value_info_to_proto(const Value& v, const std::string& name, onnx::ValueInfoProto* out);
// The IR version ONNX pairs with a default-domain opset (13-14: 7, 15-18: 8, 19-20: 9, 21: 10).
int64_t ir_version_for_opset(int opset);

}  // namespace octet::quant::qdq
