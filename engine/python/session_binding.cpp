// octet.Session: engine/pipeline/model_session.h for Python. run() takes NumPy arrays without
// copying them when they are float32 and C-contiguous, writes the outputs straight into
// NumPy arrays it allocates, and releases the interpreter lock while the model runs.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <algorithm>
#include <mutex>
#include <string>
#include <vector>

#include "engine/pipeline/model_session.h"
#include "engine/python/arrays.h"
#include "engine/python/bindings.h"

namespace octet::python {
namespace {

class PythonSession {
 public:
  PythonSession(Model& model, int threads, int max_batch)
      : session_(model, SessionOptions{threads, max_batch}), max_batch_(max_batch) {
    for (const Port& p : session_.plan().inputs) input_names_.push_back(p.name);
    for (const Port& p : session_.plan().outputs) output_keys_.push_back(py::str(p.name));
  }

  // {name: array} or, for a one-input model, an array → {output name: float32 array}.
  py::dict run(py::handle inputs) {
    std::vector<FloatArray> arrays = arrays_in_input_order(inputs);
    std::vector<InputView> views;
    views.reserve(arrays.size());
    for (size_t i = 0; i < arrays.size(); ++i)
      views.push_back({input_names_[i], std::span<const int64_t>(arrays[i].shape(), arrays[i].ndim()), arrays[i].data()});
    BoundInputs bound;
    try {
      bound = session_.bind(views);   // shapes, and one batch for all inputs
    } catch (const Error& e) {
      throw py::value_error(e.what());
    }
    if (bound.batch < 1 || bound.batch > max_batch_)
      throw py::value_error("a batch of " + std::to_string(bound.batch) + " images; this session takes 1 to " +
                            std::to_string(max_batch_) + " (octet.Session(model, max_batch=...))");
    py::dict result;
    std::vector<float*> outputs;
    for (size_t o = 0; o < output_keys_.size(); ++o) {
      FloatArray out(session_.output_dims(o, bound.batch));   // NumPy owns it; the run writes into it
      outputs.push_back(out.mutable_data());
      result[output_keys_[o]] = std::move(out);
    }
    {
      py::gil_scoped_release release;
      std::lock_guard<std::mutex> one_run(mutex_);   // taken without the lock: no deadlock with it
      session_.run(bound.batch, bound.data, outputs);
    }
    return result;
  }

 private:
  std::vector<FloatArray> arrays_in_input_order(py::handle inputs) const {
    std::vector<FloatArray> arrays;
    if (!py::isinstance<py::dict>(inputs)) {
      if (input_names_.size() != 1)
        throw py::value_error("the model has " + std::to_string(input_names_.size()) +
                              " inputs: pass a dict {input name: array}");
      arrays.push_back(as_float_array(inputs, "input '" + input_names_[0] + "'"));
      return arrays;
    }
    py::dict d = py::reinterpret_borrow<py::dict>(inputs);
    for (const std::string& name : input_names_) {
      PyObject* a = PyDict_GetItemString(d.ptr(), name.c_str());   // borrowed
      if (!a) throw py::key_error("input '" + name + "' not given (the model's inputs: " + names() + ")");
      arrays.push_back(as_float_array(a, "input '" + name + "'"));
    }
    if (py::len(d) != input_names_.size()) {
      for (auto item : d)
        if (!py::isinstance<py::str>(item.first) ||
            std::find(input_names_.begin(), input_names_.end(), item.first.cast<std::string>()) == input_names_.end())
          throw py::key_error("the model has no input " + std::string(py::repr(item.first)) + " (its inputs: " +
                              names() + ")");
    }
    return arrays;
  }

  std::string names() const {
    std::string out;
    for (const std::string& n : input_names_) out += (out.empty() ? "'" : ", '") + n + "'";
    return out;
  }

  ModelSession session_;
  int max_batch_;
  std::vector<std::string> input_names_;
  std::vector<py::str> output_keys_;
  std::mutex mutex_;   // a Session runs one call at a time; Python threads may share one
};

}  // namespace

void bind_session(py::module_& m) {
  py::class_<PythonSession>(m, "Session",
                            "Runs a model on this CPU. Holds the activation memory for max_batch images and "
                            "threads - 1 worker threads. Python threads may share a session (their runs take "
                            "turns) or each run their own concurrently: the interpreter lock is released while "
                            "the model runs.")
      .def(py::init([](Model& model, int threads, int max_batch) {
             return std::make_unique<PythonSession>(model, threads, max_batch);
           }),
           py::arg("model"), py::arg("threads") = 1, py::arg("max_batch") = 1,
           "A session over model's plan (an ONNX model is compiled for this CPU first if it is not yet).")
      .def("run", &PythonSession::run, py::arg("inputs"),
           R"(Run the model on one batch.

inputs: a dict {input name: array}, or an array for a one-input model. Each array is
[batch, the input's other dims] with one batch for all, 1 <= batch <= max_batch; float32
C-contiguous arrays are used in place, other numeric ones converted. Returns a dict
{output name: float32 array [batch, ...]} in the model's output order. Raises KeyError for a
missing or unknown input name, ValueError for a wrong shape, batch or dtype.)");
}

}  // namespace octet::python
