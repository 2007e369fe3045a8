#include "tools/datasets/npy_calibration.h"

#include <algorithm>

#include "engine/runtime/error.h"
#include "tools/datasets/npy_inputs.h"

namespace octet {

NpyCalibration::NpyCalibration(std::vector<Tensor> arrays, size_t count, size_t batch)
    : arrays_(std::move(arrays)), batch_(batch) {
  if (arrays_.empty()) throw Error(".npy calibration: no arrays");
  if (batch_ == 0) throw Error(".npy calibration: the batch must hold at least one row");
  for (const Tensor& a : arrays_)
    if (a.dims.empty() || a.dims[0] != arrays_[0].dims[0])
      throw Error(".npy calibration: the arrays need the same number of rows (shapes " + dims_to_string(arrays_[0].dims) +
                  " and " + dims_to_string(a.dims) + ")");
  const auto available = static_cast<size_t>(arrays_[0].dims[0]);
  if (count > available)
    throw Error(".npy calibration: --calib-count " + std::to_string(count) + " is more than the " +
                std::to_string(available) + " rows the files hold");
  rows_ = count ? count : available;
}

std::optional<std::vector<Tensor>> NpyCalibration::next() {
  if (next_ >= rows_) return std::nullopt;
  const size_t count = std::min(batch_, rows_ - next_);
  std::vector<Tensor> batch;
  for (const Tensor& a : arrays_)
    batch.push_back(slice_rows(a, static_cast<int64_t>(next_), static_cast<int64_t>(count)));
  next_ += count;
  return batch;
}

}  // namespace octet
