// octet's quantized IR -> a QDQ ONNX model laid out as ONNX Runtime's quantizer
// (quantize_static, QuantFormat.QDQ, per tensor) lays models out, so that ONNX Runtime and
// other QDQ consumers run what octet quantized.
#pragma once
#include <string>

#include "graph/ir.h"

namespace octet::quant {

// Serialized ModelProto bytes of an annotated graph (Value::quant set, before conv epilogue
// fusion; docs/quantization.md). The layout, with ONNX Runtime's names (quant/qdq_detail.h):
//  - an annotated weight: its integers (uint8 or int8, per the parameters' type) as the
//    initializer W_quantized with scalar W_scale / W_zero_point -> DequantizeLinear;
//  - an annotated int32 bias: B_quantized with B_quantized_scale ([1]) and an int32 zero
//    point -> DequantizeLinear, whose output keeps the name B;
//  - every annotated activation (node output or graph input): QuantizeLinear ->
//    DequantizeLinear right after its producer; all its readers read the DequantizeLinear.
//    A graph output T is written as T_QuantizeLinear_Input and the DequantizeLinear produces T;
//    an activation written by Reshape, Transpose, Squeeze, Unsqueeze, AveragePool, MaxPool or
//    Slice with its input's parameters shares the input's scale and zero point initializers;
//  - a Relu whose input and output carry identical parameters with the zero point at its
//    type's minimum (QuantizeLinear then clamps at real 0), whose input has no other reader and
//    is not a graph input or output, is dropped: its producer writes the Relu's output;
//  - unannotated values (Softmax's output, say) stay float, and float ops read the
//    DequantizeLinear outputs;
//  - opset max(graph opset, 13) (a graph below 13 has Softmax, Squeeze, Unsqueeze, Clip, Pad,
//    Slice and Dropout rewritten to their opset-13 forms; a pre-13 Softmax over several dims is
//    refused); graph input and output names, element types and shapes (symbolic dims
//    included) are kept; a name the export adds that the graph already uses gets a "_1" suffix.
// Throws octet::Error on a graph it cannot write: octet's fused Conv form (a residual input
// or fused activation, Node::epilogue), parameters on a non-float value, or a quantized type other than
// uint8/int8 (int32 for constants).
std::string export_qdq(const Graph& annotated);

// export_qdq() written to `path`; throws octet::Error naming the path when it cannot.
void write_qdq_file(const Graph& annotated, const std::string& path);

}  // namespace octet::quant
