#include "engine/binary_broadcast.h"

#include <numeric>

#include "engine/runtime/error.h"

namespace octet {

std::vector<int> nhwc_order() { return {1, 2, 0}; }

std::vector<int> row_major_order(size_t rank) {
  std::vector<int> order(rank);
  std::iota(order.begin(), order.end(), 0);
  return order;
}

std::vector<int64_t> broadcast_dims(const std::vector<int64_t>& a, const std::vector<int64_t>& b) {
  const size_t rank = std::max(a.size(), b.size());
  std::vector<int64_t> out(rank);
  for (size_t i = 0; i < rank; ++i) {
    const int64_t x = i + a.size() >= rank ? a[i + a.size() - rank] : 1;
    const int64_t y = i + b.size() >= rank ? b[i + b.size() - rank] : 1;
    if (x != y && x != 1 && y != 1)
      throw Error("shapes do not broadcast (dim " + std::to_string(i) + ": " + std::to_string(x) + " vs " +
                  std::to_string(y) + ")");
    out[i] = x == 1 ? y : x;
  }
  return out;
}

namespace {

// Element strides per logical dim of an operand in its storage order, 0 where it broadcasts.
std::vector<int64_t> logical_strides(const BroadcastOperand& o, const std::vector<int64_t>& out_dims) {
  if (o.dims.size() != out_dims.size() || o.order.size() != out_dims.size())
    throw Error("an operand's rank differs from the output's");
  std::vector<int64_t> strides(o.dims.size(), 0);
  int64_t step = 1;
  for (size_t k = o.order.size(); k-- > 0;) {
    const auto d = static_cast<size_t>(o.order[k]);
    if (o.dims[d] != out_dims[d] && o.dims[d] != 1)
      throw Error("an operand's dim " + std::to_string(d) + " (" + std::to_string(o.dims[d]) +
                  ") does not broadcast to " + std::to_string(out_dims[d]));
    strides[d] = o.dims[d] == 1 ? 0 : step;
    step *= o.dims[d];
  }
  return strides;
}

}  // namespace

kernels::BinaryF32Params lower_binary(kernels::BinaryF32Op op, const std::vector<int64_t>& out_dims,
                                      const std::vector<int>& out_order, const BroadcastOperand& a,
                                      const BroadcastOperand& b) {
  const std::vector<int64_t> sa = logical_strides(a, out_dims), sb = logical_strides(b, out_dims);
  // The output's storage dims, outermost first, without the dims of size 1.
  std::vector<int64_t> size, as, bs;
  for (int d : out_order) {
    const auto i = static_cast<size_t>(d);
    if (out_dims[i] == 1) continue;
    // Merge into the previous dim when both operands step through the two as one.
    if (!size.empty() && as.back() == sa[i] * out_dims[i] && bs.back() == sb[i] * out_dims[i]) {
      size.back() *= out_dims[i];
      as.back() = sa[i];
      bs.back() = sb[i];
      continue;
    }
    size.push_back(out_dims[i]);
    as.push_back(sa[i]);
    bs.push_back(sb[i]);
  }
  kernels::BinaryF32Params p;
  p.op = op;
  // The innermost dim is the run when each operand reads it contiguously or not at all;
  // otherwise (an operand stored in another order) the run is one element.
  if (!size.empty() && (as.back() == 0 || as.back() == 1) && (bs.back() == 0 || bs.back() == 1)) {
    p.inner = size.back();
    p.a_scalar = as.back() == 0;
    p.b_scalar = bs.back() == 0;
    size.pop_back();
    as.pop_back();
    bs.pop_back();
  } else {
    p.inner = 1;
    p.a_scalar = p.b_scalar = true;
  }
  if (size.size() > static_cast<size_t>(kernels::kBinaryMaxOuterDims))
    throw Error("the broadcast needs " + std::to_string(size.size()) + " loops, more than the kernel's " +
                std::to_string(kernels::kBinaryMaxOuterDims));
  p.outer_dims = static_cast<int32_t>(size.size());
  for (size_t d = 0; d < size.size(); ++d) {
    p.outer[d] = size[d];
    p.a_stride[d] = as[d];
    p.b_stride[d] = bs[d];
  }
  return p;
}

std::vector<float> to_storage_order(const std::vector<float>& values, const std::vector<int64_t>& dims,
                                    const std::vector<int>& order) {
  const size_t rank = dims.size();
  std::vector<int64_t> row_major(rank, 1);
  for (size_t d = rank; d-- > 1;) row_major[d - 1] = row_major[d] * dims[d];
  std::vector<float> out(values.size());
  std::vector<int64_t> idx(rank, 0);   // over the storage dims, innermost fastest
  for (float& y : out) {
    int64_t src = 0;
    for (size_t k = 0; k < rank; ++k) src += idx[k] * row_major[static_cast<size_t>(order[k])];
    y = values[static_cast<size_t>(src)];
    for (size_t k = rank; k-- > 0;) {
      if (++idx[k] < dims[static_cast<size_t>(order[k])]) break;
      idx[k] = 0;
    }
  }
  return out;
}

}  // namespace octet
