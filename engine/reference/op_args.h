// Small helpers the reference ops share for reading inputs, axes and integer lists, so that
// every op reports a bad input the same way: graph.describe(node) + ": " + what is wrong.
#pragma once
#include <algorithm>
#include <cstdint>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "engine/reference/allocation_budget.h"
#include "engine/reference/ops.h"

namespace octet::ref::arg {

[[noreturn]] inline void fail(const Graph& g, const Node& n, const std::string& what) {
  throw Error(g.describe(n) + ": " + what);
}

// Input i, or nullptr when omitted (given as an empty name, or past the end).
inline const Tensor* optional(Inputs in, size_t i) { return i < in.size() ? in[i] : nullptr; }

// Input i, which the operator requires; `name` is its ONNX name, for the message.
inline const Tensor& required(const Graph& g, const Node& n, Inputs in, size_t i, const char* name) {
  const Tensor* t = optional(in, i);
  if (t == nullptr) fail(g, n, "required input " + std::to_string(i) + " ('" + name + "') is missing");
  return *t;
}

// The number of inputs given (trailing omitted ones not counted) must be in [lo, hi].
inline void count(const Graph& g, const Node& n, Inputs in, size_t lo, size_t hi) {
  size_t given = in.size();
  while (given > 0 && in[given - 1] == nullptr) --given;
  if (given < lo || given > hi)
    fail(g, n, "takes " + (lo == hi ? std::to_string(lo) : std::to_string(lo) + " to " + std::to_string(hi)) +
                   " inputs at this opset, given " + std::to_string(given));
}

// An axis in [-rank, rank-1] (or [-rank, rank] for Flatten-like "between dims" axes when
// `inclusive_end`), made non-negative.
inline int64_t axis(const Graph& g, const Node& n, int64_t a, int64_t rank, const char* what = "axis",
                    bool inclusive_end = false) {
  const int64_t hi = inclusive_end ? rank : rank - 1;
  if (a < -rank || a > hi)
    fail(g, n, std::string(what) + " " + std::to_string(a) + " is out of range [" + std::to_string(-rank) + ", " +
                   std::to_string(hi) + "] for an input of rank " + std::to_string(rank));
  return a < 0 ? a + rank : a;
}

// Distinct, normalized axes for an input of the given rank.
inline std::vector<int64_t> axes(const Graph& g, const Node& n, const std::vector<int64_t>& raw, int64_t rank,
                                 const char* what = "axes") {
  std::vector<int64_t> out;
  std::vector<bool> seen(static_cast<size_t>(rank), false);
  for (int64_t a : raw) {
    int64_t v = axis(g, n, a, rank, what);
    if (seen[static_cast<size_t>(v)]) fail(g, n, std::string(what) + " list axis " + std::to_string(v) + " more than once");
    seen[static_cast<size_t>(v)] = true;
    out.push_back(v);
  }
  return out;
}

// The elements of a 1-D (or scalar) int32/int64 tensor such as Slice's starts or Pad's pads.
inline std::vector<int64_t> int_list(const Graph& g, const Node& n, const Tensor& t, const char* name) {
  if (t.dtype != DType::Int64 && t.dtype != DType::Int32)
    fail(g, n, std::string("input '") + name + "' must be int64 or int32, got " + dtype_name(t.dtype));
  if (t.rank() > 1) fail(g, n, std::string("input '") + name + "' must be 1-D, got shape " + dims_to_string(t.dims));
  return t.as_int64();
}

// Product of dims (e.g. a Flatten row). Tensors may hold huge dims next to a 0, so the
// product of a subset can overflow even though the tensor is empty: that is an error.
inline int64_t product(const Graph& g, const Node& n, std::span<const int64_t> dims) {
  int64_t p = 1;
  for (int64_t d : dims)
    if (__builtin_mul_overflow(p, d, &p)) fail(g, n, "the product of dims " + dims_to_string(dims) + " overflows");
  return p;
}

// A zero-filled tensor; the size limit error (Tensor refuses > 2^31 elements) names the node.
// Charged to the reference executor's allocation budget (allocation_budget.h) first.
inline Tensor make(const Graph& g, const Node& n, DType dtype, std::vector<int64_t> dims) {
  if (dtype_size(dtype) == 0) fail(g, n, "element type " + dtype_name(dtype) + " is not supported");
  double elements = 1;
  for (int64_t d : dims) elements *= static_cast<double>(std::max<int64_t>(d, 0));
  AllocationBudget::charge(g, n, elements * static_cast<double>(dtype_size(dtype)));
  try {
    return Tensor(dtype, std::move(dims));
  } catch (const Error& e) {
    fail(g, n, e.what());
  }
}

// Same elements, new dims (Reshape, Flatten, Squeeze, Unsqueeze, Identity).
inline Tensor with_dims(const Tensor& t, std::vector<int64_t> dims) {
  Tensor out;
  out.dtype = t.dtype;
  out.dims = std::move(dims);
  out.bytes = t.bytes;
  return out;
}

// Calls f(T{}) with the C++ type of a numeric dtype; returns false for types octet does not
// compute with (float16, bfloat16, strings, complex).
template <typename F>
bool visit_numeric(DType t, F&& f) {
  switch (t) {
    case DType::Float32: f(float{}); return true;
    case DType::Float64: f(double{}); return true;
    case DType::Int8: f(int8_t{}); return true;
    case DType::Int16: f(int16_t{}); return true;
    case DType::Int32: f(int32_t{}); return true;
    case DType::Int64: f(int64_t{}); return true;
    case DType::Uint8: f(uint8_t{}); return true;
    case DType::Uint16: f(uint16_t{}); return true;
    case DType::Uint32: f(uint32_t{}); return true;
    case DType::Uint64: f(uint64_t{}); return true;
    case DType::Bool: f(bool{}); return true;
    default: return false;
  }
}

}  // namespace octet::ref::arg
