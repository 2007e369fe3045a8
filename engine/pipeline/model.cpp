#include "engine/pipeline/model.h"

#include <algorithm>
#include <fstream>
#include <iterator>

#include "engine/runtime/model_file.h"
#include "engine/runtime/model_file_format.h"
#include "engine/pipeline/stages.h"
#include "engine/prepare.h"
#include "engine/runtime/error.h"
#include "graph/onnx_import.h"
#include "graph/printer.h"
#include "quant/qdq_export.h"
#include "quant/qdq_import.h"
#include "quant/quantize_graph.h"

namespace octet {
namespace {

// Whether the file at `path` starts with the .octet magic. Throws naming the path when it
// cannot be opened.
bool is_octet_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw Error(path + ": cannot open (no such file, or not readable)");
  char head[sizeof model_file::kMagic] = {};
  f.read(head, sizeof head);
  return f.gcount() == sizeof head && std::equal(head, head + sizeof head, model_file::kMagic);
}

TensorInfo info_of(const Value& v) {
  TensorInfo t{v.name, v.dtype, {}};
  for (const Dim& d : v.shape.dims) t.dims.push_back(d.is_known() ? d.value : -1);
  return t;
}

std::vector<TensorInfo> infos_of(const Graph& g, const std::vector<int>& ids) {
  std::vector<TensorInfo> out;
  for (int id : ids) out.push_back(info_of(g.value(id)));
  return out;
}

// Plan ports carry float32 data (Session::run takes floats), batch first.
std::vector<TensorInfo> infos_of(const std::vector<Port>& ports) {
  std::vector<TensorInfo> out;
  for (const Port& p : ports) out.push_back(TensorInfo{p.name, DType::Float32, p.dims});
  return out;
}

}  // namespace

Model Model::load(const std::string& path, const LoadOptions& options) {
  Model m;
  m.source_ = path;
  if (is_octet_file(path)) {
    ModelFileMeta meta;
    m.format_ = ModelFormat::OctetFile;
    m.plan_ = std::make_shared<const Plan>(read_model_file(path, {}, &meta));
    m.scheme_ = meta.scheme;
    return m;
  }
  Graph g = import_onnx_file(path);
  if (options.recognise_qdq) quant::recognise_qdq(g);
  prepare_graph(g);
  m.scheme_ = quant::is_quantized(g) ? "qdq" : "fp32";
  m.graph_ = std::move(g);
  return m;
}

Model Model::from_graph(Graph prepared, std::string source) {
  Model m;
  m.source_ = std::move(source);
  m.scheme_ = quant::is_quantized(prepared) ? "qdq" : "fp32";
  m.graph_ = std::move(prepared);
  return m;
}

bool Model::is_quantized() const {
  // A .octet file says what it holds in its provenance (Model::save writes it).
  return graph_ ? quant::is_quantized(*graph_) : scheme_ != "fp32" && !scheme_.empty();
}

std::vector<TensorInfo> Model::inputs() const {
  return graph_ ? infos_of(*graph_, graph_->inputs) : infos_of(plan_->inputs);
}

std::vector<TensorInfo> Model::outputs() const {
  return graph_ ? infos_of(*graph_, graph_->outputs) : infos_of(plan_->outputs);
}

std::string Model::describe() const {
  std::string out = source_ + ": " + (format_ == ModelFormat::Onnx ? "ONNX" : ".octet") + " model, scheme " +
                    scheme_ + "\n";
  return out + (graph_ ? print_graph(*graph_) : plan_->describe());
}

void Model::require_graph(const char* what) const {
  if (!graph_) throw Error(source_ + ": " + what + " needs an ONNX model; a .octet file holds a compiled plan");
}

const Graph& Model::graph() const {
  require_graph("the graph");
  return *graph_;
}

Calibration Model::calibrate(CalibrationSource& source, const CalibrateOptions& options) const {
  require_graph("calibration");
  if (quant::is_quantized(*graph_)) throw Error(source_ + ": already quantized (" + scheme_ + "); calibration needs a float model");
  Calibration c{quantization_base(*graph_), {}};
  c.ranges = octet::calibrate(c.base, source, options);
  return c;
}

Model Model::quantize(const Calibration& calibration, const QuantizeOptions& options) const {
  require_graph("quantization");
  if (quant::is_quantized(*graph_)) throw Error(source_ + ": already quantized (" + scheme_ + ")");
  Model q;
  q.source_ = source_;
  q.scheme_ = std::string(quant::scheme_name(options.scheme));
  if (options.per_channel) q.scheme_ += " per-channel";
  quant::QuantizeOptions quantize;
  quantize.calibration = options.calibration;
  quantize.per_channel = options.per_channel;
  q.graph_ = quantize_model(calibration.base, calibration.ranges, options.scheme, quantize);
  return q;
}

Model Model::quantize(CalibrationSource& source, const QuantizeOptions& options,
                      const CalibrateOptions& calibrate_options) const {
  return quantize(calibrate(source, calibrate_options), options);
}

const Plan& Model::compile(const CompileOptions& options) {
  if (!graph_) throw Error(source_ + ": a .octet file is compiled already (its kernels were chosen when it was written)");
  plan_ = std::make_shared<const Plan>(compile_for_runtime(*graph_, options));
  return *plan_;
}

const Plan& Model::plan() { return *shared_plan(); }

std::shared_ptr<const Plan> Model::shared_plan() {
  if (!plan_) compile();
  return plan_;
}

void Model::save(const std::string& path, const std::string& producer) {
  save_model_file(plan(), path, ModelFileMeta{producer, source_, scheme_});
}

void Model::export_qdq(const std::string& path) const {
  require_graph("QDQ export");
  if (!quant::is_quantized(*graph_)) throw Error(source_ + ": not quantized; quantize it before exporting QDQ");
  quant::write_qdq_file(*graph_, path);
}

}  // namespace octet
