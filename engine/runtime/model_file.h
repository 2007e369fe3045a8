// octet's compiled model file (.octet): a Plan (engine/plan.h) saved with its packed weights,
// so that an application can load and run a model with the runtime library alone (no ONNX
// importer, no protobuf, no compiler). docs/model_file.md describes the layout.
//
// Writing (model_file_write.cpp), loading (model_file.cpp) and the checks of a loaded plan
// (plan_checker.cpp) are all in the runtime; each step's fields and checks are its type's
// (engine/runtime/steps/). The loader trusts nothing in the file: every
// offset, size and count is bounds-checked while parsing, and the resulting plan is checked
// step by step (buffer sizes, kernel parameters against the kernel's own packed size and
// workspace, window geometry) before a Session may run it, so a corrupted or truncated file
// is refused with an octet::Error, never read out of bounds.
//
// Kernel choice: packed weights are laid out for one kernel variant, so the file names each
// step's variant (kernels/registry.h) and the loader refuses, naming the variant and its ISA,
// a file whose kernels this CPU cannot run. `octet-compile --isa avx2 --int8-isa avx2` (or
// sse2 / scalar) writes a file for older CPUs.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "engine/runtime/error.h"
#include "engine/runtime/plan.h"

namespace octet {

// 2: step types by stable id with their own field lists, kernels named inside the step,
// sizes and offsets in bytes. 3: the conv epilogue's activation parameters (alpha, beta) and
// its Sigmoid, HardSigmoid, HardSwish and SiLU codes. 4: the int8 depthwise conv's packed
// weights as pairs of kernel rows (kernels/int8/dwconv_pack.h). 5: int8 steps requantise
// in float as ONNX Runtime does (kernels/int8/requant.h), holding float scales instead of
// fixed-point multipliers. 6: the int8 Add's code offset (QAddFloat::code_offset: an int8
// graph's Add computes on its int8 codes). 7: the int8 conv's output slice and table (it
// writes straight into a Concat's output, engine/qconv_into_concat.h). 8: the VNNI int8
// conv's packed weights repeat a last vector's 8 channels in its high lanes (paired tiles,
// kernels/int8/conv_direct_impl.h), where version 7 held zeros: same size and kernel name,
// different bytes. Older files are refused ("recompile").
inline constexpr uint32_t kModelFileVersion = 8;

// Free-form provenance the file carries besides the plan (shown by tools, not used to run).
struct ModelFileMeta {
  std::string producer;   // "octet-compile <version>" (octet/version.h)
  std::string source;     // the ONNX file it came from
  std::string scheme;     // "fp32", "uint8", "int8", "u8s8", "qdq"
};

// What load_model_file throws besides octet::Error (an invalid file), so that the C API can
// tell the cases apart.
class UnsupportedCpuError : public Error {
 public:
  using Error::Error;
};
class ModelFileIoError : public Error {
 public:
  using Error::Error;
};

struct ModelFileLoadOptions {
  // The CRC-32 over the whole file. Off only for tests and fuzzing, which need corrupted
  // files to reach the structural checks behind it.
  bool verify_checksum = true;
};

// The file's bytes. Throws octet::Error if a step's kernel is not in the registry.
std::vector<uint8_t> model_file_bytes(const Plan& plan, const ModelFileMeta& meta = {});
void save_model_file(const Plan& plan, const std::string& path, const ModelFileMeta& meta = {});

// Throws octet::Error naming what is wrong (truncated, bad magic, version, checksum, an
// out-of-range field with the step and its name, a kernel this CPU cannot run).
Plan load_model_file(std::span<const uint8_t> bytes, const ModelFileLoadOptions& options = {},
                     ModelFileMeta* meta = nullptr);
Plan read_model_file(const std::string& path, const ModelFileLoadOptions& options = {},
                     ModelFileMeta* meta = nullptr);

// The step-by-step safety checks of a plan (run by load_model_file). Throws octet::Error.
void validate_plan(const Plan& plan);

// CRC-32 (IEEE 802.3, as zlib's crc32).
uint32_t crc32(std::span<const uint8_t> bytes, uint32_t crc = 0);

}  // namespace octet
