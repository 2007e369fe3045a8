// Internals shared by quant/qdq_*.cpp: ONNX Runtime's names for the tensors and nodes of a
// QDQ model, and small graph-editing helpers. Not part of octet's API.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "graph/ir.h"

namespace octet::quant::qdq {

// ONNX Runtime's quantizer (onnxruntime/python/tools/quantization, quant_utils.py) names:
//   activation T:  T_QuantizeLinear -> T_QuantizeLinear_Output -> T_DequantizeLinear ->
//                  T_DequantizeLinear_Output, with initializers T_scale and T_zero_point;
//                  a graph output T is written by its producer as T_QuantizeLinear_Input and
//                  the DequantizeLinear produces T itself;
//   weight W:      W_quantized, W_scale, W_zero_point -> W_DequantizeLinear ->
//                  W_DequantizeLinear_Output;
//   bias B:        B_quantized, B_quantized_scale ([1]), B_quantized_zero_point -> B_DequantizeLinear -> B.
inline constexpr std::string_view kQuantSuffix = "_QuantizeLinear";
inline constexpr std::string_view kQuantOutputSuffix = "_QuantizeLinear_Output";
inline constexpr std::string_view kQuantInputSuffix = "_QuantizeLinear_Input";
inline constexpr std::string_view kDequantSuffix = "_DequantizeLinear";
inline constexpr std::string_view kDequantOutputSuffix = "_DequantizeLinear_Output";
inline constexpr std::string_view kQuantizedSuffix = "_quantized";
inline constexpr std::string_view kScaleSuffix = "_scale";
inline constexpr std::string_view kZeroPointSuffix = "_zero_point";
// octet's own convention: the input of a Relu that a QDQ file had merged into its producer
// (see recognise_qdq) is named after the Relu's output plus this suffix.
inline constexpr std::string_view kReluInputSuffix = "_relu_input";

bool ends_with(std::string_view s, std::string_view suffix);

// Parameters of a QuantizeLinear / DequantizeLinear node, read from its constant scale and
// zero point: per tensor, or per axis (a 1-D scale with the node's `axis`; the zero points
// must be equal). nullopt when either is computed at run time (the node then stays a real
// operator). Throws octet::Error naming the node for block parameters, unequal per-axis zero
// points and scale or zero-point types octet's IR cannot hold.
std::optional<QuantParams> node_params(const Graph& g, const Node& n);

// q - zero_point, times scale, for every element of an 8- or 32-bit integer tensor; and the
// float tensor a fake-quantized constant holds (quantize, then dequantize).
Tensor dequantize_tensor(const Tensor& q, const QuantParams& p);
Tensor fake_quantize_tensor(const Tensor& x, const QuantParams& p);
// The integers a quantized initializer stores for the float constant x.
Tensor quantize_tensor(const Tensor& x, const QuantParams& p);

// Node indices reading each value (one entry per input slot).
std::vector<std::vector<int>> consumers(const Graph& g);
bool is_graph_output(const Graph& g, int value);
bool is_graph_input(const Graph& g, int value);
// Makes every node input and graph output that reads `from` read `to`.
void replace_uses(Graph& g, int from, int to);
// Removes the flagged nodes, keeping the order of the others.
void erase_nodes(Graph& g, const std::vector<bool>& drop);
// Removes values nothing refers to (no node, graph input or graph output) and renumbers;
// returns the new id of each old value id (kNoValue for removed ones).
std::vector<int> compact_values(Graph& g);
// A fresh value named `name` (made unique with a numeric suffix if taken).
int new_value(Graph& g, const std::string& name, DType dtype = DType::Undefined, Shape shape = {});
// A new constant value holding `t`.
int new_constant(Graph& g, const std::string& name, Tensor t);

// QLinearConv / QLinearMatMul -> DequantizeLinear -> Conv / MatMul -> QuantizeLinear
// (qdq_import_qlinear.cpp). Records in `renames` the value whose name should become the
// QLinear op's original output name once the integer tensor of that name is gone.
void expand_qlinear_ops(Graph& g, std::vector<std::pair<int, std::string>>& renames);

// Rewrites a graph below opset 13 into opset-13 node forms (qdq_export_opset.cpp); throws
// octet::Error naming the node for a form that has no opset-13 equivalent.
void upgrade_to_opset13(Graph& g);

}  // namespace octet::quant::qdq
