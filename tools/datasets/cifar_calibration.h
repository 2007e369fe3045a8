// CIFAR-10 images as calibration data: the calibration set of issue 4 (the first N images of
// each class) and a CalibrationSource (engine/pipeline/calibration.h) that feeds a CifarSet
// to the model in batches.
#pragma once
#include <cstddef>
#include <optional>
#include <span>
#include <vector>

#include "engine/pipeline/calibration.h"
#include "quant/calibrate.h"
#include "tools/datasets/cifar.h"

namespace octet {

// Indices of the first `per_class` images of each class, in file order (the calibration set
// of issue 4: 100 per class of the training subset). Throws when a class has fewer.
std::vector<size_t> calibration_indices(const CifarSet& set, size_t per_class);
// The images of `set` at `indices`, in that order.
CifarSet cifar_select(const CifarSet& set, std::span<const size_t> indices);
// The indices of `set` not in `indices` (sorted), e.g. the images calibration did not see.
std::vector<size_t> complement_indices(const CifarSet& set, std::span<const size_t> indices);

// Every image of `set`, in order, as float tensors in `layout`, `batch` images at a time (the
// last batch may be smaller). `set` must outlive the source.
class CifarCalibration : public CalibrationSource {
 public:
  static constexpr size_t kDefaultBatch = 50;
  CifarCalibration(const CifarSet& set, ImageLayout layout, size_t batch = kDefaultBatch);
  std::optional<std::vector<Tensor>> next() override;

 private:
  const CifarSet& set_;
  ImageLayout layout_;
  size_t batch_, next_ = 0;
};

// calibrate() (engine/pipeline/calibration.h) over every image of `set`.
std::vector<quant::ValueRange> calibrate_on_cifar(const Graph& base, const CifarSet& set, ImageLayout layout,
                                                  const CalibrateOptions& options = {});

}  // namespace octet
