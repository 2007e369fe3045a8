// Calibration as the tools run it: a model calibrated on CIFAR-10 images, with a progress bar
// ("calibrating [####----] 500/1000" on stderr) when `progress` is set.
#pragma once
#include "engine/pipeline/model.h"
#include "tools/datasets/cifar.h"

namespace octet {

Calibration calibrate_on_cifar(const Model& model, const CifarSet& images, ImageLayout layout, bool progress);

}  // namespace octet
