// ONNX ModelProto → octet IR. The only place (with onnx_export later) that sees protobuf.
#pragma once
#include <cstdint>
#include <span>
#include <string>

#include "graph/ir.h"

namespace octet {

// Parses and converts; throws octet::Error with the file, node, op type and opset named on
// anything malformed or unsupported (unknown op, opset out of range, missing initializer,
// unsupported dtype, initializer bytes not matching its shape, truncated or garbage bytes).
// The graph is returned topologically sorted but not yet folded: see prepare_graph().
Graph import_onnx_bytes(std::span<const uint8_t> bytes, const std::string& source_name = "<memory>");
Graph import_onnx_file(const std::string& path);

}  // namespace octet

namespace octet {

// Reads one serialized TensorProto (the input_*.pb / output_*.pb files of ONNX's
// conformance tests). Throws octet::Error on malformed data or an unsupported dtype.
Tensor import_onnx_tensor_bytes(std::span<const uint8_t> bytes, const std::string& source_name = "<memory>");
Tensor import_onnx_tensor_file(const std::string& path);

}  // namespace octet
