#include "kernels/reference/pad.h"

#include <cstring>

namespace octet::kernels {
namespace {

int64_t floor_mod(int64_t a, int64_t m) {
  int64_t r = a % m;
  return r < 0 ? r + m : r;
}

// Index into the window [0, n) that output position `i` (relative to the window start,
// so negative inside the leading pad) reads; -1 for "write the fill value".
int64_t source_index(int64_t i, int64_t n, PadMode mode) {
  if (i >= 0 && i < n) return i;
  if (n == 0) return -1;
  switch (mode) {
    case PadMode::Constant: return -1;
    case PadMode::Edge: return i < 0 ? 0 : n - 1;
    case PadMode::Wrap: return floor_mod(i, n);
    case PadMode::Reflect: {
      // Reflection without repeating the edge has period 2(n-1); numpy's "reflect".
      if (n == 1) return 0;
      const int64_t period = 2 * (n - 1);
      const int64_t r = floor_mod(i, period);
      return r < n ? r : period - r;
    }
  }
  return -1;
}

void fill(const PadParams& p, uint8_t* out, int64_t count) {
  if (p.fill == nullptr) {
    std::memset(out, 0, static_cast<size_t>(count) * p.elem_size);
    return;
  }
  for (int64_t i = 0; i < count; ++i) std::memcpy(out + i * static_cast<int64_t>(p.elem_size), p.fill, p.elem_size);
}

// `off` is the input element offset of the window position resolved for dims < d.
// Returns the output position after the block. The input pointer is only formed for an
// element actually read, so an empty input is never offset.
uint8_t* pad_rec(const PadParams& p, size_t d, const uint8_t* in, int64_t off, uint8_t* out) {
  const int64_t es = static_cast<int64_t>(p.elem_size);
  const bool last = d + 1 == p.out_dims.size();
  int64_t inner = 1;   // output elements per step along dim d
  for (size_t k = d + 1; k < p.out_dims.size(); ++k) inner *= p.out_dims[k];
  for (int64_t o = 0; o < p.out_dims[d]; ++o) {
    const int64_t s = source_index(o - p.pads_begin[d], p.src_dims[d], p.mode);
    if (s < 0) {
      fill(p, out, inner);
      out += inner * es;
    } else if (last) {
      std::memcpy(out, in + (off + s * p.in_strides[d]) * es, p.elem_size);
      out += es;
    } else {
      out = pad_rec(p, d + 1, in, off + s * p.in_strides[d], out);
    }
  }
  return out;
}

}  // namespace

void pad(const PadParams& p, const uint8_t* in, uint8_t* out) {
  for (int64_t d : p.out_dims)
    if (d == 0) return;
  if (p.out_dims.empty()) {   // rank 0: nothing to pad
    std::memcpy(out, in, p.elem_size);
    return;
  }
  int64_t off = 0;
  for (size_t d = 0; d < p.src_begin.size(); ++d) off += p.src_begin[d] * p.in_strides[d];
  pad_rec(p, 0, in, off, out);
}

}  // namespace octet::kernels
