// Calibration data from Python for Model.quantize: a NumPy array (the model's one input,
// [N, ...]), a list or tuple of one array per input, or any other iterable of batches, each an
// array (one input), a list/tuple of arrays in input order or a dict input name -> array.
#pragma once
#include <pybind11/pybind11.h>

#include <optional>
#include <string>
#include <vector>

#include "engine/pipeline/calibration.h"

namespace octet::python {

namespace py = pybind11;

// Images per batch when a whole array is given: CifarCalibration's batch (octet-eval's).
inline constexpr py::ssize_t kCalibrationBatch = 50;

// Hands the batches of `calib` to calibrate() one at a time, converting each to float32
// tensors (a copy, which the library keeps for the batch). It takes the interpreter lock for
// each pull, so quantize may run with it released; create and destroy it with the lock held.
class PythonCalibration : public CalibrationSource {
 public:
  PythonCalibration(py::handle calib, std::vector<std::string> input_names);
  std::optional<std::vector<Tensor>> next() override;

 private:
  std::vector<Tensor> convert(py::handle batch) const;

  std::vector<std::string> input_names_;
  py::iterator batches_;
  std::size_t count_ = 0;   // batches handed out, for messages
};

}  // namespace octet::python
