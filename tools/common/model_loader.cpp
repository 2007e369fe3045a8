#include "tools/common/model_loader.h"

#include "engine/prepare.h"
#include "graph/onnx_import.h"
#include "graph/passes/optimize.h"
#include "quant/qdq_import.h"
#include "tools/common/quantize_model.h"

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

}  // namespace octet
