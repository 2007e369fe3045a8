// octet's front door: one model from file to plan. Model::load reads an ONNX model (float, or
// QDQ: QuantizeLinear/DequantizeLinear pairs become quantization parameters) or a .octet file
// (a plan compiled earlier); an ONNX model can then be quantized from a calibration source,
// compiled for this CPU, saved as .octet or exported as QDQ ONNX. The tools, the tests, the
// benchmarks and the Python binding go through it; engine/pipeline/stages.h has the stages it
// chains, for callers that need a graph between two of them.
//
//   Model m = Model::load("resnet8.onnx");
//   TensorBatches calib({{images}});                 // or any CalibrationSource
//   Model q = m.quantize(calib, {.scheme = quant::Scheme::U8S8});
//   q.save("resnet8.octet");                          // compiles for this CPU first
//   ModelSession session(q, {.threads = 2, .max_batch = 8});   // or Session(q.plan(), ...)
//   std::vector<NamedTensor> out = session.run({{"input_1", batch_of_images}});
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/compile.h"
#include "engine/pipeline/calibration.h"
#include "engine/runtime/plan.h"
#include "graph/dtype.h"
#include "graph/ir.h"
#include "octet/version.h"
#include "quant/calibrate.h"
#include "quant/calibration_method.h"
#include "quant/scheme.h"

namespace octet {

enum class ModelFormat {
  Onnx,        // an ONNX model: a graph, compiled on demand
  OctetFile,   // a .octet file: a compiled plan, no graph
};

struct LoadOptions {
  // ONNX only: recognise QuantizeLinear/DequantizeLinear pairs as quantization parameters, so
  // that a QDQ model compiles for the int8 kernels. Off: they stay operators, which the
  // reference executor runs in float as ONNX defines them (octet-eval --reference).
  bool recognise_qdq = true;
};

// A graph input or output as a caller feeds or reads it.
struct TensorInfo {
  std::string name;
  DType dtype = DType::Float32;
  std::vector<int64_t> dims;   // -1 where the model leaves the size open (the batch, usually)
  bool operator==(const TensorInfo&) const = default;
};

struct QuantizeOptions {
  quant::Scheme scheme = quant::Scheme::U8S8;
  // How activation ranges are calibrated (quant/calibration_method.h): MinMax by default, or
  // a clipping method and its percentile. Weights are per tensor.
  quant::MethodOptions calibration;
  // Symmetric int8 weights with one scale per output channel (int8 and u8s8 only; the
  // model's scheme() then reads e.g. "u8s8 per-channel"). Per tensor by default.
  bool per_channel = false;
};

// What calibration observed: the float graph quantization starts from (quantization_base of
// the model: optimised, epilogues not fused) and the range and histogram of each of its
// values. One calibration serves any number of schemes and calibration methods.
struct Calibration {
  Graph base;
  std::vector<quant::ValueRange> ranges;   // indexed by base's value ids
};

class Model {
 public:
  // Reads `path`: a .octet file (recognised by its magic bytes) or otherwise an ONNX model,
  // which is imported and prepared (constants folded, shapes inferred). Throws octet::Error
  // naming the path when the file is missing, unreadable or not a model.
  static Model load(const std::string& path, const LoadOptions& options = {});
  // A model from a prepared graph (prepare_graph done; float, or with Value::quant set);
  // `source` names it in messages and in the .octet provenance.
  static Model from_graph(Graph prepared, std::string source);

  const std::string& source() const { return source_; }
  ModelFormat format() const { return format_; }
  // "fp32", "qdq" (a quantized ONNX model as loaded), "uint8" / "int8" / "u8s8" (quantized by
  // quantize()), or what a .octet file records.
  const std::string& scheme() const { return scheme_; }
  bool is_quantized() const;

  std::vector<TensorInfo> inputs() const;
  std::vector<TensorInfo> outputs() const;
  // A header (source, format, scheme), then one line per node of the graph (graph/printer.h)
  // or, for a .octet model, per step of the plan (Plan::describe).
  std::string describe() const;

  // The prepared graph (float, or annotated with quantization parameters before epilogue
  // fusion: the layout of a QDQ model). Throws for a .octet model, which holds no graph.
  const Graph& graph() const;

  // Ranges and histograms of the float model's values over every batch of `source`.
  Calibration calibrate(CalibrationSource& source, const CalibrateOptions& options = {}) const;
  // The model quantized from `calibration` (made by this model's calibrate()).
  Model quantize(const Calibration& calibration, const QuantizeOptions& options = {}) const;
  // calibrate() then quantize(). Only a float ONNX model can be quantized: a quantized or
  // .octet model is refused, naming the source.
  Model quantize(CalibrationSource& source, const QuantizeOptions& options = {},
                 const CalibrateOptions& calibrate_options = {}) const;

  // Compiles the model for the optimised runtime on this CPU (float: optimised, epilogues
  // fused; quantized: the int8 kernels) and keeps the plan for plan() and save(). A .octet
  // model is compiled already and is refused.
  const Plan& compile(const CompileOptions& options = {});
  // The plan that runs the model (Session takes it): the .octet file's, or the last one
  // compile() made (compiling with the default options on first use). Copies of the model
  // share it; it lives as long as one of them does.
  const Plan& plan();
  // plan(), shared: for holders that may outlive this model (engine/pipeline/model_session.h).
  std::shared_ptr<const Plan> shared_plan();
  // plan() as a .octet file carrying the source, the scheme and `producer`.
  void save(const std::string& path, const std::string& producer = "octet " OCTET_VERSION);
  // The quantized graph as a QDQ ONNX model (quant/qdq_export.h). Refused for a float or
  // .octet model.
  void export_qdq(const std::string& path) const;

 private:
  Model() = default;
  void require_graph(const char* what) const;

  std::string source_;
  ModelFormat format_ = ModelFormat::Onnx;
  std::string scheme_;
  std::optional<Graph> graph_;          // ONNX models
  std::shared_ptr<const Plan> plan_;    // a .octet file's, or the last compile()'s
};

}  // namespace octet
