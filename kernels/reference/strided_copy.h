// Moves elements of any type between two strided layouts, byte-wise. Transpose (permuted
// source strides), Slice (offset base, negative or >1 steps) and Concat (destination
// strides of the larger output) are all this one loop with different strides.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>

namespace octet::kernels {

struct StridedCopyParams {
  std::span<const int64_t> dims;          // the block copied; rank 0 = one element
  std::span<const int64_t> src_strides;   // in elements; may be negative or 0
  std::span<const int64_t> dst_strides;   // in elements
  size_t elem_size = 0;                   // bytes per element
};

// For every index i of `dims`: dst[i . dst_strides] = src[i . src_strides]. `src` and `dst`
// point at index 0 of the block; the caller guarantees every touched element is in bounds.
void strided_copy(const StridedCopyParams& p, const uint8_t* src, uint8_t* dst);

// The same loop over bytes (elem_size 1) mapped through a 256-entry table:
// dst[i . dst_strides] = table[src[i . src_strides]] (an int8 copy whose input and output
// quantization parameters differ). `contiguous_run`, when given, maps each innermost run whose
// strides are both 1 (the int8 vector kernels' lookup, SIMD); without it every byte goes
// through the scalar loop, the reference the tests hold it to.
using LookupRun = void (*)(int64_t n, const uint8_t* table, const uint8_t* x, uint8_t* y);
void strided_lookup(const StridedCopyParams& p, const uint8_t* table, const uint8_t* src, uint8_t* dst,
                    LookupRun contiguous_run = nullptr);

// Row-major strides (in elements) of a dense array of the given dims. out.size() == dims.size().
void row_major_strides(std::span<const int64_t> dims, std::span<int64_t> out);

}  // namespace octet::kernels
