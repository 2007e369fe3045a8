#include "tools/datasets/cifar_calibration.h"

#include <algorithm>
#include <array>

#include "engine/runtime/error.h"

namespace octet {

std::vector<size_t> calibration_indices(const CifarSet& set, size_t per_class) {
  std::array<size_t, kCifarClasses> taken{};
  std::vector<size_t> out;
  for (size_t i = 0; i < set.size() && out.size() < per_class * kCifarClasses; ++i) {
    const uint8_t label = set.labels[i];
    if (taken[label] < per_class) {
      ++taken[label];
      out.push_back(i);
    }
  }
  for (int c = 0; c < kCifarClasses; ++c)
    if (taken[static_cast<size_t>(c)] < per_class)
      throw Error("calibration needs " + std::to_string(per_class) + " images of class '" +
                  std::string(kCifarClassNames[static_cast<size_t>(c)]) + "', the file has " +
                  std::to_string(taken[static_cast<size_t>(c)]));
  return out;
}

CifarSet cifar_select(const CifarSet& set, std::span<const size_t> indices) {
  CifarSet out;
  out.labels.reserve(indices.size());
  out.pixels.reserve(indices.size() * kCifarPixels);
  for (size_t i : indices) {
    out.labels.push_back(set.labels.at(i));
    std::span<const uint8_t> img = set.image(i);
    out.pixels.insert(out.pixels.end(), img.begin(), img.end());
  }
  return out;
}

std::vector<size_t> complement_indices(const CifarSet& set, std::span<const size_t> indices) {
  std::vector<bool> used(set.size(), false);
  for (size_t i : indices) used.at(i) = true;
  std::vector<size_t> out;
  for (size_t i = 0; i < set.size(); ++i)
    if (!used[i]) out.push_back(i);
  return out;
}

CifarCalibration::CifarCalibration(const CifarSet& set, ImageLayout layout, size_t batch)
    : set_(set), layout_(layout), batch_(batch) {
  if (batch_ == 0) throw Error("CIFAR calibration: the batch must hold at least one image");
}

std::optional<std::vector<Tensor>> CifarCalibration::next() {
  if (next_ >= set_.size()) return std::nullopt;
  const size_t count = std::min(batch_, set_.size() - next_);
  std::vector<Tensor> batch;
  batch.push_back(make_cifar_input(set_, next_, count, layout_));
  next_ += count;
  return batch;
}

std::vector<quant::ValueRange> calibrate_on_cifar(const Graph& base, const CifarSet& set, ImageLayout layout,
                                                  const CalibrateOptions& options) {
  CifarCalibration source(set, layout);
  return calibrate(base, source, options);
}

}  // namespace octet
