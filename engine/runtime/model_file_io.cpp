#include "engine/runtime/model_file_io.h"

#include "engine/runtime/model_file.h"
#include "kernels/registry.h"

namespace octet {

namespace {

constexpr uint32_t kMaxString = 4096;   // names in real models are far shorter

// The registry entry `name` of `family`, for a kernel field of `where`.
const kernels::KernelVariant* find_variant(const std::string& name, kernels::KernelFamily family,
                                           const std::string& where) {
  if (name.empty()) return nullptr;
  for (const kernels::KernelVariant& v : kernels::kernel_variants()) {
    if (name != v.name) continue;
    if (v.family != family)
      refuse_model_file(where + ": kernel '" + printable_name(name) + "' is a " + kernels::family_name(v.family) +
                        " kernel, not " + kernels::family_name(family));
    if (!v.supported())
      throw UnsupportedCpuError(".octet file needs kernel '" + name + "' (" + where + "), which needs " +
                                kernels::isa_name(v.isa) + " instructions this CPU does not have; recompile the " +
                                "model for this CPU (octet-compile --isa sse2|avx2|avx512 --int8-isa scalar|avx2|vnni)");
    return &v;
  }
  refuse_model_file(where + ": unknown kernel '" + printable_name(name) + "' (not in this runtime's kernel registry)");
}

}  // namespace

std::string printable_name(const std::string& s) {
  std::string out;
  for (char c : s.substr(0, 80)) out += (c >= 32 && c < 127) ? c : '?';
  return s.size() > 80 ? out + "..." : out;
}

void refuse_model_file(const std::string& what) { throw Error("invalid .octet file: " + what); }

void ModelFileWriter::kernel(const void* k) {
  if (k == nullptr) return (*this)(std::string());
  for (const kernels::KernelVariant& v : kernels::kernel_variants())
    if (v.object() == k) return (*this)(std::string(v.name));
  throw Error("cannot save the plan: a kernel" + (step_name.empty() ? std::string() : " of step '" + step_name + "'") +
              " is not in the kernel registry (kernels/registry.cpp)");
}

uint64_t ModelFileReader::varint() {
  uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (p_ == end_) refuse_model_file("truncated graph section (in an integer)");
    const uint8_t b = *p_++;
    if (shift == 63 && b > 1) break;
    v |= uint64_t{b & 0x7Fu} << shift;
    if ((b & 0x80) == 0) return v;
  }
  refuse_model_file("malformed integer in the graph section");
}

void ModelFileReader::operator()(int32_t& v) {
  const int64_t x = unzigzag(varint());
  if (x < INT32_MIN || x > INT32_MAX) refuse_model_file("a 32-bit field holds " + std::to_string(x));
  v = static_cast<int32_t>(x);
}

void ModelFileReader::operator()(uint32_t& v) {
  const uint64_t x = varint();
  if (x > UINT32_MAX) refuse_model_file("a 32-bit count holds " + std::to_string(x));
  v = static_cast<uint32_t>(x);
}

void ModelFileReader::operator()(bool& v) {
  uint8_t b = 0;
  raw(&b, 1);
  if (b > 1) refuse_model_file("a boolean field holds " + std::to_string(b));
  v = b != 0;
}

void ModelFileReader::operator()(std::string& s) {
  const uint32_t n = count(kMaxString, 1, "string");
  s.assign(reinterpret_cast<const char*>(p_), n);
  p_ += n;
}

uint32_t ModelFileReader::count(uint32_t max, size_t min_bytes, const char* what) {
  uint32_t n = 0;
  (*this)(n);
  if (n > max || n * min_bytes > left())
    refuse_model_file(std::string(what) + " count " + std::to_string(n) + " exceeds the " + std::to_string(left()) +
                      " bytes left in the graph section");
  return n;
}

#define OCTET_READ_KERNEL(Type, family, member)                                                        \
  void ModelFileReader::operator()(const kernels::Type*& k) {                                          \
    std::string name;                                                                                  \
    (*this)(name);                                                                                     \
    const kernels::KernelVariant* v = find_variant(name, kernels::KernelFamily::family, where);        \
    k = v ? v->member : nullptr;                                                                       \
  }
OCTET_READ_KERNEL(ConvF32Kernel, ConvF32, conv)
OCTET_READ_KERNEL(DwConvF32Kernel, DwConvF32, dwconv)
OCTET_READ_KERNEL(GemmF32Kernel, GemmF32, gemm)
OCTET_READ_KERNEL(QConvU8Kernel, ConvQU8, qconv)
OCTET_READ_KERNEL(QDwConvU8Kernel, DwConvQU8, qdwconv)
OCTET_READ_KERNEL(VectorF32Kernels, VectorF32, vector)
OCTET_READ_KERNEL(QGemmF32Kernel, GemmQU8, qgemm)
OCTET_READ_KERNEL(QMaxPoolU8Kernel, MaxPoolQU8, qmaxpool)
OCTET_READ_KERNEL(VectorQU8Kernels, VectorQU8, qvector)
#undef OCTET_READ_KERNEL

}  // namespace octet
