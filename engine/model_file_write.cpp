// Writes a Plan as a .octet file (engine/model_file_format.h).
#include <cstring>
#include <fstream>
#include <type_traits>

#include "engine/model_file.h"
#include "engine/model_file_format.h"
#include "graph/error.h"
#include "kernels/registry.h"

namespace octet {

namespace {

struct Writer {
  std::vector<uint8_t> out;

  void raw(const void* p, size_t n) {
    const auto* b = static_cast<const uint8_t*>(p);
    out.insert(out.end(), b, b + n);
  }
  // Integers as LEB128 varints (signed ones zigzag-encoded): most fields are small.
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
};

// The registry's name of a kernel object (the objects' own `name` may carry a tile).
template <typename K>
std::string variant_name(const K* k, const Step* step) {
  if (k == nullptr) return {};
  for (const kernels::KernelVariant& v : kernels::kernel_variants()) {
    const void* p = v.conv ? static_cast<const void*>(v.conv)
                  : v.gemm ? static_cast<const void*>(v.gemm)
                  : v.vector ? static_cast<const void*>(v.vector)
                  : v.qconv ? static_cast<const void*>(v.qconv)
                            : static_cast<const void*>(v.qvector);
    if (p == static_cast<const void*>(k)) return v.name;
  }
  throw Error(std::string("cannot save the plan: a kernel") + (step ? " of step '" + step->name + "'" : std::string()) +
              " is not in the kernel registry (kernels/registry.cpp)");
}

void put_port(Writer& w, const Port& p) {
  w(p.name);
  w(p.dims);
  w(static_cast<int32_t>(p.buffer));
}

}  // namespace

std::vector<uint8_t> model_file_bytes(const Plan& plan, const ModelFileMeta& meta) {
  Writer g;
  g(meta.producer), g(meta.source), g(meta.scheme), g(plan.isa);
  g(variant_name(plan.vector, nullptr)), g(variant_name(plan.qvector, nullptr));
  g(static_cast<uint64_t>(plan.arena_floats_per_image)), g(static_cast<uint64_t>(plan.workspace_floats));
  g(static_cast<uint32_t>(plan.buffers.size()));
  for (const Buffer& b : plan.buffers) model_file::visit_buffer(g, b);
  g(static_cast<uint32_t>(plan.inputs.size()));
  for (const Port& p : plan.inputs) put_port(g, p);
  g(static_cast<uint32_t>(plan.outputs.size()));
  for (const Port& p : plan.outputs) put_port(g, p);
  g(static_cast<uint32_t>(plan.steps.size()));
  bool int8 = false;
  for (const Step& s : plan.steps) {
    model_file::visit_step(g, s);
    std::string kernel = s.conv ? variant_name(s.conv, &s) : s.gemm ? variant_name(s.gemm, &s) : variant_name(s.qconv, &s);
    g(kernel);
    int8 = int8 || s.kind >= StepKind::QConv;
  }

  const uint64_t graph_offset = model_file::kHeaderSize;
  const uint64_t graph_size = g.out.size();
  const uint64_t weights_offset = (graph_offset + graph_size + 63) / 64 * 64;
  const uint64_t weights_size = plan.weights.size() * sizeof(float);
  const uint64_t file_size = weights_offset + weights_size;

  Writer h;
  h.raw(model_file::kMagic, sizeof model_file::kMagic);
  const uint32_t version = kModelFileVersion, crc_placeholder = 0, flags = int8 ? model_file::kFlagInt8 : 0,
                 reserved = 0;
  h.raw(&version, 4), h.raw(&crc_placeholder, 4);   // the CRC is filled in below
  for (uint64_t v : {file_size, graph_offset, graph_size, weights_offset, weights_size}) h.raw(&v, 8);
  h.raw(&flags, 4), h.raw(&reserved, 4);
  std::vector<uint8_t> out = std::move(h.out);
  out.insert(out.end(), g.out.begin(), g.out.end());
  out.resize(weights_offset, 0);
  if (weights_size) out.insert(out.end(), reinterpret_cast<const uint8_t*>(plan.weights.data()),
                               reinterpret_cast<const uint8_t*>(plan.weights.data()) + weights_size);
  const uint32_t crc = crc32(std::span<const uint8_t>(out).subspan(16));
  std::memcpy(out.data() + 12, &crc, 4);
  return out;
}

void save_model_file(const Plan& plan, const std::string& path, const ModelFileMeta& meta) {
  const std::vector<uint8_t> bytes = model_file_bytes(plan, meta);
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size())) || !f.flush())
    throw Error(path + ": cannot write the model file");
}

}  // namespace octet
