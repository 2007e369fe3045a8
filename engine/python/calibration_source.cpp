#include "engine/python/calibration_source.h"

#include "engine/python/arrays.h"

namespace octet::python {
namespace {

// A list of batches cut from whole arrays, one per input, along their first dimension.
py::list slice_batches(const std::vector<py::array>& per_input) {
  const py::ssize_t n = per_input.at(0).ndim() == 0 ? 0 : per_input[0].shape(0);
  py::list batches;
  for (py::ssize_t start = 0; start < n; start += kCalibrationBatch) {
    py::list batch;
    for (const py::array& a : per_input) batch.append(a[py::slice(start, std::min(n, start + kCalibrationBatch), 1)]);
    batches.append(batch);
  }
  return batches;
}

}  // namespace

PythonCalibration::PythonCalibration(py::handle calib, std::vector<std::string> input_names)
    : input_names_(std::move(input_names)) {
  if (py::isinstance<py::array>(calib)) {
    batches_ = py::iter(slice_batches({py::reinterpret_borrow<py::array>(calib)}));
  } else if ((py::isinstance<py::list>(calib) || py::isinstance<py::tuple>(calib)) &&
             py::len(calib) == input_names_.size()) {
    std::vector<py::array> per_input;
    for (py::handle a : calib) {
      if (!py::isinstance<py::array>(a))
        throw py::value_error("calibration data: a list holds one NumPy array per model input; item " +
                              std::to_string(per_input.size()) + " is a " +
                              std::string(py::str(py::type::of(a).attr("__name__"))));
      per_input.push_back(py::reinterpret_borrow<py::array>(a));
    }
    batches_ = py::iter(slice_batches(per_input));
  } else {
    batches_ = py::iter(calib);   // raises TypeError for what is not iterable
  }
}

std::optional<std::vector<Tensor>> PythonCalibration::next() {
  py::gil_scoped_acquire gil;
  if (batches_ == py::iterator::sentinel()) return std::nullopt;
  std::vector<Tensor> tensors = convert(*batches_);
  ++batches_;
  ++count_;
  return tensors;
}

std::vector<Tensor> PythonCalibration::convert(py::handle batch) const {
  const std::string where = "calibration batch " + std::to_string(count_);
  std::vector<py::object> arrays;
  if (py::isinstance<py::dict>(batch)) {
    py::dict d = py::reinterpret_borrow<py::dict>(batch);
    for (const std::string& name : input_names_) {
      if (!d.contains(name)) throw py::key_error(where + " has no array for input '" + name + "'");
      arrays.push_back(d[name.c_str()]);
    }
    if (py::len(d) != input_names_.size())
      throw py::key_error(where + " names an input the model does not have (its inputs: " +
                          std::string(py::str(py::cast(input_names_))) + ")");
  } else if (py::isinstance<py::list>(batch) || py::isinstance<py::tuple>(batch)) {
    for (py::handle a : batch) arrays.push_back(py::reinterpret_borrow<py::object>(a));
  } else {
    arrays.push_back(py::reinterpret_borrow<py::object>(batch));
  }
  if (arrays.size() != input_names_.size())
    throw py::value_error(where + " holds " + std::to_string(arrays.size()) + " arrays; the model has " +
                          std::to_string(input_names_.size()) + " inputs");
  std::vector<Tensor> tensors;
  for (size_t i = 0; i < arrays.size(); ++i)
    tensors.push_back(to_tensor(as_float_array(arrays[i], where + ", input '" + input_names_[i] + "'")));
  return tensors;
}

}  // namespace octet::python
