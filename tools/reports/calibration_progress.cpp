#include "tools/reports/calibration_progress.h"

#include "tools/datasets/cifar_calibration.h"
#include "tools/reports/progress.h"

namespace octet {

Calibration calibrate_with_progress(const Model& model, CalibrationSource& source, size_t total, bool progress) {
  ProgressBar bar("calibrating", total, progress);
  CalibrateOptions options;
  options.on_batch = [&bar](int64_t done) { bar.update(static_cast<size_t>(done)); };
  Calibration c = model.calibrate(source, options);
  bar.finish();
  return c;
}

Calibration calibrate_on_cifar(const Model& model, const CifarSet& images, ImageLayout layout, bool progress) {
  CifarCalibration source(images, layout);
  return calibrate_with_progress(model, source, images.size(), progress);
}

}  // namespace octet
