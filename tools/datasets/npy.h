// NumPy .npy files as octet's tools read and write them (octet-run's inputs and outputs,
// calibration data, the model zoo's references): float32, little-endian ('<f4'), C order,
// format versions 1.0, 2.0 and 3.0. Anything else is refused with an octet::Error naming the
// file and what is wrong (the magic, the dtype, Fortran order, the header, the data size), so
// a user knows which conversion to make (x.astype(np.float32), np.ascontiguousarray(x)).
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "graph/tensor.h"

namespace octet {

// Largest .npy file read_npy reads: a tensor of kMaxTensorElements floats and its header.
inline constexpr uint64_t kMaxNpyFileBytes = uint64_t(kMaxTensorElements) * sizeof(float) + (1 << 16);
// Longest header accepted (numpy's own default limit when it reads a file).
inline constexpr size_t kMaxNpyHeaderBytes = 10000;

// The array in `bytes` as a float32 tensor (rank 0 for a scalar). `source_name` names it in
// errors.
Tensor parse_npy(std::span<const uint8_t> bytes, const std::string& source_name);
// The array in the file at `path` (read with engine/runtime/read_file.h's checks).
Tensor read_npy(const std::string& path);

// A version 1.0 .npy image of a float32 tensor, as numpy.save writes it (header padded to a
// multiple of 64 bytes). Throws for a tensor of another dtype.
std::vector<uint8_t> format_npy(const Tensor& tensor);
// format_npy written to `path`; throws naming the path when it cannot be written.
void write_npy(const std::string& path, const Tensor& tensor);

}  // namespace octet
