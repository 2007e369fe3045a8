// NumPy arrays to and from octet's tensors for the Python module. Inputs are converted to
// float32 C-contiguous only when they are not already (no copy otherwise); arrays of a
// non-numeric dtype are refused with a ValueError naming the input.
#pragma once
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <string>
#include <vector>

#include "graph/dtype.h"
#include "graph/tensor.h"

namespace octet::python {

namespace py = pybind11;
using FloatArray = py::array_t<float, py::array::c_style>;

// `obj` as a float32 C-contiguous array: the same object when it is one already, else a
// converted copy. Integer, unsigned and floating arrays (and anything np.asarray makes one of)
// convert; anything else raises ValueError naming `what` ("input 'x'").
FloatArray as_float_array(py::handle obj, const std::string& what);

// A float32 tensor holding a copy of `array` (calibration batches, which the library keeps).
Tensor to_tensor(const FloatArray& array);

// The NumPy dtype of an octet type; None for one NumPy lacks (bfloat16).
py::object numpy_dtype(DType dtype);

}  // namespace octet::python
