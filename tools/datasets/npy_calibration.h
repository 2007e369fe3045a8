// .npy arrays as calibration data (engine/pipeline/calibration.h): one array per model input,
// [rows, the input's other dims] (tools/datasets/npy_inputs.h reads and checks them), handed
// out `batch` rows at a time, in order, like CifarCalibration does with images.
#pragma once
#include <cstddef>
#include <optional>
#include <vector>

#include "engine/pipeline/calibration.h"
#include "graph/tensor.h"

namespace octet {

class NpyCalibration : public CalibrationSource {
 public:
  static constexpr size_t kDefaultBatch = 50;   // CifarCalibration's, so that the same images give the same ranges
  // `arrays`: one per model input, in the model's input order, all with the same row count;
  // `count` rows are used (0: all; more than the arrays hold is refused).
  NpyCalibration(std::vector<Tensor> arrays, size_t count = 0, size_t batch = kDefaultBatch);
  std::optional<std::vector<Tensor>> next() override;
  size_t rows() const { return rows_; }

 private:
  std::vector<Tensor> arrays_;
  size_t rows_ = 0, batch_, next_ = 0;
};

}  // namespace octet
