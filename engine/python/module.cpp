// The extension module octet._octet, which the package octet (octet/__init__.py) re-exports.
#include <pybind11/pybind11.h>

#include "engine/python/bindings.h"
#include "engine/runtime/error.h"
#include "octet/octet.h"

PYBIND11_MODULE(_octet, m) {
  m.doc() = "octet: an inference engine for ONNX CNNs on the CPU (load, quantize, run).";
  // octet::Error (a bad file, an unsupported operator, a failed check) as octet.Error, a
  // RuntimeError carrying octet's message.
  pybind11::register_exception<octet::Error>(m, "Error", PyExc_RuntimeError);
  m.attr("__version__") = octet_version();   // the C API's: the CMake project version
  octet::python::bind_model(m);
  octet::python::bind_session(m);
}
