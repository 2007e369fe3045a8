// A histogram of |x| that grows as calibration sees larger values, for the calibration methods
// that clip (quant/calibration_method.h). Values are counted in kBins equal bins over
// [0, limit), the limit a power of two: the smallest one above every |x| seen so far. A batch
// with a larger |x| doubles the limit (adjacent bins merge in pairs) until it is above it.
// Scaling by a power of two is exact, and floor(floor(y) / 2) = floor(y / 2), so the merged
// counts are those a histogram made at the final limit would hold: one pass over the data is
// enough, and the counts depend only on the values, not on how they were batched or ordered
// (the data then fills more than half of the bins). Negative values are counted
// apart from the others, and exact zeros once more on their own (the mean squared error of an
// asymmetric range needs the signs; a zero is stored exactly, whatever the range).
#pragma once
#include <cstdint>
#include <span>
#include <vector>

namespace octet::quant {

class AbsHistogram {
 public:
  static constexpr int kBins = 2048;

  // Adds one batch of values. NaNs and infinities are skipped (MinMax keeps infinities; a
  // histogram cannot).
  void add(std::span<const float> values);

  bool empty() const { return total_ == 0; }
  double limit() const { return limit_; }               // the bins cover [0, limit)
  double bin_width() const { return limit_ / kBins; }
  int64_t total() const { return total_; }
  int64_t zeros() const { return zeros_; }   // values equal to 0 (also counted in bin 0)
  // Counts of |x| per bin: negatives, non-negatives (x >= 0), and both (kBins each once a
  // value was added; empty before).
  const std::vector<int64_t>& negative() const { return negative_; }
  const std::vector<int64_t>& positive() const { return positive_; }
  std::vector<int64_t> magnitude() const;
  // One past the last bin holding a value (0 when empty).
  int used_bins() const;

 private:
  void grow_to(double absmax);
  double limit_ = 0;
  int64_t total_ = 0;
  int64_t zeros_ = 0;
  // kBins counts each, allocated by the first add() (a graph has many values never observed).
  std::vector<int64_t> negative_, positive_;
};

}  // namespace octet::quant
