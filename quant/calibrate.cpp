#include "quant/calibrate.h"

#include <algorithm>
#include <cmath>

#include "engine/executor.h"

namespace octet::quant {

Calibrator::Calibrator(const Graph& graph) : graph_(graph), ranges_(graph.values.size()) {
  if (graph.inputs.size() != 1)
    throw Error("calibration feeds one input; the graph has " + std::to_string(graph.inputs.size()));
}

void Calibrator::observe(const Tensor& input_batch) {
  ReferenceExecutor exec(graph_);
  auto widen = [&](int id, const Tensor& t) {
    if (t.dtype != DType::Float32 || t.numel() == 0) return;
    ValueRange& r = ranges_[static_cast<size_t>(id)];
    r.histogram.add(t.values<float>());
    for (float x : t.values<float>()) {
      if (std::isnan(x)) continue;
      if (!r.seen) {
        r.min = r.max = x;
        r.seen = true;
      } else {
        r.min = std::min(r.min, x);
        r.max = std::max(r.max, x);
      }
    }
  };
  auto observe = [&](int id, const Tensor& t) {
    widen(id, t);
    if (t.dtype != DType::Float32 || t.rank() < 1 || t.numel() == 0) return;
    ValueRange& r = ranges_[static_cast<size_t>(id)];
    const int64_t n = t.dims[0], per_image = t.numel() / n;
    if (r.mean.empty()) r.mean.assign(static_cast<size_t>(per_image), 0.0);
    if (static_cast<int64_t>(r.mean.size()) != per_image) return;
    const float* x = t.data<float>();
    const double old = double(r.images), total = double(r.images + n);
    for (int64_t i = 0; i < per_image; ++i) {
      double sum = 0;
      for (int64_t b = 0; b < n; ++b) sum += x[b * per_image + i];
      r.mean[static_cast<size_t>(i)] = (r.mean[static_cast<size_t>(i)] * old + sum) / total;
    }
    r.images += n;
  };
  exec.run(std::span<const Tensor>(&input_batch, 1), observe);
  images_ += input_batch.dims.empty() ? 1 : input_batch.dims[0];
}

}  // namespace octet::quant
