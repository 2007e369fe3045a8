// The field encoding of a .octet file's graph section (engine/runtime/model_file_format.h),
// shared by the writer, the loader and the step types' field lists (StepType::write/read):
// integers as LEB128 varints (signed: zigzag), floats as 4 little-endian bytes, enums and
// booleans as one byte, strings and arrays as a varint count then the elements, and kernel
// pointers by their registry name (kernels/registry.h). Both classes take the same calls, so a
// type's `fields(io, params)` serves both directions. The reader trusts nothing: every read is
// bounds-checked against the section and refused with "invalid .octet file: ...".
#pragma once
#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include "engine/runtime/error.h"

namespace octet {

namespace kernels {
struct ConvF32Kernel;
struct DwConvF32Kernel;
struct GemmF32Kernel;
struct QConvU8Kernel;
struct QDwConvU8Kernel;
struct QGemmF32Kernel;
struct QMaxPoolU8Kernel;
struct VectorF32Kernels;
struct VectorQU8Kernels;
}  // namespace kernels

// A name from a file as it may appear in a message: printable ASCII, at most 80 characters.
std::string printable_name(const std::string& s);

[[noreturn]] void refuse_model_file(const std::string& what);   // throws "invalid .octet file: what"

class ModelFileWriter {
 public:
  std::vector<uint8_t> out;
  std::string step_name;   // of the step being written, for the error about an unregistered kernel

  void raw(const void* p, size_t n) {
    const auto* b = static_cast<const uint8_t*>(p);
    out.insert(out.end(), b, b + n);
  }
  void varint(uint64_t v) {
    while (v >= 0x80) {
      out.push_back(static_cast<uint8_t>(v | 0x80));
      v >>= 7;
    }
    out.push_back(static_cast<uint8_t>(v));
  }
  void operator()(const int32_t& v) { (*this)(int64_t{v}); }
  void operator()(const int64_t& v) { varint((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63)); }
  void operator()(const uint64_t& v) { varint(v); }
  void operator()(const uint32_t& v) { varint(v); }
  void operator()(const float& v) { raw(&v, 4); }
  void operator()(const bool& v) { out.push_back(v ? 1 : 0); }
  void operator()(const std::string& s) {
    (*this)(static_cast<uint32_t>(s.size()));
    raw(s.data(), s.size());
  }
  template <typename T>
  void operator()(const std::vector<T>& v) {
    (*this)(static_cast<uint32_t>(v.size()));
    for (const T& x : v) (*this)(x);
  }
  template <typename E>
    requires std::is_enum_v<E>
  void operator()(const E& e) { out.push_back(static_cast<uint8_t>(e)); }
  // Kernels by registry name; throws octet::Error for a kernel the registry does not list.
  void operator()(const kernels::ConvF32Kernel* const& k) { kernel(k); }
  void operator()(const kernels::DwConvF32Kernel* const& k) { kernel(k); }
  void operator()(const kernels::GemmF32Kernel* const& k) { kernel(k); }
  void operator()(const kernels::QConvU8Kernel* const& k) { kernel(k); }
  void operator()(const kernels::QDwConvU8Kernel* const& k) { kernel(k); }
  void operator()(const kernels::VectorF32Kernels* const& k) { kernel(k); }
  void operator()(const kernels::QGemmF32Kernel* const& k) { kernel(k); }
  void operator()(const kernels::QMaxPoolU8Kernel* const& k) { kernel(k); }
  void operator()(const kernels::VectorQU8Kernels* const& k) { kernel(k); }

 private:
  void kernel(const void* k);   // "" for nullptr
};

class ModelFileReader {
 public:
  ModelFileReader(const uint8_t* p, const uint8_t* end) : p_(p), end_(end) {}
  std::string where;   // "step 3 'conv1'": names the step in the messages of kernel lookups

  size_t left() const { return static_cast<size_t>(end_ - p_); }
  void raw(void* dst, size_t n) {
    if (n > left()) refuse_model_file("truncated graph section (" + std::to_string(n) + " bytes needed, " + std::to_string(left()) + " left)");
    std::memcpy(dst, p_, n);
    p_ += n;
  }
  // At most 10 bytes; refused when the value does not fit the field.
  uint64_t varint();
  static int64_t unzigzag(uint64_t v) { return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1); }
  void operator()(int64_t& v) { v = unzigzag(varint()); }
  void operator()(uint64_t& v) { v = varint(); }
  void operator()(int32_t& v);
  void operator()(uint32_t& v);
  void operator()(float& v) { raw(&v, 4); }
  void operator()(bool& v);
  void operator()(std::string& s);
  template <typename T>
  void operator()(std::vector<T>& v) {
    v.resize(count(1u << 20, 1, "array"));
    for (T& x : v) (*this)(x);
  }
  template <typename E>
    requires std::is_enum_v<E>
  void operator()(E& e) {
    uint8_t b = 0;
    raw(&b, 1);
    e = static_cast<E>(b);   // range-checked by the step type's validate, which knows the values
  }
  // Kernels by registry name: refused when unknown or of another family; UnsupportedCpuError
  // when this CPU cannot run them. An empty name reads as nullptr (the int8 vector kernels of a
  // float plan).
  void operator()(const kernels::ConvF32Kernel*& k);
  void operator()(const kernels::DwConvF32Kernel*& k);
  void operator()(const kernels::GemmF32Kernel*& k);
  void operator()(const kernels::QConvU8Kernel*& k);
  void operator()(const kernels::QDwConvU8Kernel*& k);
  void operator()(const kernels::VectorF32Kernels*& k);
  void operator()(const kernels::QGemmF32Kernel*& k);
  void operator()(const kernels::QMaxPoolU8Kernel*& k);
  void operator()(const kernels::VectorQU8Kernels*& k);
  // A count of elements of at least `min_bytes` each, refused before anything is allocated
  // when the rest of the section could not hold them.
  uint32_t count(uint32_t max, size_t min_bytes, const char* what);

 private:
  const uint8_t* p_;
  const uint8_t* end_;
};

}  // namespace octet
