// octet.load, octet.Model and octet.TensorInfo: engine/pipeline/model.h for Python.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <optional>
#include <string>
#include <vector>

#include "engine/pipeline/model.h"
#include "engine/python/arrays.h"
#include "engine/python/bindings.h"
#include "engine/python/calibration_source.h"
#include "quant/scheme.h"

namespace octet::python {
namespace {

// Model.inputs / Model.outputs: names, shapes (None for an open dimension) and NumPy dtypes.
py::list tensor_infos(const std::vector<TensorInfo>& infos) {
  py::list out;
  for (const TensorInfo& info : infos) out.append(py::cast(info));
  return out;
}

py::tuple shape_of(const TensorInfo& info) {
  py::tuple shape(info.dims.size());
  for (size_t i = 0; i < info.dims.size(); ++i)
    shape[i] = info.dims[i] < 0 ? py::object(py::none()) : py::object(py::int_(info.dims[i]));
  return shape;
}

QuantizeOptions quantize_options(const std::string& scheme, bool per_channel, const std::string& method,
                                 double percentile) {
  const std::optional<quant::Method> m = quant::method_from_name(method);
  if (!m) throw py::value_error("unknown method '" + method + "' (minmax, percentile, entropy or mse)");
  if (!(percentile > 0 && percentile <= 100))
    throw py::value_error("percentile=" + std::to_string(percentile) + " is outside (0, 100]");
  const std::optional<quant::Scheme> s = quant::scheme_from_name(scheme);
  if (!s) throw py::value_error("unknown scheme '" + scheme + "' (uint8, int8 or u8s8)");
  if (per_channel && !quant::weights_symmetric(*s))
    throw py::value_error("per_channel=True needs scheme 'int8' or 'u8s8' (symmetric int8 weights), not 'uint8'");
  return {.scheme = *s, .calibration = {*m, percentile}, .per_channel = per_channel};
}

Model quantize(const Model& model, py::handle calib, const std::string& scheme, bool per_channel,
               const std::string& method, double percentile) {
  const QuantizeOptions options = quantize_options(scheme, per_channel, method, percentile);
  std::vector<std::string> names;
  for (const TensorInfo& in : model.inputs()) names.push_back(in.name);
  PythonCalibration source(calib, std::move(names));   // made and destroyed with the lock held
  py::gil_scoped_release release;                      // the source takes it for each batch
  return model.quantize(source, options);
}

const char* kLoadDoc = R"(Load a model.

path: an ONNX model (float, or QDQ: its QuantizeLinear/DequantizeLinear pairs become octet's
quantization parameters) or a .octet file (a plan compiled earlier, recognised by its
content). Raises octet.Error naming the path when the file is missing or not a model.)";

const char* kQuantizeDoc = R"(The model quantized for octet's int8 kernels.

calib: the calibration data, float pixels as the model takes them: a NumPy array (the model's
one input, [N, ...]), a list or tuple of exactly one array per input, or any other iterable of
batches, each an array, a list of arrays in input order or a dict input name -> array.
Arrays of another numeric dtype are converted to float32.
scheme: "u8s8" (uint8 activations, int8 weights), "uint8" or "int8".
method: how activation ranges are calibrated: "minmax" (the observed range), "percentile" (the
`percentile`-th percentile of |x|, default 99.99), "entropy" (KL divergence, as TensorRT) or
"mse" (the clipping with the least quantize-dequantize error); docs/quantization.md.
per_channel: weights per output channel (symmetric int8, one scale per channel; int8 and u8s8
only, ValueError for uint8); the model's scheme then reads e.g. "u8s8 per-channel".
Only a float ONNX model can be quantized (octet.Error otherwise).)";

}  // namespace

void bind_model(py::module_& m) {
  py::class_<TensorInfo>(m, "TensorInfo", "A model input or output as a caller feeds or reads it.")
      .def_readonly("name", &TensorInfo::name, "The name in the model.")
      .def_property_readonly("shape", &shape_of, "A tuple of sizes, None where the model leaves one open (the batch).")
      .def_property_readonly("dtype", [](const TensorInfo& t) { return numpy_dtype(t.dtype); },
                             "The element type as a NumPy dtype (float32 for every input octet runs).")
      .def("__repr__", [](const TensorInfo& t) {
        return "TensorInfo(name='" + t.name + "', shape=" + std::string(py::repr(shape_of(t))) +
               ", dtype=" + std::string(py::str(numpy_dtype(t.dtype))) + ")";
      });

  py::class_<Model>(m, "Model", "A model loaded by octet.load: inspect it, quantize it, save it, run it with octet.Session.")
      .def_property_readonly("source", &Model::source, "The path the model was loaded from.")
      .def_property_readonly("scheme", &Model::scheme,
                             "'fp32', 'qdq' (a quantized ONNX model), 'uint8', 'int8' or 'u8s8' (quantized by "
                             "quantize()), or what a .octet file records.")
      .def_property_readonly("is_quantized", &Model::is_quantized, "Whether the model runs on the int8 kernels.")
      .def_property_readonly("inputs", [](const Model& mo) { return tensor_infos(mo.inputs()); },
                             "The inputs (TensorInfo), in the order the model declares them.")
      .def_property_readonly("outputs", [](const Model& mo) { return tensor_infos(mo.outputs()); },
                             "The outputs (TensorInfo), in the order Session.run returns them.")
      .def("describe", &Model::describe,
           "A header (source, format, scheme), then one line per node of the graph, or per step of a .octet plan.")
      .def("quantize", &quantize, py::arg("calib"), py::arg("scheme") = "u8s8",
           py::arg("per_channel") = false, py::arg("method") = "minmax", py::arg("percentile") = 99.99, kQuantizeDoc)
      .def("compile",
           [](Model& mo, bool autotune) {
             CompileOptions options;
             options.autotune = autotune;
             mo.compile(options);   // with the lock held: a Session on this model may be compiling it
           },
           py::kw_only(), py::arg("autotune") = true,
           "Compile for this CPU now (a Session or save() otherwise compiles on first use). autotune: time the "
           "candidate convolution kernels on each layer and keep the fastest; False: a fixed rule, the same "
           "plan on every run. A .octet model is compiled already (octet.Error).")
      .def("save", [](Model& mo, const std::string& path) { mo.save(path); }, py::arg("path"), "Write the compiled plan as a .octet file (compiling first if needed).")
      .def("export_qdq", &Model::export_qdq, py::arg("path"),
           "Write a quantized model as a QDQ ONNX file (ONNX Runtime runs it). octet.Error for a float or .octet model.")
      .def("__repr__", [](const Model& mo) { return "<octet.Model '" + mo.source() + "' scheme=" + mo.scheme() + ">"; });

  m.def("load", [](const std::string& path) { return Model::load(path); }, py::arg("path"), kLoadDoc);
}

}  // namespace octet::python
