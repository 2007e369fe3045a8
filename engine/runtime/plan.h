// A compiled model: the steps to run, their packed weights, and the arena layout. Built once
// by compile_plan() (engine/compile.h) or load_model_file() (engine/runtime/model_file.h); run
// by any number of Sessions (engine/runtime/session.h). Activations are stored channels-last
// (NHWC) inside the plan; graph inputs and outputs keep the layout the model declares.
//
// Sizes and offsets are in bytes: the arena, the scratch and the weights hold float and uint8
// data alike, every buffer and every layer's packed weights start on a kPlanAlignment boundary.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/runtime/step_type.h"
#include "kernels/f32/vector.h"
#include "kernels/int8/vector.h"

namespace octet {

// The alignment of buffers in the arena, of each thread's scratch and of each layer's packed
// weights (a cache line; what the AVX-512 kernels load at).
inline constexpr size_t kPlanAlignment = 64;

inline constexpr size_t align_up(size_t bytes, size_t alignment = kPlanAlignment) {
  return (bytes + alignment - 1) / alignment * alignment;
}

// kPlanAlignment-aligned bytes (uninitialised) for packed weights, arenas and scratch.
class AlignedBytes {
 public:
  AlignedBytes() = default;
  explicit AlignedBytes(size_t bytes);
  uint8_t* data() { return data_.get(); }
  const uint8_t* data() const { return data_.get(); }
  size_t size() const { return size_; }
  // The bytes from `offset` as T (offset a multiple of alignof(T)).
  template <typename T>
  T* as(size_t offset = 0) { return reinterpret_cast<T*>(data_.get() + offset); }
  template <typename T>
  const T* as(size_t offset = 0) const { return reinterpret_cast<const T*>(data_.get() + offset); }

 private:
  struct Free { void operator()(uint8_t* p) const; };
  std::unique_ptr<uint8_t[], Free> data_;
  size_t size_ = 0;
};

struct Step {
  const StepType* type = nullptr;
  std::string name;            // the ONNX node it came from, for profiles and errors
  int input = -1;              // buffer ids
  int input2 = -1;             // residual (conv) or second operand (add); -1 if none
  int output = -1;
  int64_t macs = 0;            // per image, for reporting
  std::unique_ptr<StepParams> params;   // a type->make() object: the type's own struct

  // A step of P's type (P::kType) with these parameters.
  template <typename P>
  static Step of(std::string name, P params, int input, int input2 = -1, int output = -1) {
    Step s;
    s.type = &P::kType;
    s.name = std::move(name);
    s.input = input;
    s.input2 = input2;
    s.output = output;
    s.params = std::make_unique<P>(std::move(params));
    return s;
  }
  // The parameters when the step is of P's type, else nullptr.
  template <typename P>
  const P* params_if() const { return type == &P::kType ? static_cast<const P*>(params.get()) : nullptr; }
  template <typename P>
  P* params_if() { return type == &P::kType ? static_cast<P*>(params.get()) : nullptr; }

  // The kernel variant's name ("qu8_conv_nhwc_direct_vnni") or, for a type with a fixed
  // routine, the type's name ("softmax", "quantize"), for profiles.
  const char* kernel_name() const;
  // Whether a kernel variant (kernels/registry.h) runs it, rather than a fixed routine.
  bool has_kernel() const { return type->kernel(*params) != nullptr; }
};

struct Buffer {
  std::string value_name;
  size_t bytes_per_image = 0;
  bool uint8 = false;          // uint8 elements, else float
  // What the buffer holds, for observers and reports: elements per image, NHWC order of a
  // 4-D value (else the value's own row-major order), and the quantization of a uint8 one.
  int64_t elements_per_image = 0;
  bool nhwc = false;
  float scale = 1.f;
  int32_t zero_point = 0;
  size_t offset = 0;           // bytes within one image's part of the arena (kPlanAlignment)
};

struct Port {
  std::string name;
  std::vector<int64_t> dims;   // dims[0] is the batch (the caller's), the rest per image
  int buffer = -1;
  int64_t floats_per_image() const;   // ports are float32
};

struct Plan {
  std::vector<Step> steps;
  std::vector<Buffer> buffers;
  std::vector<Port> inputs, outputs;
  AlignedBytes weights;                // packed per kernel variant, each layer kPlanAlignment-aligned
  size_t arena_bytes_per_image = 0;    // memory plan high-water mark for one image
  size_t workspace_bytes = 0;          // scratch per thread
  const kernels::VectorF32Kernels* vector = nullptr;
  const kernels::VectorQU8Kernels* qvector = nullptr;   // set when the plan has int8 steps
  std::string isa;                     // "avx512", "avx2", "sse2"

  int64_t macs_per_image() const;
  bool has_int8_steps() const;
  std::string describe() const;        // one line per step: kernel, shapes, MACs
};

}  // namespace octet
