// The byte layout of a .octet file, shared by the writer (model_file_write.cpp) and the loader
// (model_file.cpp): one list of fields per structure, visited in the same order by both, so
// the two cannot drift apart. Internal to engine/; docs/model_file.md is the readable form.
//
//   offset  size  field
//   0       8     magic "OCTETMDL"
//   8       4     format version (kModelFileVersion)
//   12      4     CRC-32 of bytes [16, file size)
//   16      8     file size
//   24      8     graph section offset (64)        32  8  graph section size
//   40      8     weights section offset (64-aligned)  48  8  weights section size (bytes, 4k)
//   56      4     flags (bit 0: the plan has int8 steps)   60  4  reserved (0)
//
// Graph section: integers as LEB128 varints (signed: zigzag), floats as 4 little-endian bytes,
// enums and booleans as one byte; strings and arrays are a varint count then the elements.
// Weights section: Plan::weights verbatim (packed per kernel variant, float or int8/int32
// bytes), 64-byte aligned in the file so that it can be used in place.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/plan.h"

namespace octet::model_file {

inline constexpr char kMagic[8] = {'O', 'C', 'T', 'E', 'T', 'M', 'D', 'L'};
inline constexpr size_t kHeaderSize = 64;
inline constexpr uint32_t kFlagInt8 = 1;

// A field added to one of these structures must be added to its visitor below (or the file
// silently drops it) and kModelFileVersion bumped: these sizes (x86-64, libstdc++) fail the
// build until someone has looked.
static_assert(sizeof(kernels::ConvNhwcParams) == 68 && sizeof(kernels::PoolNhwcParams) == 64 &&
                  sizeof(kernels::QConvParams) == 120 && sizeof(kernels::QAddParams) == 32 &&
                  sizeof(kernels::QPoolParams) == 96 && sizeof(kernels::Requant) == 8 && sizeof(Step) == 576 &&
                  sizeof(Buffer) == 80,
              "a plan structure changed: update engine/model_file_format.h and bump kModelFileVersion");

// Field visitors. IO provides operator() for int32_t, int64_t, uint64_t, float, bool,
// std::string, std::vector<int32_t> and enums (stored as one byte), taking references that
// the writer reads and the loader assigns. S is T or const T.
template <typename IO, typename S>
void visit_conv(IO& io, S& p) {
  io(p.in_h), io(p.in_w), io(p.in_c), io(p.out_h), io(p.out_w), io(p.out_c);
  io(p.kernel_h), io(p.kernel_w), io(p.stride_h), io(p.stride_w), io(p.dilation_h), io(p.dilation_w);
  io(p.pad_top), io(p.pad_left), io(p.activation), io(p.clip_min), io(p.clip_max);
}

template <typename IO, typename S>
void visit_pool(IO& io, S& p) {
  io(p.in_h), io(p.in_w), io(p.channels), io(p.out_h), io(p.out_w), io(p.kernel_h), io(p.kernel_w);
  io(p.stride_h), io(p.stride_w), io(p.dilation_h), io(p.dilation_w);
  io(p.pad_top), io(p.pad_left), io(p.pad_bottom), io(p.pad_right), io(p.count_include_pad);
}

template <typename IO, typename S>
void visit_requant(IO& io, S& r) {
  io(r.multiplier), io(r.shift);
}

// A Step's fields, but only those its kind uses (Session::run_step), and not its kernel
// pointers (stored by name, beside this). The kind comes first, so the loader knows which
// fields follow; an unknown kind reads nothing more and is refused by validate_plan.
template <typename IO, typename S>
void visit_step(IO& io, S& s) {
  io(s.kind), io(s.name), io(s.input), io(s.input2), io(s.output), io(s.macs);
  switch (s.kind) {
    case StepKind::Conv:
      visit_conv(io, s.conv_params), io(s.weights_offset);
      break;
    case StepKind::AveragePool:
    case StepKind::MaxPool:
      visit_pool(io, s.pool);
      break;
    case StepKind::GlobalAverage:
    case StepKind::NchwToNhwc:
    case StepKind::NhwcToNchw:
      io(s.channels), io(s.height), io(s.width);
      break;
    case StepKind::Gemm:
      io(s.rows), io(s.n), io(s.k), io(s.activation), io(s.weights_offset);
      break;
    case StepKind::Softmax:
      io(s.rows), io(s.n);
      break;
    case StepKind::Add:
      io(s.elements), io(s.activation);
      break;
    case StepKind::QConv: {
      auto& q = s.qconv_params;
      visit_conv(io, q.shape);
      io(q.input_zero_point), io(q.weight_zero_point), io(q.output_zero_point), io(q.output_min), io(q.output_max);
      visit_requant(io, q.requant);
      io(q.residual_multiplier), io(q.residual_zero_point);
      io(q.round_before_residual), io(q.conv_zero_point), io(q.conv_multiplier), io(q.add_shift);
      io(s.weights_offset);
      break;
    }
    case StepKind::QGlobalAverage:
      io(s.channels), io(s.height), io(s.width);
      visit_requant(io, s.requant);
      io(s.in_zero_point), io(s.out_zero_point), io(s.out_min), io(s.out_max);
      break;
    case StepKind::QAveragePool:
      visit_pool(io, s.qpool.shape);
      io(s.qpool.input_zero_point), io(s.qpool.output_zero_point), io(s.qpool.output_min), io(s.qpool.output_max);
      io(s.qpool.shift), io(s.pool_multipliers);
      break;
    case StepKind::QAdd: {
      auto& a = s.qadd;
      io(s.elements);
      io(a.a_zero_point), io(a.b_zero_point), io(a.output_zero_point), io(a.a_multiplier), io(a.b_multiplier);
      io(a.shift), io(a.output_min), io(a.output_max);
      break;
    }
    case StepKind::Quantize:
    case StepKind::Dequantize:
      io(s.elements), io(s.scale), io(s.zero_point);
      break;
  }
}

template <typename IO, typename S>
void visit_buffer(IO& io, S& b) {
  io(b.value_name), io(b.floats_per_image), io(b.uint8), io(b.elements_per_image), io(b.nhwc);
  io(b.scale), io(b.zero_point), io(b.offset);
}

}  // namespace octet::model_file
