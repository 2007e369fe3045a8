// The quantization path as octet's tools run it: pick the calibration images, calibrate the
// float graph, annotate it for a scheme, and compile the result for the int8 runtime.
#pragma once
#include <cstddef>
#include <span>
#include <vector>

#include "engine/compile.h"
#include "engine/runtime/plan.h"
#include "graph/ir.h"
#include "quant/calibrate.h"
#include "quant/scheme.h"
#include "tools/common/cifar.h"

namespace octet {

// Indices of the first `per_class` images of each class, in file order (the calibration set
// of issue 4: 100 per class of the training subset). Throws when a class has fewer.
std::vector<size_t> calibration_indices(const CifarSet& set, size_t per_class);
// The images of `set` at `indices`, in that order.
CifarSet cifar_select(const CifarSet& set, std::span<const size_t> indices);
// The indices of `set` not in `indices` (sorted), e.g. the images calibration did not see.
std::vector<size_t> complement_indices(const CifarSet& set, std::span<const size_t> indices);

// The graph quantization starts from: a copy of the prepared float graph, optimised without
// epilogue fusion (BatchNorm, Pad folded; Conv, Add, Relu separate).
Graph quantization_base(const Graph& prepared);

// MinMax ranges of every value of `base` (from quantization_base) over `calib`, run on the
// reference executor in batches. `progress` draws a bar on stderr.
std::vector<quant::ValueRange> calibrate_model(const Graph& base, const CifarSet& calib, ImageLayout layout,
                                               bool progress);
// The quantized graph of `base` for `scheme`.
Graph quantize_model(const Graph& base, const std::vector<quant::ValueRange>& ranges, quant::Scheme scheme);

// A plan for the optimised runtime from a prepared graph: float graphs are optimised,
// quantized graphs (Value::quant set) have their epilogues fused and run on the int8 kernels.
Plan compile_for_runtime(const Graph& prepared, const CompileOptions& options = {});

}  // namespace octet
