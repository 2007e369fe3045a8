// AVX2 int8 max pool (kernels/int8/maxpool.h), bit-exact with the reference
// (kernels/reference/qmaxpool.h); the loop is maxpool_impl.h's. 32 channels per vector
// (vpmaxub); the last channels % 32 go through a small buffer, so no byte outside the row is
// touched.
#include <immintrin.h>

#include <cstring>

#include "kernels/int8/maxpool_impl.h"
#include "kernels/kernels.h"

namespace octet::kernels {
namespace {

struct Avx2 {
  using V = __m256i;
  static constexpr int32_t kWidth = 32;
  static V zero() { return _mm256_setzero_si256(); }
  static V max(V a, V b) { return _mm256_max_epu8(a, b); }
  static V load(const uint8_t* x) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x)); }
  static void store(uint8_t* y, V v) { _mm256_storeu_si256(reinterpret_cast<__m256i*>(y), v); }
  static V load_part(const uint8_t* x, int32_t n) {
    alignas(32) uint8_t buf[32] = {};
    std::memcpy(buf, x, size_t(n));
    return load(buf);
  }
  static void store_part(uint8_t* y, V v, int32_t n) {
    alignas(32) uint8_t buf[32];
    store(buf, v);
    std::memcpy(y, buf, size_t(n));
  }
};

void run(const PoolNhwcParams& p, const uint8_t* table, const uint8_t* in, uint8_t* out, int32_t oh_begin,
         int32_t oh_end) {
  QMaxPoolImpl<Avx2>::run(p, table, in, out, oh_begin, oh_end);
}

}  // namespace

const QMaxPoolU8Kernel qu8_maxpool_nhwc_avx2 = {"qu8_maxpool_nhwc_avx2", &run};

}  // namespace octet::kernels
