#include "graph/dtype.h"

namespace octet {

size_t dtype_size(DType t) {
  switch (t) {
    case DType::Float32: return 4;
    case DType::Uint8: return 1;
    case DType::Int8: return 1;
    case DType::Uint16: return 2;
    case DType::Int16: return 2;
    case DType::Int32: return 4;
    case DType::Int64: return 8;
    case DType::Bool: return 1;
    case DType::Float16: return 2;
    case DType::Float64: return 8;
    case DType::Uint32: return 4;
    case DType::Uint64: return 8;
    case DType::BFloat16: return 2;
    default: return 0;
  }
}

std::string dtype_name(DType t) {
  switch (t) {
    case DType::Undefined: return "undefined";
    case DType::Float32: return "float32";
    case DType::Uint8: return "uint8";
    case DType::Int8: return "int8";
    case DType::Uint16: return "uint16";
    case DType::Int16: return "int16";
    case DType::Int32: return "int32";
    case DType::Int64: return "int64";
    case DType::String: return "string";
    case DType::Bool: return "bool";
    case DType::Float16: return "float16";
    case DType::Float64: return "float64";
    case DType::Uint32: return "uint32";
    case DType::Uint64: return "uint64";
    case DType::Complex64: return "complex64";
    case DType::Complex128: return "complex128";
    case DType::BFloat16: return "bfloat16";
  }
  return "dtype(" + std::to_string(static_cast<int>(t)) + ")";
}

bool dtype_supported(DType t) {
  switch (t) {
    case DType::Float32:
    case DType::Float64:
    case DType::Uint8:
    case DType::Int8:
    case DType::Uint16:
    case DType::Int16:
    case DType::Int32:
    case DType::Int64:
    case DType::Uint32:
    case DType::Uint64:
    case DType::Bool:
      return true;
    default:
      return false;
  }
}

}  // namespace octet
