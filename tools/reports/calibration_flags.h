// The calibration flags that octet-compile, octet-eval --quantize and octet-run --quantize
// share: --calib F (a CIFAR-10 file, or .npy files: "file.npy" for a one-input model,
// "NAME=file.npy" per input otherwise), --calib-per-class N (CIFAR-10: the first N images of
// each class, in file order; default 100), --calib-count N (the first N samples; default all);
// and the calibration method, --method M and --percentile P, which octet-quantize reads too.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/pipeline/model.h"
#include "quant/calibration_method.h"
#include "tools/cli/cli.h"

namespace octet {

// The keys method_flags reads, and those calibration_flags reads (method_flags' among them),
// for cli::Args's list.
inline const std::vector<std::string> kMethodKeys = {"method", "percentile"};
inline const std::vector<std::string> kCalibrationKeys = {"calib", "calib-per-class", "calib-count", "method",
                                                          "percentile"};

// The usage lines of --method and --percentile for a tool that takes one method.
#define OCTET_METHOD_USAGE                                                                        \
  "  --method M            how activation ranges are calibrated: minmax (default: the observed\n" \
  "                        range), percentile, entropy (KL divergence, as TensorRT) or mse\n"     \
  "                        (docs/quantization.md, \"Calibration methods\")\n"                      \
  "  --percentile P        --method percentile: the percentile of |x| kept (default 99.99)\n"

struct MethodFlags {
  std::vector<quant::Method> methods{quant::Method::MinMax};   // one, unless the tool takes a list
  double percentile = 99.99;
  quant::MethodOptions options(quant::Method m) const { return {m, percentile}; }
  quant::MethodOptions only() const { return options(methods.at(0)); }
};

// --method (one name; with `several`, a comma list or all) and --percentile (in (0, 100], only
// with the percentile method). Throws octet::Error naming the flag.
MethodFlags method_flags(const cli::Args& args, bool several);
// Throws octet::Error when --method or --percentile is given to a run that does not quantize
// (`quantizing` false), naming `quantize_flag`, the flag that would make it quantize.
void refuse_method_without_quantizing(const cli::Args& args, bool quantizing, const std::string& quantize_flag);

struct CalibrationFlags {
  std::vector<std::string> files;     // every --calib
  std::optional<int64_t> per_class;   // --calib-per-class, if given
  int64_t count = 0;                  // --calib-count; 0: all
  MethodFlags method;                 // --method, --percentile
  // .npy data (a file named *.npy, or NAME=...), rather than one CIFAR-10 file.
  bool npy() const;
};

// The flags in `args`; `default_file` when there is no --calib; `several_methods` as in
// method_flags. Throws octet::Error for several CIFAR-10 files or --calib-per-class with .npy
// files.
CalibrationFlags calibration_flags(const cli::Args& args, const std::string& default_file,
                                   bool several_methods = false);

struct CalibrationRun {
  Calibration calibration;
  // "1000 images of F (first 100 per class)", "500 samples of x.npy": for the tools' reports.
  std::string description;
  std::string cifar_file;                // CIFAR-10 only: the file and the indices of the
  std::vector<size_t> cifar_indices;     // images used (to score the others)
};

// Calibrates `model` (a float ONNX model) on the data the flags name, with a progress bar
// when `progress` is set.
CalibrationRun calibrate_from_flags(const Model& model, const CalibrationFlags& flags, bool progress);

}  // namespace octet
