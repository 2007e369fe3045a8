// libFuzzer target: arbitrary bytes as a pickled CIFAR-10 batch (cifar-10-batches-py), the
// input the pickle virtual machine in tools/datasets/cifar_pickle.cpp must survive.
#include <cstddef>
#include <cstdint>
#include <span>

#include "engine/runtime/error.h"
#include "tools/datasets/cifar.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace octet;
  try {
    CifarSet set = parse_cifar_pickle(std::span<const uint8_t>(data, size), "fuzz.pkl");
    (void)cifar_class_counts(set);
    if (set.size() > 0) (void)make_cifar_input(set, 0, 1, ImageLayout::NCHW);
  } catch (const Error&) {
  }
  return 0;
}
