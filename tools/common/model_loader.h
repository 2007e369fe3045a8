// The whole path from an ONNX file to something runnable, shared by the tools and tests:
// import → prepare (fold, shapes) → optimise (fold BN/Pad, fuse epilogues) → compile.
#pragma once
#include <string>

#include "engine/compile.h"
#include "engine/runtime/plan.h"
#include "graph/ir.h"

namespace octet {

// Imported and prepared, ready for the reference executor.
Graph load_reference_graph(const std::string& onnx_path);
// Imported, prepared and optimised; the graph compile_plan() takes.
Graph load_optimized_graph(const std::string& onnx_path);
// Imported with QuantizeLinear/DequantizeLinear pairs recognised as quantization parameters
// (quant/qdq_import.h), then prepared: the graph compile_for_runtime() takes, float or QDQ.
Graph load_runtime_graph(const std::string& onnx_path);
// The optimised runtime's plan of a float or QDQ model (tools/common/quantize_model.h).
Plan load_plan(const std::string& onnx_path, const CompileOptions& options = {});

}  // namespace octet
