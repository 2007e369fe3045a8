// The .npy files of the model zoo (tools/zoo/make_zoo.py): float32, little-endian, C order,
// nothing else. Anything else is refused with an error naming the file.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace octet::zoo {

struct NpyArray {
  std::vector<int64_t> dims;
  std::vector<float> values;   // C order
};

NpyArray read_npy(const std::string& path);

}  // namespace octet::zoo
