#include "kernels/reference/strided_copy.h"

#include <algorithm>
#include <cstring>

namespace octet::kernels {
namespace {

// Fixed-size element copies let the compiler turn memcpy into a single load/store.
// Offsets are signed (a stride may be negative, as a reversing Slice has): int64_t * size_t
// would wrap to a huge unsigned offset, which UBSan rightly reports as pointer overflow.
template <size_t Size>
void copy_row(const uint8_t* src, int64_t ss, uint8_t* dst, int64_t ds, int64_t n) {
  constexpr int64_t size = static_cast<int64_t>(Size);
  for (int64_t i = 0; i < n; ++i) std::memcpy(dst + i * ds * size, src + i * ss * size, Size);
}

void copy_row_any(const uint8_t* src, int64_t ss, uint8_t* dst, int64_t ds, int64_t n, size_t es) {
  const int64_t esz = static_cast<int64_t>(es);
  if (ss == 1 && ds == 1) {   // both contiguous: one block
    std::memcpy(dst, src, static_cast<size_t>(n) * es);
    return;
  }
  switch (es) {
    case 1: return copy_row<1>(src, ss, dst, ds, n);
    case 2: return copy_row<2>(src, ss, dst, ds, n);
    case 4: return copy_row<4>(src, ss, dst, ds, n);
    case 8: return copy_row<8>(src, ss, dst, ds, n);
    default:
      for (int64_t i = 0; i < n; ++i) std::memcpy(dst + i * ds * esz, src + i * ss * esz, es);
  }
}

// Two contiguous runs of n elements zipped into one of 2n (a[0], b[0], a[1], b[1], ...):
// the innermost loops of a 2-group channel shuffle. Fixed element types let the compiler
// vectorize it (unpack instructions) where the general strided loop moves single elements.
// (memcpy of a fixed size: a load and a store of any element type without aliasing it.)
template <size_t Size>
void interleave2(const uint8_t* a, const uint8_t* b, uint8_t* dst, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    std::memcpy(dst + 2 * i * Size, a + i * Size, Size);
    std::memcpy(dst + (2 * i + 1) * Size, b + i * Size, Size);
  }
}

// The last two dims are [2 runs, n elements] read as runs and written interleaved.
bool is_interleave2(const StridedCopyParams& p, size_t d) {
  const size_t r = p.dims.size();
  return d + 2 == r && p.dims[d] == 2 && p.dst_strides[d] == 1 && p.src_strides[r - 1] == 1 &&
         p.dst_strides[r - 1] == 2 && (p.elem_size == 1 || p.elem_size == 4);
}

void copy_rec(const StridedCopyParams& p, size_t d, const uint8_t* src, uint8_t* dst) {
  const int64_t n = p.dims[d];
  const int64_t ss = p.src_strides[d], ds = p.dst_strides[d];
  if (d + 1 == p.dims.size()) return copy_row_any(src, ss, dst, ds, n, p.elem_size);
  if (is_interleave2(p, d)) {
    const uint8_t* b = src + ss * static_cast<int64_t>(p.elem_size);
    if (p.elem_size == 4) return interleave2<4>(src, b, dst, p.dims[d + 1]);
    return interleave2<1>(src, b, dst, p.dims[d + 1]);
  }
  const int64_t es = static_cast<int64_t>(p.elem_size);
  for (int64_t i = 0; i < n; ++i) copy_rec(p, d + 1, src + i * ss * es, dst + i * ds * es);
}

void lookup_rec(const StridedCopyParams& p, size_t d, const uint8_t* table, const uint8_t* src, uint8_t* dst,
                LookupRun run) {
  const int64_t n = p.dims[d];
  const int64_t ss = p.src_strides[d], ds = p.dst_strides[d];
  if (run != nullptr && is_interleave2(p, d)) {
    // Both runs through the vector lookup into small buffers, then zipped.
    constexpr int64_t kChunk = 256;
    uint8_t a[kChunk], b[kChunk];
    for (int64_t i = 0, len = p.dims[d + 1]; i < len; i += kChunk) {
      const int64_t m = std::min(kChunk, len - i);
      run(m, table, src + i, a);
      run(m, table, src + ss + i, b);
      interleave2<1>(a, b, dst + 2 * i, m);
    }
    return;
  }
  if (d + 1 < p.dims.size()) {
    for (int64_t i = 0; i < n; ++i) lookup_rec(p, d + 1, table, src + i * ss, dst + i * ds, run);
  } else if (run != nullptr && ss == 1 && ds == 1) {
    run(n, table, src, dst);
  } else {
    for (int64_t i = 0; i < n; ++i) dst[i * ds] = table[src[i * ss]];
  }
}

}  // namespace

void strided_lookup(const StridedCopyParams& p, const uint8_t* table, const uint8_t* src, uint8_t* dst,
                    LookupRun contiguous_run) {
  if (p.dims.empty()) {
    *dst = table[*src];
    return;
  }
  for (int64_t d : p.dims)
    if (d == 0) return;
  lookup_rec(p, 0, table, src, dst, contiguous_run);
}

void strided_copy(const StridedCopyParams& p, const uint8_t* src, uint8_t* dst) {
  if (p.dims.empty()) {
    std::memcpy(dst, src, p.elem_size);
    return;
  }
  for (int64_t d : p.dims)
    if (d == 0) return;
  copy_rec(p, 0, src, dst);
}

void row_major_strides(std::span<const int64_t> dims, std::span<int64_t> out) {
  int64_t s = 1;
  for (size_t i = dims.size(); i-- > 0;) {
    out[i] = s;
    s *= dims[i];
  }
}

}  // namespace octet::kernels
