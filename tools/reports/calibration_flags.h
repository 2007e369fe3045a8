// The calibration flags that octet-compile, octet-eval --quantize and octet-run --quantize
// share: --calib F (a CIFAR-10 file, or .npy files: "file.npy" for a one-input model,
// "NAME=file.npy" per input otherwise), --calib-per-class N (CIFAR-10: the first N images of
// each class, in file order; default 100), --calib-count N (the first N samples; default all).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/pipeline/model.h"
#include "tools/cli/cli.h"

namespace octet {

// The keys calibration_flags reads, for cli::Args's list.
inline const std::vector<std::string> kCalibrationKeys = {"calib", "calib-per-class", "calib-count"};

struct CalibrationFlags {
  std::vector<std::string> files;     // every --calib
  std::optional<int64_t> per_class;   // --calib-per-class, if given
  int64_t count = 0;                  // --calib-count; 0: all
  // .npy data (a file named *.npy, or NAME=...), rather than one CIFAR-10 file.
  bool npy() const;
};

// The flags in `args`; `default_file` when there is no --calib. Throws octet::Error for
// several CIFAR-10 files or --calib-per-class with .npy files.
CalibrationFlags calibration_flags(const cli::Args& args, const std::string& default_file);

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
