#include "engine/pipeline/stages.h"

#include "engine/prepare.h"
#include "graph/onnx_import.h"
#include "graph/passes/optimize.h"
#include "quant/qdq_import.h"
#include "quant/quantize_graph.h"

namespace octet {

Graph load_reference_graph(const std::string& onnx_path) {
  Graph g = import_onnx_file(onnx_path);
  prepare_graph(g);
  return g;
}

Graph load_optimized_graph(const std::string& onnx_path) {
  Graph g = load_reference_graph(onnx_path);
  optimize_graph(g);
  return g;
}

Graph load_runtime_graph(const std::string& onnx_path) {
  Graph g = import_onnx_file(onnx_path);
  quant::recognise_qdq(g);
  prepare_graph(g);
  return g;
}

Plan load_plan(const std::string& onnx_path, const CompileOptions& options) {
  return compile_for_runtime(load_runtime_graph(onnx_path), options);
}

Graph quantization_base(const Graph& prepared) {
  Graph g = prepared;
  optimize_graph(g, /*fuse_epilogues=*/false);
  return g;
}

Graph quantize_model(const Graph& base, const std::vector<quant::ValueRange>& ranges, quant::Scheme scheme,
                     const quant::QuantizeOptions& options) {
  Graph q = base;
  quant::quantize_graph(q, ranges, scheme, options);
  return q;
}

Plan compile_for_runtime(const Graph& prepared, const CompileOptions& options) {
  if (quant::is_quantized(prepared)) return compile_plan(quant::fuse_quantized_graph(prepared), options);
  Graph g = prepared;
  optimize_graph(g);
  return compile_plan(g, options);
}

}  // namespace octet
