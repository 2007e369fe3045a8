// Where calibration data comes from, and the calibration loop. The library knows no dataset:
// a CalibrationSource hands out batches of float tensors (tools/datasets/cifar_calibration.h
// reads CIFAR-10 files; TensorBatches holds batches already in memory, as a Python binding's
// arrays would be).
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "graph/ir.h"
#include "graph/tensor.h"
#include "quant/calibrate.h"

namespace octet {

class CalibrationSource {
 public:
  virtual ~CalibrationSource() = default;
  // The next batch: one float32 tensor per model input, in the model's input order, each with
  // the batch first and the model's other dimensions; nullopt when the data is exhausted.
  virtual std::optional<std::vector<Tensor>> next() = 0;
};

// Batches held in memory, handed out in order, once.
class TensorBatches : public CalibrationSource {
 public:
  explicit TensorBatches(std::vector<std::vector<Tensor>> batches) : batches_(std::move(batches)) {}
  std::optional<std::vector<Tensor>> next() override;

 private:
  std::vector<std::vector<Tensor>> batches_;
  size_t next_ = 0;
};

struct CalibrateOptions {
  // Called after each batch with the number of images observed so far (a tool's progress bar).
  std::function<void(int64_t images)> on_batch;
};

// Ranges and histograms (quant/calibrate.h) of every value of `base` (from quantization_base) over every batch of
// `source`, run on the reference executor. The model must have one input (the calibrator's
// limit); a batch with another tensor count, or a source with no batch at all, is refused.
std::vector<quant::ValueRange> calibrate(const Graph& base, CalibrationSource& source,
                                         const CalibrateOptions& options = {});

}  // namespace octet
