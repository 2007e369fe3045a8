// Element types, numbered as ONNX's TensorProto.DataType so the importer maps them 1:1.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace octet {

enum class DType : int32_t {
  Undefined = 0,
  Float32 = 1,
  Uint8 = 2,
  Int8 = 3,
  Uint16 = 4,
  Int16 = 5,
  Int32 = 6,
  Int64 = 7,
  String = 8,
  Bool = 9,
  Float16 = 10,
  Float64 = 11,
  Uint32 = 12,
  Uint64 = 13,
  Complex64 = 14,
  Complex128 = 15,
  BFloat16 = 16,
};

// Bytes per element; 0 for types octet cannot hold in a Tensor (strings, complex, ...).
size_t dtype_size(DType t);
// "float32", "int64", ...; "dtype(<n>)" for numbers ONNX does not define.
std::string dtype_name(DType t);
// True for the element types octet computes with.
bool dtype_supported(DType t);

template <typename T> constexpr DType dtype_of();
template <> constexpr DType dtype_of<float>() { return DType::Float32; }
template <> constexpr DType dtype_of<double>() { return DType::Float64; }
template <> constexpr DType dtype_of<uint8_t>() { return DType::Uint8; }
template <> constexpr DType dtype_of<int8_t>() { return DType::Int8; }
template <> constexpr DType dtype_of<uint16_t>() { return DType::Uint16; }
template <> constexpr DType dtype_of<int16_t>() { return DType::Int16; }
template <> constexpr DType dtype_of<int32_t>() { return DType::Int32; }
template <> constexpr DType dtype_of<int64_t>() { return DType::Int64; }
template <> constexpr DType dtype_of<uint32_t>() { return DType::Uint32; }
template <> constexpr DType dtype_of<uint64_t>() { return DType::Uint64; }
template <> constexpr DType dtype_of<bool>() { return DType::Bool; }

}  // namespace octet
