#include "tools/common/quantize_model.h"

#include <algorithm>
#include <array>

#include "graph/passes/optimize.h"
#include "quant/calibrate.h"
#include "quant/quantize_graph.h"
#include "tools/common/progress.h"

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

Graph quantization_base(const Graph& prepared) {
  Graph g = prepared;
  optimize_graph(g, /*fuse_epilogues=*/false);
  return g;
}

std::vector<quant::ValueRange> calibrate_model(const Graph& base, const CifarSet& calib, ImageLayout layout,
                                               bool progress) {
  quant::MinMaxCalibrator calibrator(base);
  constexpr size_t kBatch = 50;
  ProgressBar bar("calibrating", calib.size(), progress);
  for (size_t start = 0; start < calib.size(); start += kBatch) {
    const size_t count = std::min(kBatch, calib.size() - start);
    calibrator.observe(make_cifar_input(calib, start, count, layout));
    bar.update(start + count);
  }
  bar.finish();
  return calibrator.ranges();
}

Graph quantize_model(const Graph& base, const std::vector<quant::ValueRange>& ranges, quant::Scheme scheme) {
  Graph q = base;
  quant::quantize_graph(q, ranges, scheme);
  return q;
}

Plan compile_for_runtime(const Graph& prepared, const CompileOptions& options) {
  if (quant::is_quantized(prepared)) return compile_plan(quant::fuse_quantized_graph(prepared), options);
  Graph g = prepared;
  optimize_graph(g);
  return compile_plan(g, options);
}

}  // namespace octet
