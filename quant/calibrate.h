// MinMax calibration: runs the float graph on the reference executor over calibration
// images and records, per value, the smallest and largest number it took. The observer
// attaches to the executor (engine/executor.h), so no second, instrumented copy of the model
// is built.
#pragma once
#include <cstdint>
#include <vector>

#include "graph/ir.h"

namespace octet::quant {

struct ValueRange {
  float min = 0.f, max = 0.f;
  bool seen = false;   // false: never computed (constants, unreachable values)
  // Mean over the calibration images of each element of one image (the value's dims without
  // the batch), for bias correction (quant/quantize_graph.h).
  std::vector<double> mean;
  int64_t images = 0;   // images averaged into `mean` so far
};

class MinMaxCalibrator {
 public:
  explicit MinMaxCalibrator(const Graph& graph);
  // Runs one batch (the graph's single input) and widens the ranges. NaNs are ignored.
  void observe(const Tensor& input_batch);
  const std::vector<ValueRange>& ranges() const { return ranges_; }   // indexed by value id
  int64_t images() const { return images_; }

 private:
  const Graph& graph_;
  std::vector<ValueRange> ranges_;
  int64_t images_ = 0;
};

}  // namespace octet::quant
