// The stages of octet's pipeline from an ONNX file to a plan, as free functions over the IR:
// import → prepare (fold, shapes) → optimise (fold BN/Pad, fuse epilogues) → compile, with the
// quantization stages in between. engine/pipeline/model.h is the front door built on them;
// these are for callers that need a graph between two stages (the reference executor, the
// quantization error report, tests of one stage).
#pragma once
#include <string>
#include <vector>

#include "engine/compile.h"
#include "engine/runtime/plan.h"
#include "graph/ir.h"
#include "quant/calibrate.h"
#include "quant/calibration_method.h"
#include "quant/quantize_graph.h"
#include "quant/scheme.h"

namespace octet {

// Imported and prepared, ready for the reference executor (Q/DQ operators stay operators).
Graph load_reference_graph(const std::string& onnx_path);
// Imported, prepared and optimised; the graph compile_plan() takes.
Graph load_optimized_graph(const std::string& onnx_path);
// Imported with QuantizeLinear/DequantizeLinear pairs recognised as quantization parameters
// (quant/qdq_import.h), then prepared: the graph compile_for_runtime() takes, float or QDQ.
Graph load_runtime_graph(const std::string& onnx_path);
// The optimised runtime's plan of a float or QDQ model.
Plan load_plan(const std::string& onnx_path, const CompileOptions& options = {});

// The graph quantization starts from: a copy of the prepared float graph, optimised without
// epilogue fusion (BatchNorm, Pad folded; Conv, Add, Relu separate).
Graph quantization_base(const Graph& prepared);
// The quantized graph of `base` (from quantization_base) for `scheme`, from the ranges
// calibration observed on `base` (engine/pipeline/calibration.h), with `options`
// (quant/quantize_graph.h: the calibration method, MinMax by default; per-channel weights).
Graph quantize_model(const Graph& base, const std::vector<quant::ValueRange>& ranges, quant::Scheme scheme,
                     const quant::QuantizeOptions& options = {});

// A plan for the optimised runtime from a prepared graph: float graphs are optimised,
// quantized graphs (Value::quant set) have their epilogues fused and run on the int8 kernels.
Plan compile_for_runtime(const Graph& prepared, const CompileOptions& options = {});

}  // namespace octet
