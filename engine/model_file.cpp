// Loads a .octet file (engine/model_file_format.h) into a Plan. Parsing checks every read
// against the section it is in; validate_plan (model_file_validate.cpp) then checks that
// what was read is safe to run.
#include <array>
#include <climits>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <type_traits>

#include "engine/model_file.h"
#include "engine/model_file_format.h"
#include "graph/error.h"
#include "graph/read_file.h"
#include "kernels/registry.h"

namespace octet {

namespace {

constexpr std::array<uint32_t, 256> make_crc_table() {
  std::array<uint32_t, 256> t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    t[i] = c;
  }
  return t;
}
constexpr std::array<uint32_t, 256> kCrcTable = make_crc_table();

// Longest string and array the loader accepts; names in real models are far shorter.
constexpr uint32_t kMaxString = 4096;
constexpr uint32_t kMaxRank = 8;

[[noreturn]] void refuse(const std::string& what) { throw Error("invalid .octet file: " + what); }

// A name from the file as it may appear in a message: printable ASCII, at most 80 characters.
std::string printable(const std::string& s) {
  std::string out;
  for (char c : s.substr(0, 80)) out += (c >= 32 && c < 127) ? c : '?';
  return s.size() > 80 ? out + "..." : out;
}

// Reads fixed-width fields from [p, end); every read is bounds-checked.
class Reader {
 public:
  Reader(const uint8_t* p, const uint8_t* end) : p_(p), end_(end) {}
  size_t left() const { return static_cast<size_t>(end_ - p_); }
  void raw(void* dst, size_t n) {
    if (n > left()) refuse("truncated graph section (" + std::to_string(n) + " bytes needed, " + std::to_string(left()) + " left)");
    std::memcpy(dst, p_, n);
    p_ += n;
  }
  // LEB128 varints, signed ones zigzag-encoded (model_file_write.cpp); at most 10 bytes, and
  // refused when the value does not fit the field.
  uint64_t varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p_ == end_) refuse("truncated graph section (in an integer)");
      const uint8_t b = *p_++;
      if (shift == 63 && b > 1) break;
      v |= uint64_t{b & 0x7Fu} << shift;
      if ((b & 0x80) == 0) return v;
    }
    refuse("malformed integer in the graph section");
  }
  static int64_t unzigzag(uint64_t v) { return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1); }
  void operator()(int64_t& v) { v = unzigzag(varint()); }
  void operator()(uint64_t& v) { v = varint(); }
  void operator()(int32_t& v) {
    const int64_t x = unzigzag(varint());
    if (x < INT32_MIN || x > INT32_MAX) refuse("a 32-bit field holds " + std::to_string(x));
    v = static_cast<int32_t>(x);
  }
  void operator()(uint32_t& v) {
    const uint64_t x = varint();
    if (x > UINT32_MAX) refuse("a 32-bit count holds " + std::to_string(x));
    v = static_cast<uint32_t>(x);
  }
  void operator()(float& v) { raw(&v, 4); }
  void operator()(bool& v) {
    uint8_t b = 0;
    raw(&b, 1);
    if (b > 1) refuse("a boolean field holds " + std::to_string(b));
    v = b != 0;
  }
  void operator()(std::string& s) {
    const uint32_t n = count(kMaxString, 1, "string");
    s.assign(reinterpret_cast<const char*>(p_), n);
    p_ += n;
  }
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
    e = static_cast<E>(b);   // range-checked by validate_plan, which knows each enum's values
  }
  // A count of elements of at least `min_bytes` each, refused before anything is allocated
  // when the rest of the section could not hold them.
  uint32_t count(uint32_t max, size_t min_bytes, const char* what) {
    uint32_t n = 0;
    (*this)(n);
    if (n > max || n * min_bytes > left())
      refuse(std::string(what) + " count " + std::to_string(n) + " exceeds the " + std::to_string(left()) +
             " bytes left in the graph section");
    return n;
  }

 private:
  const uint8_t* p_;
  const uint8_t* end_;
};

uint64_t get_u64(std::span<const uint8_t> b, size_t at) {
  uint64_t v;
  std::memcpy(&v, b.data() + at, 8);
  return v;
}
uint32_t get_u32(std::span<const uint8_t> b, size_t at) {
  uint32_t v;
  std::memcpy(&v, b.data() + at, 4);
  return v;
}

const kernels::KernelVariant& find_variant(const std::string& name, kernels::KernelFamily family,
                                           const std::string& where) {
  for (const kernels::KernelVariant& v : kernels::kernel_variants()) {
    if (name != v.name) continue;
    if (v.family != family)
      refuse(where + ": kernel '" + printable(name) + "' is a " + kernels::family_name(v.family) + " kernel, not " +
             kernels::family_name(family));
    if (!v.supported())
      throw UnsupportedCpuError(".octet file needs kernel '" + name + "' (" + where + "), which needs " +
                  kernels::isa_name(v.isa) + " instructions this CPU does not have; recompile the model for " +
                  "this CPU (octet-compile --isa sse2|avx2|avx512 --int8-isa scalar|avx2|vnni)");
    return v;
  }
  refuse(where + ": unknown kernel '" + printable(name) + "' (not in this runtime's kernel registry)");
}

void get_port(Reader& r, Port& p) {
  r(p.name);
  r(p.dims);
  if (p.dims.size() > kMaxRank) refuse("port '" + printable(p.name) + "' has rank " + std::to_string(p.dims.size()));
  int32_t b = 0;
  r(b);
  p.buffer = b;
}

}  // namespace

uint32_t crc32(std::span<const uint8_t> bytes, uint32_t crc) {
  crc = ~crc;
  for (uint8_t b : bytes) crc = kCrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

Plan load_model_file(std::span<const uint8_t> bytes, const ModelFileLoadOptions& options, ModelFileMeta* meta) {
  using namespace model_file;
  if (bytes.size() < kHeaderSize)
    refuse("truncated: " + std::to_string(bytes.size()) + " bytes, shorter than the " +
           std::to_string(kHeaderSize) + "-byte header");
  if (std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) refuse("bad magic (not an octet compiled model)");
  const uint32_t version = get_u32(bytes, 8);
  if (version != kModelFileVersion)
    refuse("format version " + std::to_string(version) + ", this runtime reads version " +
           std::to_string(kModelFileVersion) + " (recompile with this octet's octet-compile)");
  const uint64_t file_size = get_u64(bytes, 16);
  if (file_size != bytes.size())
    refuse("the header says " + std::to_string(file_size) + " bytes, the file has " + std::to_string(bytes.size()) +
           (file_size > bytes.size() ? " (truncated)" : " (trailing bytes)"));
  if (options.verify_checksum) {
    const uint32_t want = get_u32(bytes, 12), got = crc32(bytes.subspan(16));
    if (want != got) refuse("checksum mismatch (the file is corrupted)");
  }
  const uint64_t graph_offset = get_u64(bytes, 24), graph_size = get_u64(bytes, 32);
  const uint64_t weights_offset = get_u64(bytes, 40), weights_size = get_u64(bytes, 48);
  const uint32_t flags = get_u32(bytes, 56);
  if (graph_offset != kHeaderSize || graph_size > file_size - graph_offset)
    refuse("graph section [" + std::to_string(graph_offset) + ", +" + std::to_string(graph_size) + ") outside the file");
  if (weights_offset % 64 != 0 || weights_offset < graph_offset + graph_size || weights_offset > file_size ||
      weights_size != file_size - weights_offset || weights_size % 4 != 0)
    refuse("weights section [" + std::to_string(weights_offset) + ", +" + std::to_string(weights_size) +
           ") is misplaced or misaligned");
  if ((flags & ~kFlagInt8) != 0 || get_u32(bytes, 60) != 0) refuse("unknown flags");

  Plan plan;
  ModelFileMeta m;
  Reader r(bytes.data() + graph_offset, bytes.data() + graph_offset + graph_size);
  r(m.producer), r(m.source), r(m.scheme), r(plan.isa);
  std::string vector_name, qvector_name;
  r(vector_name), r(qvector_name);
  plan.vector = find_variant(vector_name, kernels::KernelFamily::VectorF32, "vector kernels").vector;
  if (!qvector_name.empty())
    plan.qvector = find_variant(qvector_name, kernels::KernelFamily::VectorQU8, "int8 vector kernels").qvector;
  uint64_t arena = 0, workspace = 0;
  r(arena), r(workspace);
  plan.arena_floats_per_image = arena;
  plan.workspace_floats = workspace;
  plan.buffers.resize(r.count(1u << 20, 11, "buffer"));
  for (Buffer& b : plan.buffers) visit_buffer(r, b);
  plan.inputs.resize(r.count(1024, 3, "input"));
  for (Port& p : plan.inputs) get_port(r, p);
  plan.outputs.resize(r.count(1024, 3, "output"));
  for (Port& p : plan.outputs) get_port(r, p);
  plan.steps.resize(r.count(1u << 20, 7, "step"));
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    Step& s = plan.steps[i];
    visit_step(r, s);
    std::string kernel;
    r(kernel);
    const std::string where = "step " + std::to_string(i) + " '" + printable(s.name) + "'";
    switch (s.kind) {
      case StepKind::Conv: s.conv = find_variant(kernel, kernels::KernelFamily::ConvF32, where).conv; break;
      case StepKind::Gemm: s.gemm = find_variant(kernel, kernels::KernelFamily::GemmF32, where).gemm; break;
      case StepKind::QConv: s.qconv = find_variant(kernel, kernels::KernelFamily::ConvQU8, where).qconv; break;
      default:
        if (!kernel.empty()) refuse(where + " names a kernel ('" + printable(kernel) + "') its kind does not take");
    }
  }
  if (r.left() != 0) refuse(std::to_string(r.left()) + " unread bytes at the end of the graph section");
  if (((flags & kFlagInt8) != 0) != (plan.qvector != nullptr)) refuse("the int8 flag disagrees with the kernels");

  plan.weights = AlignedFloats(weights_size / 4);
  if (weights_size) std::memcpy(plan.weights.data(), bytes.data() + weights_offset, weights_size);
  validate_plan(plan);
  if (meta) *meta = std::move(m);
  return plan;
}

Plan read_model_file(const std::string& path, const ModelFileLoadOptions& options, ModelFileMeta* meta) {
  std::vector<uint8_t> bytes;
  try {
    bytes = read_whole_file(path, kMaxModelFileBytes);
  } catch (const FileReadError& e) {
    throw ModelFileIoError(std::string(e.what()) + " (cannot read the model file)");
  }
  try {
    return load_model_file(bytes, options, meta);
  } catch (const UnsupportedCpuError& e) {
    throw UnsupportedCpuError(path + ": " + e.what());
  } catch (const Error& e) {
    throw Error(path + ": " + e.what());
  }
}

}  // namespace octet
