// A compiled model: the steps to run, their kernels and packed weights, and the arena
// layout. Built once by compile_plan() (engine/compile.h); run by any number of Sessions
// (engine/session.h). Activations are stored channels-last (NHWC) inside the plan; graph
// inputs and outputs keep the layout the model declares.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "kernels/f32/conv.h"
#include "kernels/f32/gemm.h"
#include "kernels/f32/vector.h"
#include "kernels/int8/conv.h"
#include "kernels/int8/vector.h"

namespace octet {

// 64-byte aligned float storage for packed weights and arenas.
class AlignedFloats {
 public:
  AlignedFloats() = default;
  explicit AlignedFloats(size_t n);
  float* data() { return data_.get(); }
  const float* data() const { return data_.get(); }
  size_t size() const { return size_; }

 private:
  struct Free { void operator()(float* p) const; };
  std::unique_ptr<float[], Free> data_;
  size_t size_ = 0;
};

enum class StepKind : uint8_t {
  Conv,           // conv kernel (+ bias, residual, activation), NHWC → NHWC
  AveragePool,    // NHWC → NHWC
  MaxPool,        // NHWC → NHWC
  GlobalAverage,  // NHWC [h,w,c] → [c]
  Gemm,           // [m,k] → [m,n] per image (m = rows per image)
  Softmax,        // rows of `cols`
  Add,            // element-wise, optional relu
  NchwToNhwc,     // layout change of a graph input
  NhwcToNchw,     // layout change before a graph output or a flattening reshape
  // int8 steps over uint8 buffers (docs/quantization.md):
  QConv,          // int8 conv (+ residual, clamp), also a quantized Gemm as a 1x1 conv
  QGlobalAverage, // uint8 NHWC [h,w,c] -> [c]
  QAveragePool,   // uint8 NHWC -> NHWC
  QAdd,           // element-wise with requantisation and clamp
  Quantize,       // float -> uint8 (the boundaries of the int8 region)
  Dequantize,     // uint8 -> float
};

struct Step {
  StepKind kind{};
  std::string name;            // the ONNX node it came from, for profiles and errors
  int input = -1;              // buffer ids
  int input2 = -1;             // residual (Conv) or second operand (Add)
  int output = -1;

  const kernels::ConvF32Kernel* conv = nullptr;
  kernels::ConvNhwcParams conv_params;
  size_t weights_offset = 0;   // into Plan::weights

  kernels::PoolNhwcParams pool;

  const kernels::GemmF32Kernel* gemm = nullptr;
  int32_t rows = 1, n = 0, k = 0;   // Gemm: rows per image; Softmax: rows per image, n = cols
  kernels::Activation activation = kernels::Activation::None;

  int32_t channels = 0, height = 0, width = 0;   // layout changes, GlobalAverage
  int64_t elements = 0;        // Add, QAdd, Quantize, Dequantize: per image
  int64_t macs = 0;            // per image, for reporting

  // int8 steps.
  const kernels::QConvU8Kernel* qconv = nullptr;
  kernels::QConvParams qconv_params;
  kernels::QAddParams qadd;
  kernels::QPoolParams qpool;              // .multipliers is pointed at pool_multipliers per run
  std::vector<int32_t> pool_multipliers;
  kernels::Requant requant;                // QGlobalAverage
  int32_t in_zero_point = 0, out_zero_point = 0, out_min = 0, out_max = 255;   // QGlobalAverage
  float scale = 1.f;                       // Quantize, Dequantize
  int32_t zero_point = 0;                  // Quantize, Dequantize (uint8 domain)

  // The kernel variant's name ("qu8_conv_nhwc_direct_vnni") or, for steps with a fixed
  // routine, the step kind ("softmax", "quantize"), for profiles.
  const char* kernel_name() const;
};

struct Buffer {
  std::string value_name;
  int64_t floats_per_image = 0;   // uint8 buffers take ceil(bytes / 4) floats of the arena
  bool uint8 = false;
  // What the buffer holds, for observers and reports: elements per image, NHWC order of a
  // 4-D value (else the value's own row-major order), and the quantization of a uint8 one.
  int64_t elements_per_image = 0;
  bool nhwc = false;
  float scale = 1.f;
  int32_t zero_point = 0;
  size_t offset = 0;           // in floats, within one image's part of the arena
};

struct Port {
  std::string name;
  std::vector<int64_t> dims;   // dims[0] is the batch (the caller's), the rest per image
  int buffer = -1;
  int64_t floats_per_image() const;
};

struct Plan {
  std::vector<Step> steps;
  std::vector<Buffer> buffers;
  std::vector<Port> inputs, outputs;
  AlignedFloats weights;
  size_t arena_floats_per_image = 0;   // memory plan high-water mark for one image
  size_t workspace_floats = 0;         // per thread
  const kernels::VectorF32Kernels* vector = nullptr;
  const kernels::VectorQU8Kernels* qvector = nullptr;   // set when the plan has int8 steps
  std::string isa;                     // "avx512", "avx2", "sse2"

  int64_t macs_per_image() const;
  std::string describe() const;        // one line per step: kernel, shapes, MACs
};

}  // namespace octet
