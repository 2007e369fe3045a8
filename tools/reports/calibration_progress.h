// Calibration as the tools run it: a model calibrated on a CalibrationSource (CIFAR-10 images,
// .npy arrays), with a progress bar ("calibrating [####----] 500/1000" on stderr) when
// `progress` is set.
#pragma once
#include <cstddef>

#include "engine/pipeline/model.h"
#include "tools/datasets/cifar.h"

namespace octet {

// `total`: the samples `source` holds, for the bar.
Calibration calibrate_with_progress(const Model& model, CalibrationSource& source, size_t total, bool progress);
Calibration calibrate_on_cifar(const Model& model, const CifarSet& images, ImageLayout layout, bool progress);

}  // namespace octet
