// Model inputs from .npy files, as the tools' flags name them: --input / --calib take
// "NAME=file.npy" (repeatable, one per model input) or, for a model with one input, just
// "file.npy". Each file holds [rows, the input's other dims] float32; the first dim is the
// batch whatever the model declares, so a file of many rows feeds many runs (octet-run) or
// calibration batches (NpyCalibration).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "engine/pipeline/model.h"
#include "graph/tensor.h"

namespace octet {

struct NpyInput {
  std::string name;   // the model input's
  std::string path;
  Tensor tensor;      // [rows, ...]
};

// One array per model input, in the model's input order. Throws octet::Error naming `flag`
// and the file for: an unknown input name (listing the model's), an input given twice or not
// at all, an unnamed file when the model has several inputs, a rank or a non-batch dimension
// that differs from the input's (expected and got both printed), files with different row
// counts, and a file with no rows; read_npy's errors for the file itself.
std::vector<NpyInput> read_npy_inputs(const std::vector<TensorInfo>& inputs, const std::vector<std::string>& args,
                                      const std::string& flag);

// Rows [first, first + count) of `t` (the first dimension), as a tensor of their own.
Tensor slice_rows(const Tensor& t, int64_t first, int64_t count);

}  // namespace octet
