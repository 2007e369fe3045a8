// FP32 element-wise binary arithmetic under numpy broadcasting, in the form the compiler
// lowers it to (engine/binary_broadcast.h): the output is contiguous, `outer` dims (outermost
// first, each operand with its own element stride, 0 where it broadcasts) around one
// innermost run of `inner` elements that each operand reads either contiguously or as one
// repeated scalar. Broadcasting is resolved at compile time, so the kernel never sees the
// ONNX shapes or the layout: a squeeze-excitation scale [N,C,1,1] x [N,C,H,W] on NHWC data is
// outer = {H*W} (the scale's stride 0) around inner = C read contiguously by both operands.
// Oracle: kernels/reference/elementwise.h (binary_broadcast).
#pragma once
#include <cstdint>

namespace octet::kernels {

// y = a op b; MulAdd is y = a * b + c, c indexed like b (a standalone BatchNormalization as
// a per-channel affine). The numbers are the .octet file's op codes: append, never reorder.
enum class BinaryF32Op : uint8_t { Add, Sub, Mul, Div, MulAdd };

inline constexpr int kBinaryMaxOuterDims = 6;

struct BinaryF32Params {
  BinaryF32Op op = BinaryF32Op::Add;
  int32_t outer_dims = 0;                      // in [0, kBinaryMaxOuterDims]
  int64_t outer[kBinaryMaxOuterDims] = {};     // sizes, outermost first
  int64_t a_stride[kBinaryMaxOuterDims] = {};  // element strides (0: broadcast along the dim)
  int64_t b_stride[kBinaryMaxOuterDims] = {};  // also c's
  int64_t inner = 1;                           // the contiguous run, >= 1
  bool a_scalar = false, b_scalar = false;     // the operand repeats one value along the run

  int64_t rows() const { return outer_dims > 0 ? outer[0] : 1; }
  // Elements of the output, and of an operand's storage the kernel reads (its largest
  // offset + 1).
  int64_t output_elements() const;
  int64_t a_extent() const { return extent(a_stride, a_scalar); }
  int64_t b_extent() const { return extent(b_stride, b_scalar); }

 private:
  int64_t extent(const int64_t* stride, bool scalar) const;
};

inline int64_t BinaryF32Params::output_elements() const {
  int64_t n = inner;
  for (int32_t d = 0; d < outer_dims; ++d) n *= outer[d];
  return n;
}

inline int64_t BinaryF32Params::extent(const int64_t* stride, bool scalar) const {
  int64_t last = scalar ? 0 : inner - 1;
  for (int32_t d = 0; d < outer_dims; ++d) last += (outer[d] - 1) * stride[d];
  return last + 1;
}

}  // namespace octet::kernels
