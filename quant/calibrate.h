// Calibration: runs the float graph on the reference executor over calibration images and
// records, per value, the smallest and largest number it took (MinMax) and the histogram of
// its magnitudes that the other calibration methods clip by (quant/calibration_method.h),
// in the same single pass. The observer
// attaches to the executor (engine/executor.h), so no second, instrumented copy of the model
// is built.
#pragma once
#include <cstdint>
#include <vector>

#include "graph/ir.h"
#include "quant/histogram.h"

namespace octet::quant {

struct ValueRange {
  float min = 0.f, max = 0.f;
  bool seen = false;   // false: never computed (constants, unreachable values)
  AbsHistogram histogram;   // of |x| over every element seen (finite ones)
  // Mean over the calibration images of each element of one image (the value's dims without
  // the batch), for bias correction (quant/quantize_graph.h).
  std::vector<double> mean;
  int64_t images = 0;   // images averaged into `mean` so far
};

class Calibrator {
 public:
  explicit Calibrator(const Graph& graph);
  // Runs one batch (the graph's single input), widens the ranges and fills the histograms.
  // NaNs are ignored.
  void observe(const Tensor& input_batch);
  const std::vector<ValueRange>& ranges() const { return ranges_; }   // indexed by value id
  int64_t images() const { return images_; }

 private:
  const Graph& graph_;
  std::vector<ValueRange> ranges_;
  int64_t images_ = 0;
};

}  // namespace octet::quant
