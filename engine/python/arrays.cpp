#include "engine/python/arrays.h"

#include <cstring>

namespace octet::python {

FloatArray as_float_array(py::handle obj, const std::string& what) {
  if (FloatArray::check_(obj)) return py::reinterpret_borrow<FloatArray>(obj);   // no copy
  py::array array = py::array::ensure(obj);
  if (!array) {
    PyErr_Clear();
    throw py::value_error(what + " is a " + std::string(py::str(py::type::of(obj).attr("__name__"))) +
                          ", not an array NumPy can convert");
  }
  const char kind = array.dtype().kind();
  if (kind != 'f' && kind != 'i' && kind != 'u')
    throw py::value_error(what + " has dtype " + std::string(py::str(array.dtype())) +
                          "; octet takes numbers (float32, or an integer or float type it converts)");
  // forcecast: float64 and integer arrays convert (a plain ensure refuses unsafe casts).
  return py::array_t<float, py::array::c_style | py::array::forcecast>::ensure(array);
}

Tensor to_tensor(const FloatArray& array) {
  std::vector<int64_t> dims(array.shape(), array.shape() + array.ndim());
  Tensor t(DType::Float32, std::move(dims));
  if (!t.bytes.empty()) std::memcpy(t.bytes.data(), array.data(), t.bytes.size());
  return t;
}

py::object numpy_dtype(DType dtype) {
  switch (dtype) {
    case DType::Float32: return py::dtype("float32");
    case DType::Float64: return py::dtype("float64");
    case DType::Float16: return py::dtype("float16");
    case DType::Uint8: return py::dtype("uint8");
    case DType::Int8: return py::dtype("int8");
    case DType::Uint16: return py::dtype("uint16");
    case DType::Int16: return py::dtype("int16");
    case DType::Uint32: return py::dtype("uint32");
    case DType::Int32: return py::dtype("int32");
    case DType::Uint64: return py::dtype("uint64");
    case DType::Int64: return py::dtype("int64");
    case DType::Bool: return py::dtype("bool");
    default: return py::none();
  }
}

}  // namespace octet::python
