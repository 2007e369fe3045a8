// A dense, row-major tensor that owns its bytes: constants in the IR, and the values
// the reference executor passes between operators.
#pragma once
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "graph/dtype.h"
#include "engine/runtime/error.h"

namespace octet {

// Largest tensor octet will allocate (elements). Anything bigger is refused before allocation.
inline constexpr int64_t kMaxTensorElements = int64_t{1} << 31;

// Product of dims; throws octet::Error on a negative dim, a dim or a product past
// kMaxTensorElements.
int64_t checked_numel(std::span<const int64_t> dims);
// "[1,3,32,32]"
std::string dims_to_string(std::span<const int64_t> dims);

struct Tensor {
  DType dtype = DType::Float32;
  std::vector<int64_t> dims;     // rank 0 = scalar (one element)
  std::vector<uint8_t> bytes;    // numel() * dtype_size(dtype)

  Tensor() = default;
  // Zero-filled tensor; validates dims and dtype.
  Tensor(DType dtype, std::vector<int64_t> dims);

  template <typename T>
  static Tensor from(std::vector<int64_t> dims, std::span<const T> values) {
    Tensor t(dtype_of<T>(), std::move(dims));
    if (static_cast<int64_t>(values.size()) != t.numel())
      throw Error("tensor of shape " + dims_to_string(t.dims) + " given " +
                  std::to_string(values.size()) + " values");
    if (!values.empty()) std::memcpy(t.bytes.data(), values.data(), t.bytes.size());
    return t;
  }
  template <typename T>
  static Tensor from(std::vector<int64_t> dims, std::initializer_list<T> values) {
    return from<T>(std::move(dims), std::span<const T>(values.begin(), values.size()));
  }

  int64_t numel() const;
  int64_t rank() const { return static_cast<int64_t>(dims.size()); }

  template <typename T> T* data() {
    check_type(dtype_of<T>());
    return reinterpret_cast<T*>(bytes.data());
  }
  template <typename T> const T* data() const {
    check_type(dtype_of<T>());
    return reinterpret_cast<const T*>(bytes.data());
  }
  template <typename T> std::span<const T> values() const {
    return {data<T>(), static_cast<size_t>(numel())};
  }
  // Any integer tensor's elements widened to int64 (shape inputs of Reshape, Slice, Pad...).
  std::vector<int64_t> as_int64() const;
  // Any numeric tensor's elements as double (for printing and tests).
  std::vector<double> as_double() const;

 private:
  void check_type(DType want) const;
};

}  // namespace octet
