// octet-eval --quantize: the FP32 model and its quantized variants (scheme x granularity x
// calibration method) run on the same images, compared the way the project octet replaces
// reported them: accuracy, its change from FP32, top-1 agreement with FP32, and model size;
// with the SQNR of each variant's worst quantized tensor.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/pipeline/model.h"
#include "engine/runtime/plan.h"
#include "quant/calibration_method.h"
#include "quant/scheme.h"
#include "tools/datasets/cifar.h"
#include "tools/reports/eval_report.h"

namespace octet {

// Top-1 predictions of a plan on every image of `set` (argmax, -1 for all-NaN rows), run in
// batches of `batch` on `threads` threads. Adds to `counts` and `seconds` when given.
std::vector<int> predict(const Plan& plan, const CifarSet& set, ImageLayout layout, int batch, int threads,
                         EvalCounts* counts = nullptr, double* seconds = nullptr);

struct VariantResult {
  std::string label;        // "fp32", "uint8", ...: the scheme
  // The row's other coordinates ("-" for FP32). Granularity is "per-tensor" for every variant
  // octet makes today: the column is there for per-channel weights.
  std::string granularity = "-", method = "-";
  uint64_t model_bytes = 0; // size of the model file this variant is stored as
  // The lowest SQNR (dB) of any quantized tensor against FP32 (tools/reports/quant_error.h) and
  // that tensor's name; not measured for FP32 or without ComparisonInput::sqnr_images.
  std::optional<double> worst_sqnr_db;
  std::string worst_tensor;
  std::vector<EvalCounts> files;             // one per data file
  std::vector<std::vector<int>> predictions; // one per data file
  std::vector<double> seconds;               // one per data file
};

// One table, a row per variant in the order given, with per data file its accuracy, change
// from FP32 and top-1 agreement with FP32 (file i's columns are headed #i; a legend under the
// table names the files by `file_labels`). The first variant is the FP32 baseline.
std::string comparison_text(const std::vector<std::string>& file_labels, const std::vector<VariantResult>& variants);
// The same as one JSON object: {"files": [...], "variants": [{label, granularity, method,
// model_bytes, worst_sqnr_db, worst_tensor, files: [per file: accuracy, correct, total,
// delta_vs_fp32, agreement_with_fp32]}]}.
std::string comparison_json(const std::vector<std::string>& file_labels, const std::vector<VariantResult>& variants);

struct ComparisonInput {
  const Model* model = nullptr;           // the FP32 ONNX model
  uint64_t fp32_model_bytes = 0;          // its file size
  std::vector<const CifarSet*> sets;      // the data files, already subset as wanted
  ImageLayout layout = ImageLayout::NHWC;
  const Calibration* calibration = nullptr;   // of `model`: what each variant is quantized from
  std::vector<quant::Scheme> schemes;
  std::vector<quant::MethodOptions> methods{quant::MethodOptions{}};   // each scheme with each
  // Images the worst-tensor SQNR is measured on (null: not measured); it runs them on the
  // reference executor once per variant.
  const CifarSet* sqnr_images = nullptr;
  // Called before each quantized variant is built and run, with its place ("3/12") and name.
  std::function<void(const std::string& place, const std::string& name)> on_variant;
  // Weight granularities, each scheme with each: false per tensor, true per channel (not for
  // uint8, whose weights are asymmetric: that pair is skipped).
  std::vector<bool> per_channel{false};
  int batch = 32, threads = 1;
  // Bytes of the file a quantized model is stored as (its QDQ ONNX export); 0 if unknown.
  std::function<uint64_t(const Model&)> model_bytes;
};

// Runs FP32 and each scheme with each method (quantized from the one calibration, compiled for
// the int8 runtime) on every set. The first result is FP32; then the schemes in order, each
// with every method in order.
std::vector<VariantResult> compare_schemes(const ComparisonInput& in);

// Fraction of positions where a and b are equal (sizes must match; 0 images gives nullopt).
std::optional<double> agreement(const std::vector<int>& a, const std::vector<int>& b);

}  // namespace octet
