// Helpers of the .octet tests (test_model_file.cpp, test_step_types.cpp).
#pragma once
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "engine/runtime/model_file.h"

namespace octet {

// The loader's message for `bytes`, or "" when it accepts them.
inline std::string load_error(std::span<const uint8_t> bytes, bool checksum = true) {
  try {
    load_model_file(bytes, {.verify_checksum = checksum});
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// Rewrites the header's CRC after an edit, so that the edit reaches the checks behind it.
inline void fix_crc(std::vector<uint8_t>& b) {
  const uint32_t crc = crc32(std::span<const uint8_t>(b).subspan(16));
  std::memcpy(b.data() + 12, &crc, 4);
}

}  // namespace octet
