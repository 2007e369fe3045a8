#include "tools/reports/calibration_flags.h"

#include <algorithm>
#include <cstdlib>

#include "engine/runtime/error.h"
#include "tools/datasets/cifar.h"
#include "tools/datasets/cifar_calibration.h"
#include "tools/datasets/npy_calibration.h"
#include "tools/datasets/npy_inputs.h"
#include "tools/reports/calibration_progress.h"

namespace octet {
namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

CalibrationRun calibrate_on_npy(const Model& model, const CalibrationFlags& flags, bool progress) {
  std::vector<Tensor> arrays;
  std::string names;
  for (NpyInput& in : read_npy_inputs(model.inputs(), flags.files, "--calib")) {
    arrays.push_back(std::move(in.tensor));
    names += (names.empty() ? "" : ", ") + in.path;
  }
  NpyCalibration source(std::move(arrays), static_cast<size_t>(flags.count));
  CalibrationRun run;
  run.description = std::to_string(source.rows()) + " samples of " + names;
  run.calibration = calibrate_with_progress(model, source, source.rows(), progress);
  return run;
}

CalibrationRun calibrate_on_cifar_file(const Model& model, const CalibrationFlags& flags, bool progress) {
  if (model.inputs().size() != 1)
    throw Error(model.source() + ": calibrating on CIFAR-10 needs a model with one image input; give .npy files");
  const Value& in = model.graph().value(model.graph().inputs[0]);
  const ImageLayout layout = layout_from_input_shape(in.shape, in.name);
  CalibrationRun run;
  run.cifar_file = flags.files.at(0);
  const CifarSet file = read_cifar_file(run.cifar_file);
  const int64_t per_class = flags.per_class.value_or(100);
  run.cifar_indices = calibration_indices(file, static_cast<size_t>(per_class));
  if (flags.count > 0) {
    if (static_cast<size_t>(flags.count) > run.cifar_indices.size())
      throw Error("--calib-count " + std::to_string(flags.count) + " is more than the " +
                  std::to_string(run.cifar_indices.size()) + " images --calib-per-class " + std::to_string(per_class) +
                  " selects");
    run.cifar_indices.resize(static_cast<size_t>(flags.count));
  }
  const CifarSet images = cifar_select(file, run.cifar_indices);
  run.description = std::to_string(images.size()) + " images of " + run.cifar_file + " (first " +
                    std::to_string(per_class) + " per class" +
                    (flags.count > 0 ? ", then the first " + std::to_string(flags.count) : "") + ")";
  run.calibration = calibrate_on_cifar(model, images, layout, progress);
  return run;
}

}  // namespace

bool CalibrationFlags::npy() const {
  return std::any_of(files.begin(), files.end(),
                     [](const std::string& f) { return ends_with(f, ".npy") || f.find('=') != std::string::npos; });
}

MethodFlags method_flags(const cli::Args& args, bool several) {
  MethodFlags f;
  const std::string list = args.get_or("method", "minmax");
  f.methods.clear();
  if (several && list == "all") {
    f.methods = {quant::Method::MinMax, quant::Method::Percentile, quant::Method::Entropy, quant::Method::Mse};
  } else {
    size_t start = 0;
    while (start <= list.size()) {
      const size_t end = std::min(list.find(',', start), list.size());
      const std::string name = list.substr(start, end - start);
      const std::optional<quant::Method> m = quant::method_from_name(name);
      if (!m) throw Error("--method: unknown method '" + name + "' (minmax, percentile, entropy, mse" + (several ? ", or all)" : ")"));
      f.methods.push_back(*m);
      start = end + 1;
    }
    if (!several && f.methods.size() > 1) throw Error("--method: one method (minmax, percentile, entropy or mse)");
  }
  if (const std::optional<std::string> p = args.get("percentile")) {
    if (std::find(f.methods.begin(), f.methods.end(), quant::Method::Percentile) == f.methods.end())
      throw Error("--percentile applies to --method percentile");
    char* end = nullptr;
    f.percentile = std::strtod(p->c_str(), &end);
    if (end == p->c_str() || *end != '\0' || !(f.percentile > 0 && f.percentile <= 100))
      throw Error("--percentile: '" + *p + "' is not a number in (0, 100]");
  }
  return f;
}

void refuse_method_without_quantizing(const cli::Args& args, bool quantizing, const std::string& quantize_flag) {
  if (!quantizing && (args.get("method") || args.get("percentile")))
    throw Error("--method and --percentile choose how a model is calibrated for quantization; give " + quantize_flag);
}

CalibrationFlags calibration_flags(const cli::Args& args, const std::string& default_file, bool several_methods) {
  CalibrationFlags f;
  f.method = method_flags(args, several_methods);
  f.files = args.all("calib");
  if (f.files.empty()) f.files.push_back(default_file);
  if (args.get("calib-per-class")) f.per_class = args.get_int("calib-per-class", 100, 1, 100000);
  f.count = args.get_int("calib-count", 0, 1, int64_t{1} << 31);
  if (f.npy() && f.per_class)
    throw Error("--calib-per-class selects CIFAR-10 images; with .npy files use --calib-count");
  if (!f.npy() && f.files.size() > 1)
    throw Error("--calib: one CIFAR-10 file (several --calib are .npy files, one per model input)");
  return f;
}

CalibrationRun calibrate_from_flags(const Model& model, const CalibrationFlags& flags, bool progress) {
  return flags.npy() ? calibrate_on_npy(model, flags, progress) : calibrate_on_cifar_file(model, flags, progress);
}

}  // namespace octet
