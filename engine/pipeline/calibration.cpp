#include "engine/pipeline/calibration.h"

#include "engine/runtime/error.h"

namespace octet {

std::optional<std::vector<Tensor>> TensorBatches::next() {
  if (next_ == batches_.size()) return std::nullopt;
  return batches_[next_++];
}

std::vector<quant::ValueRange> calibrate(const Graph& base, CalibrationSource& source,
                                         const CalibrateOptions& options) {
  if (base.inputs.size() != 1)
    throw Error("calibration runs models with one input; this one has " + std::to_string(base.inputs.size()));
  quant::Calibrator calibrator(base);
  int64_t batches = 0;
  while (std::optional<std::vector<Tensor>> batch = source.next()) {
    if (batch->size() != 1)
      throw Error("calibration batch " + std::to_string(batches) + " has " + std::to_string(batch->size()) +
                  " tensors; the model has one input ('" + base.value(base.inputs[0]).name + "')");
    calibrator.observe(batch->front());
    ++batches;
    if (options.on_batch) options.on_batch(calibrator.images());
  }
  if (batches == 0) throw Error("calibration source gave no batch");
  return calibrator.ranges();
}

}  // namespace octet
