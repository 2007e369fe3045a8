// libFuzzer target: arbitrary bytes as a CIFAR-10 binary record file, read as the tools read
// a --data file (format detection, then the parser), and turned into model input.
#include <cstddef>
#include <cstdint>
#include <span>

#include "engine/runtime/error.h"
#include "tools/datasets/cifar.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace octet;
  std::span<const uint8_t> bytes(data, size);
  try {
    (void)detect_cifar_format(bytes, "fuzz.bin");
  } catch (const Error&) {
  }
  try {
    // The first byte also picks a limit, so the limit path is exercised.
    size_t limit = size > 0 && data[0] >= 10 ? data[0] % 4 : kNoLimit;
    CifarSet set = parse_cifar_binary(bytes, "fuzz.bin", limit);
    (void)cifar_class_counts(set);
    size_t count = set.size() < 2 ? set.size() : 2;
    (void)make_cifar_input(set, 0, count, ImageLayout::NHWC, count + 1);
    (void)make_cifar_input(set, set.size() - count, count, ImageLayout::NCHW);
  } catch (const Error&) {
  }
  return 0;
}
