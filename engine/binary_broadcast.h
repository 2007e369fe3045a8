// The lowering of a numpy-broadcast binary operator to the kernel form of
// kernels/f32/binary.h. Broadcasting is ONNX's, over the operands' logical (NCHW) dims; the
// storage order is each operand's own (NHWC for an internal 4-D activation, row-major
// otherwise), and the output is written in `out_order`. Internal to the compiler; separate so
// the kernel tests can lower the shapes they draw exactly as the compiler does.
#pragma once
#include <string>
#include <vector>

#include "kernels/f32/binary.h"

namespace octet {

// One operand: its logical dims per image, of the output's rank, each equal to the output's
// or 1 (broadcast), and its storage order: storage dim k is logical dim order[k] (identity for
// row-major, {1, 2, 0} for NHWC storage of [C,H,W]).
struct BroadcastOperand {
  std::vector<int64_t> dims;
  std::vector<int> order;
};

// The storage order of NHWC [C,H,W] data, and the row-major order of `rank` dims.
std::vector<int> nhwc_order();
std::vector<int> row_major_order(size_t rank);

// The kernel parameters for out = a op b, the output stored in `out_order` of `out_dims`.
// Dims of size 1 are dropped and runs that both operands read contiguously (or both skip)
// are merged, so a same-shape op is one run and a per-channel scale over NHWC data is pixels
// around a run of channels. Throws octet::Error (the message without a node name) when the
// dims do not broadcast or more dims remain than the kernel takes.
kernels::BinaryF32Params lower_binary(kernels::BinaryF32Op op, const std::vector<int64_t>& out_dims,
                                      const std::vector<int>& out_order, const BroadcastOperand& a,
                                      const BroadcastOperand& b);

// The numpy-broadcast output dims of two shapes (right-aligned); throws octet::Error when
// they do not broadcast.
std::vector<int64_t> broadcast_dims(const std::vector<int64_t>& a, const std::vector<int64_t>& b);

// `values` of logical dims `dims` (row-major) rewritten in storage order `order` (packing a
// constant operand into the output's order).
std::vector<float> to_storage_order(const std::vector<float>& values, const std::vector<int64_t>& dims,
                                    const std::vector<int>& order);

}  // namespace octet
