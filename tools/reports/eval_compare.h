// octet-eval --quantize: the FP32 model and its quantized variants run on the same images,
// compared the way the project octet replaces reported them: accuracy, its change from FP32,
// top-1 agreement with FP32, and model size.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/pipeline/model.h"
#include "engine/runtime/plan.h"
#include "quant/scheme.h"
#include "tools/datasets/cifar.h"
#include "tools/reports/eval_report.h"

namespace octet {

// Top-1 predictions of a plan on every image of `set` (argmax, -1 for all-NaN rows), run in
// batches of `batch` on `threads` threads. Adds to `counts` and `seconds` when given.
std::vector<int> predict(const Plan& plan, const CifarSet& set, ImageLayout layout, int batch, int threads,
                         EvalCounts* counts = nullptr, double* seconds = nullptr);

struct VariantResult {
  std::string label;        // "fp32", "uint8", ...
  uint64_t model_bytes = 0; // size of the model file this variant is stored as
  std::vector<EvalCounts> files;             // one per data file
  std::vector<std::vector<int>> predictions; // one per data file
  std::vector<double> seconds;               // one per data file
};

// One table per data file, rows in the order given; the first variant is the FP32 baseline
// for the Δ, agreement and size-reduction columns. `file_labels` name the files.
std::string comparison_text(const std::vector<std::string>& file_labels, const std::vector<VariantResult>& variants);
// The same as one JSON object: {"files": [...], "variants": [{label, model_bytes, per file:
// accuracy, correct, total, delta_vs_fp32, agreement_with_fp32}]}.
std::string comparison_json(const std::vector<std::string>& file_labels, const std::vector<VariantResult>& variants);

struct ComparisonInput {
  const Model* model = nullptr;           // the FP32 ONNX model
  uint64_t fp32_model_bytes = 0;          // its file size
  std::vector<const CifarSet*> sets;      // the data files, already subset as wanted
  ImageLayout layout = ImageLayout::NHWC;
  const Calibration* calibration = nullptr;   // of `model`: what each scheme is quantized from
  std::vector<quant::Scheme> schemes;
  bool per_channel = false;   // each scheme with per-channel weights (labelled "u8s8 per-channel")
  int batch = 32, threads = 1;
  // Bytes of the file a quantized model is stored as (its QDQ ONNX export); 0 if unknown.
  std::function<uint64_t(const Model&)> model_bytes;
};

// Runs FP32 and each scheme (quantized from the one calibration, compiled for the int8
// runtime) on every set. The first result is FP32.
std::vector<VariantResult> compare_schemes(const ComparisonInput& in);

// Fraction of positions where a and b are equal (sizes must match; 0 images gives nullopt).
std::optional<double> agreement(const std::vector<int>& a, const std::vector<int>& b);

}  // namespace octet
