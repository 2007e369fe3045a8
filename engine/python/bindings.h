// The parts of the Python module `octet` (module.cpp defines it): each adds its classes and
// functions to the module.
#pragma once
#include <pybind11/pybind11.h>

namespace octet::python {

void bind_model(pybind11::module_& m);     // Model, TensorInfo, load()
void bind_session(pybind11::module_& m);   // Session

}  // namespace octet::python
