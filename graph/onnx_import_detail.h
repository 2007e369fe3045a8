// Internals shared by the importer's source files (onnx_import*.cpp). Only these files see
// protobuf types; nothing outside graph/onnx_import*.cpp may include this header.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "graph/tensor.h"
#include "onnx.pb.h"

namespace octet::onnx_detail {

// Converts a TensorProto (initializer, Constant value, conformance-test .pb) to a Tensor.
// `what` names the tensor in errors, e.g. "initializer 'conv1.weight'". Sizes are checked
// against the bytes actually present before anything is allocated.
Tensor tensor_from_proto(const onnx::TensorProto& proto, const std::string& what);

}  // namespace octet::onnx_detail
