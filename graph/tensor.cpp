#include "graph/tensor.h"

#include <type_traits>

namespace octet {

int64_t checked_numel(std::span<const int64_t> dims) {
  int64_t n = 1;
  for (int64_t d : dims)
    if (d < 0) throw Error("negative dimension in shape " + dims_to_string(dims));
  for (int64_t d : dims) {
    if (d != 0 && n > kMaxTensorElements / d)
      throw Error("tensor of shape " + dims_to_string(dims) + " exceeds octet's limit of 2^31 elements");
    n *= d;
  }
  // After a 0 the product stays 0, but a huge dim would still reach the arithmetic (sums,
  // window sizes) that shape inference does on single dims.
  if (n == 0)
    for (int64_t d : dims)
      if (d > kMaxTensorElements)
        throw Error("dimension " + std::to_string(d) + " of shape " + dims_to_string(dims) +
                    " exceeds octet's limit of 2^31 elements");
  return n;
}

std::string dims_to_string(std::span<const int64_t> dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? "," : "") + std::to_string(dims[i]);
  return s + "]";
}

Tensor::Tensor(DType dt, std::vector<int64_t> d) : dtype(dt), dims(std::move(d)) {
  size_t esize = dtype_size(dtype);
  if (esize == 0) throw Error("tensors of element type " + dtype_name(dtype) + " are not supported");
  bytes.assign(static_cast<size_t>(checked_numel(dims)) * esize, 0);
}

int64_t Tensor::numel() const {
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  return n;
}

void Tensor::check_type(DType want) const {
  if (want != dtype)
    throw Error("tensor holds " + dtype_name(dtype) + ", accessed as " + dtype_name(want));
}

namespace {
template <typename Out, typename F>
std::vector<Out> convert(const Tensor& t, F&& fail) {
  std::vector<Out> out(static_cast<size_t>(t.numel()));
  auto fill = [&](auto* p) { for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<Out>(p[i]); };
  switch (t.dtype) {
    case DType::Int64: fill(t.data<int64_t>()); break;
    case DType::Int32: fill(t.data<int32_t>()); break;
    case DType::Int16: fill(t.data<int16_t>()); break;
    case DType::Int8: fill(t.data<int8_t>()); break;
    case DType::Uint64: fill(t.data<uint64_t>()); break;
    case DType::Uint32: fill(t.data<uint32_t>()); break;
    case DType::Uint16: fill(t.data<uint16_t>()); break;
    case DType::Uint8: fill(t.data<uint8_t>()); break;
    case DType::Bool: fill(t.data<bool>()); break;
    case DType::Float32:
      if constexpr (std::is_floating_point_v<Out>) fill(t.data<float>()); else fail();
      break;
    case DType::Float64:
      if constexpr (std::is_floating_point_v<Out>) fill(t.data<double>()); else fail();
      break;
    default: fail();
  }
  return out;
}
}  // namespace

std::vector<int64_t> Tensor::as_int64() const {
  return convert<int64_t>(*this, [&] { throw Error("expected an integer tensor, got " + dtype_name(dtype)); });
}

std::vector<double> Tensor::as_double() const {
  return convert<double>(*this, [&] { throw Error("expected a numeric tensor, got " + dtype_name(dtype)); });
}

}  // namespace octet
