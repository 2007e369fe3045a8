// AVX-512 int8 max pool (kernels/int8/maxpool.h), bit-exact with the reference
// (kernels/reference/qmaxpool.h); the loop is maxpool_impl.h's. 64 channels per vector
// (vpmaxub, AVX-512BW); the last channels % 64 through masked loads and stores, which touch
// no byte outside the row.
#include <immintrin.h>

#include "kernels/int8/maxpool_impl.h"
#include "kernels/kernels.h"

namespace octet::kernels {
namespace {

struct Avx512 {
  using V = __m512i;
  static constexpr int32_t kWidth = 64;
  static V zero() { return _mm512_setzero_si512(); }
  static V max(V a, V b) { return _mm512_max_epu8(a, b); }
  static V load(const uint8_t* x) { return _mm512_loadu_si512(x); }
  static void store(uint8_t* y, V v) { _mm512_storeu_si512(y, v); }
  static __mmask64 mask(int32_t n) { return _cvtu64_mask64((uint64_t{1} << n) - 1); }   // n < 64
  static V load_part(const uint8_t* x, int32_t n) { return _mm512_maskz_loadu_epi8(mask(n), x); }
  static void store_part(uint8_t* y, V v, int32_t n) { _mm512_mask_storeu_epi8(y, mask(n), v); }
};

void run(const PoolNhwcParams& p, const uint8_t* table, const uint8_t* in, uint8_t* out, int32_t oh_begin,
         int32_t oh_end) {
  QMaxPoolImpl<Avx512>::run(p, table, in, out, oh_begin, oh_end);
}

}  // namespace

const QMaxPoolU8Kernel qu8_maxpool_nhwc_avx512 = {"qu8_maxpool_nhwc_avx512", &run};

}  // namespace octet::kernels
