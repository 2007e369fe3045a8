// Writes a Plan as a .octet file (engine/runtime/model_file_format.h).
#include <cstring>
#include <fstream>

#include "engine/runtime/error.h"
#include "engine/runtime/model_file.h"
#include "engine/runtime/model_file_format.h"
#include "engine/runtime/model_file_io.h"

namespace octet {

namespace {

void put_port(ModelFileWriter& w, const Port& p) {
  w(p.name);
  w(p.dims);
  w(static_cast<int32_t>(p.buffer));
}

}  // namespace

std::vector<uint8_t> model_file_bytes(const Plan& plan, const ModelFileMeta& meta) {
  ModelFileWriter g;
  g(meta.producer), g(meta.source), g(meta.scheme), g(plan.isa);
  g(plan.vector), g(plan.qvector);
  g(static_cast<uint64_t>(plan.arena_bytes_per_image)), g(static_cast<uint64_t>(plan.workspace_bytes));
  g(static_cast<uint32_t>(plan.buffers.size()));
  for (const Buffer& b : plan.buffers) model_file::visit_buffer(g, b);
  g(static_cast<uint32_t>(plan.inputs.size()));
  for (const Port& p : plan.inputs) put_port(g, p);
  g(static_cast<uint32_t>(plan.outputs.size()));
  for (const Port& p : plan.outputs) put_port(g, p);
  g(static_cast<uint32_t>(plan.steps.size()));
  for (const Step& s : plan.steps) {
    g.step_name = s.name;
    g.raw(&s.type->id, 1);
    model_file::visit_step_common(g, s);
    s.type->write(g, *s.params);
  }

  const uint64_t graph_offset = model_file::kHeaderSize;
  const uint64_t graph_size = g.out.size();
  const uint64_t weights_offset = align_up(graph_offset + graph_size);
  const uint64_t weights_size = plan.weights.size();
  const uint64_t file_size = weights_offset + weights_size;

  // The header (model_file_format.h); the CRC is filled in last.
  std::vector<uint8_t> out(model_file::kHeaderSize, 0);
  const uint32_t version = kModelFileVersion, flags = plan.has_int8_steps() ? model_file::kFlagInt8 : 0;
  std::memcpy(out.data(), model_file::kMagic, sizeof model_file::kMagic);
  std::memcpy(out.data() + 8, &version, 4);
  size_t at = 16;
  for (uint64_t v : {file_size, graph_offset, graph_size, weights_offset, weights_size}) {
    std::memcpy(out.data() + at, &v, 8);
    at += 8;
  }
  std::memcpy(out.data() + 56, &flags, 4);
  out.insert(out.end(), g.out.begin(), g.out.end());
  out.resize(weights_offset, 0);
  if (weights_size) out.insert(out.end(), plan.weights.data(), plan.weights.data() + weights_size);
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
