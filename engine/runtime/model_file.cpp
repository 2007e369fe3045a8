// Loads a .octet file (engine/runtime/model_file_format.h) into a Plan. Parsing checks every
// read against the section it is in (ModelFileReader); validate_plan (plan_checker.cpp) then
// checks that what was read is safe to run.
#include <array>
#include <cstdint>
#include <cstring>

#include "engine/runtime/error.h"
#include "engine/runtime/model_file.h"
#include "engine/runtime/model_file_format.h"
#include "engine/runtime/model_file_io.h"
#include "engine/runtime/read_file.h"

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

constexpr uint32_t kMaxRank = 8;

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

void get_port(ModelFileReader& r, Port& p) {
  r(p.name);
  r(p.dims);
  if (p.dims.size() > kMaxRank) refuse_model_file("port '" + printable_name(p.name) + "' has rank " + std::to_string(p.dims.size()));
  int32_t b = 0;
  r(b);
  p.buffer = b;
}

// A step: its type's id, the common fields, then the type's own fields.
void get_step(ModelFileReader& r, size_t index, Step& s) {
  uint8_t id = 0;
  r.raw(&id, 1);
  s.type = find_step_type(id);
  if (s.type == nullptr)
    refuse_model_file("step " + std::to_string(index) + ": unknown step type id " + std::to_string(id) +
                      " (not in this runtime's step types)");
  model_file::visit_step_common(r, s);
  r.where = "step " + std::to_string(index) + " '" + printable_name(s.name) + "'";
  s.params = s.type->make();
  s.type->read(r, *s.params);
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
    refuse_model_file("truncated: " + std::to_string(bytes.size()) + " bytes, shorter than the " +
                      std::to_string(kHeaderSize) + "-byte header");
  if (std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) refuse_model_file("bad magic (not an octet compiled model)");
  const uint32_t version = get_u32(bytes, 8);
  if (version != kModelFileVersion)
    refuse_model_file("format version " + std::to_string(version) + ", this runtime reads version " +
                      std::to_string(kModelFileVersion) + " (recompile with this octet's octet-compile)");
  const uint64_t file_size = get_u64(bytes, 16);
  if (file_size != bytes.size())
    refuse_model_file("the header says " + std::to_string(file_size) + " bytes, the file has " +
                      std::to_string(bytes.size()) + (file_size > bytes.size() ? " (truncated)" : " (trailing bytes)"));
  if (options.verify_checksum) {
    const uint32_t want = get_u32(bytes, 12), got = crc32(bytes.subspan(16));
    if (want != got) refuse_model_file("checksum mismatch (the file is corrupted)");
  }
  const uint64_t graph_offset = get_u64(bytes, 24), graph_size = get_u64(bytes, 32);
  const uint64_t weights_offset = get_u64(bytes, 40), weights_size = get_u64(bytes, 48);
  const uint32_t flags = get_u32(bytes, 56);
  if (graph_offset != kHeaderSize || graph_size > file_size - graph_offset)
    refuse_model_file("graph section [" + std::to_string(graph_offset) + ", +" + std::to_string(graph_size) +
                      ") outside the file");
  if (weights_offset % kPlanAlignment != 0 || weights_offset < graph_offset + graph_size ||
      weights_offset > file_size || weights_size != file_size - weights_offset)
    refuse_model_file("weights section [" + std::to_string(weights_offset) + ", +" + std::to_string(weights_size) +
                      ") is misplaced or misaligned");
  if ((flags & ~kFlagInt8) != 0 || get_u32(bytes, 60) != 0) refuse_model_file("unknown flags");

  Plan plan;
  ModelFileMeta m;
  ModelFileReader r(bytes.data() + graph_offset, bytes.data() + graph_offset + graph_size);
  r(m.producer), r(m.source), r(m.scheme), r(plan.isa);
  r.where = "vector kernels";
  r(plan.vector);
  r.where = "int8 vector kernels";
  r(plan.qvector);
  uint64_t arena = 0, workspace = 0;
  r(arena), r(workspace);
  plan.arena_bytes_per_image = arena;
  plan.workspace_bytes = workspace;
  plan.buffers.resize(r.count(1u << 20, 11, "buffer"));
  for (Buffer& b : plan.buffers) visit_buffer(r, b);
  plan.inputs.resize(r.count(1024, 3, "input"));
  for (Port& p : plan.inputs) get_port(r, p);
  plan.outputs.resize(r.count(1024, 3, "output"));
  for (Port& p : plan.outputs) get_port(r, p);
  plan.steps.resize(r.count(1u << 20, 7, "step"));
  for (size_t i = 0; i < plan.steps.size(); ++i) get_step(r, i, plan.steps[i]);
  if (r.left() != 0) refuse_model_file(std::to_string(r.left()) + " unread bytes at the end of the graph section");
  if (((flags & kFlagInt8) != 0) != (plan.qvector != nullptr)) refuse_model_file("the int8 flag disagrees with the kernels");

  plan.weights = AlignedBytes(weights_size);
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
