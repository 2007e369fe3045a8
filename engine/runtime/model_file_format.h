// The byte layout of a .octet file, shared by the writer (model_file_write.cpp) and the loader
// (model_file.cpp). Internal to the runtime; docs/model_file.md is the readable form.
//
//   offset  size  field
//   0       8     magic "OCTETMDL"
//   8       4     format version (kModelFileVersion)
//   12      4     CRC-32 of bytes [16, file size)
//   16      8     file size
//   24      8     graph section offset (64)        32  8  graph section size
//   40      8     weights section offset (64-aligned)  48  8  weights section size (bytes)
//   56      4     flags (bit 0: the plan has int8 steps)   60  4  reserved (0)
//
// Graph section: the fields of engine/runtime/model_file_io.h, in the order of
// visit_buffer below and model_file.cpp; each step is its type's one-byte id
// (engine/runtime/steps/registry.cpp), its common fields, then its type's own field list
// (StepType::write / read, in the type's file).
// Weights section: Plan::weights verbatim (packed per kernel variant, float or int8/int32
// bytes), 64-byte aligned in the file so that it can be used in place.
#pragma once
#include <cstddef>
#include <cstdint>

#include "engine/runtime/plan.h"

namespace octet::model_file {

inline constexpr char kMagic[8] = {'O', 'C', 'T', 'E', 'T', 'M', 'D', 'L'};
inline constexpr size_t kHeaderSize = 64;
inline constexpr uint32_t kFlagInt8 = 1;

// A field added to Buffer must be added to its list below (or the file silently drops it) and
// kModelFileVersion bumped: this size (x86-64, libstdc++) fails the build until someone has looked.
static_assert(sizeof(Buffer) == 80, "Buffer changed: update engine/runtime/model_file_format.h and bump kModelFileVersion");

// IO is a ModelFileWriter or ModelFileReader; S is Buffer or const Buffer.
template <typename IO, typename S>
void visit_buffer(IO& io, S& b) {
  io(b.value_name), io(b.bytes_per_image), io(b.uint8), io(b.elements_per_image), io(b.nhwc);
  io(b.scale), io(b.zero_point), io(b.offset);
}

// The fields every step has, after its type id.
template <typename IO, typename S>
void visit_step_common(IO& io, S& s) {
  io(s.name), io(s.input), io(s.input2), io(s.output), io(s.macs);
}

}  // namespace octet::model_file
