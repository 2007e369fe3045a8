// Portable int8 depthwise convolution (kernels/int8/dwconv.h): the variant for CPUs without
// AVX2. Packing keeps the int8 weights and the bias as given; the run is the reference loop
// nest (kernels/reference/qdwconv.h), so this variant is the oracle itself.
#include <cstring>

#include "kernels/int8/dwconv.h"
#include "kernels/kernels.h"
#include "kernels/reference/qdwconv.h"

namespace octet::kernels {
namespace {

size_t weight_count(const QConvParams& p) {
  return size_t(p.shape.out_c) * size_t(p.shape.kernel_h) * size_t(p.shape.kernel_w);
}

size_t packed_bytes(const QConvParams& p) { return sizeof(int32_t) * size_t(p.shape.out_c) + weight_count(p); }

void pack(const QConvParams& p, const int8_t* weight, const int32_t* bias, void* packed) {
  int32_t* b = static_cast<int32_t*>(packed);
  if (bias != nullptr) std::memcpy(b, bias, sizeof(int32_t) * size_t(p.shape.out_c));
  else std::memset(b, 0, sizeof(int32_t) * size_t(p.shape.out_c));
  std::memcpy(b + p.shape.out_c, weight, weight_count(p));
}

void run(const QConvParams& p, const void* packed, const uint8_t* input, uint8_t* output, int32_t oh_begin,
         int32_t oh_end) {
  const int32_t* bias = static_cast<const int32_t*>(packed);
  qdwconv_nhwc(p, input, reinterpret_cast<const int8_t*>(bias + p.shape.out_c), bias, output, oh_begin, oh_end);
}

}  // namespace

const QDwConvU8Kernel qu8_dwconv_nhwc_scalar = {
    "qu8_dwconv_nhwc_scalar", &qdwconv_supported, &packed_bytes, &pack, &run, nullptr,
};

}  // namespace octet::kernels
