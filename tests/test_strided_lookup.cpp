// kernels::strided_lookup (kernels/reference/strided_copy.h), the int8 copy through a
// requantisation table: with each int8 vector variant's lookup on the contiguous runs, byte
// for byte what the scalar loop gives, and that what the index arithmetic says (a channel
// shuffle, a channel split, a transpose, odd sizes, batch-like outer dims 1 and 7).
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "kernels/int8/vector.h"
#include "kernels/reference/strided_copy.h"
#include "tests/kernel_variants_util.h"

namespace octet {
namespace {

struct Case {
  std::vector<int64_t> dims, src_strides, dst_strides;
  int64_t src_elements, dst_elements;
};

// Per pixel a channel shuffle of g groups of c (reads contiguous, writes every g-th: the
// 2-group interleave), a split
// of [first, first + count) of C channels, and a transpose of [a, b, c] to [c, a, b].
std::vector<Case> cases(int64_t rows) {
  std::vector<Case> out;
  for (int64_t c : {1, 5, 24, 33, 300}) {   // 300: the zip of looked-up runs goes in chunks
    const int64_t g = 2, ch = g * c;
    out.push_back({{rows, g, c}, {ch, c, 1}, {ch, 1, g}, rows * ch, rows * ch});
  }
  for (int64_t ch : {7, 48, 67}) {
    const int64_t first = ch / 3, count = ch - first - 1;
    out.push_back({{rows, count}, {ch, 1}, {count, 1}, rows * ch, rows * count});
  }
  const int64_t a = 3, b = 5, c = 9;
  out.push_back({{rows, c, a, b}, {a * b * c, 1, b * c, c}, {a * b * c, a * b, b, 1}, rows * a * b * c, rows * a * b * c});
  return out;
}

// The oracle: every index of `dims`, the addresses written out.
std::vector<uint8_t> by_index(const Case& k, const uint8_t* table, const std::vector<uint8_t>& src) {
  std::vector<uint8_t> dst(static_cast<size_t>(k.dst_elements), 0);
  std::vector<int64_t> i(k.dims.size(), 0);
  for (;;) {
    int64_t s = 0, d = 0;
    for (size_t a = 0; a < i.size(); ++a) s += i[a] * k.src_strides[a], d += i[a] * k.dst_strides[a];
    dst[static_cast<size_t>(d)] = table[src[static_cast<size_t>(s)]];
    size_t a = i.size();
    while (a-- > 0 && ++i[a] == k.dims[a]) i[a] = 0;
    if (a == static_cast<size_t>(-1)) break;
  }
  return dst;
}

TEST(StridedLookup, EveryVariantMatchesTheScalarLoopAndTheIndexArithmetic) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> byte(0, 255);
  uint8_t table[256];
  for (uint8_t& t : table) t = static_cast<uint8_t>(byte(rng));
  const std::vector<const kernels::KernelVariant*> variants = kernel_test::runnable(kernels::KernelFamily::VectorQU8);
  ASSERT_FALSE(variants.empty());
  for (int64_t rows : {1, 7}) {
    for (const Case& k : cases(rows)) {
      std::vector<uint8_t> src(static_cast<size_t>(k.src_elements));
      for (uint8_t& s : src) s = static_cast<uint8_t>(byte(rng));
      const std::vector<uint8_t> want = by_index(k, table, src);
      std::vector<uint8_t> scalar(want.size(), 0);
      kernels::strided_lookup({k.dims, k.src_strides, k.dst_strides, 1}, table, src.data(), scalar.data());
      EXPECT_EQ(scalar, want) << "rows " << rows << ", rank " << k.dims.size();
      for (const kernels::KernelVariant* v : variants) {
        std::vector<uint8_t> got(want.size(), 0);
        kernels::strided_lookup({k.dims, k.src_strides, k.dst_strides, 1}, table, src.data(), got.data(),
                                v->qvector->lookup);
        EXPECT_EQ(got, want) << v->name << ", rows " << rows << ", rank " << k.dims.size();
      }
      // Without a table the same geometry is a plain copy: the identity table gives it.
      uint8_t identity[256];
      for (int t = 0; t < 256; ++t) identity[t] = static_cast<uint8_t>(t);
      std::vector<uint8_t> copied(want.size(), 0);
      kernels::strided_copy({k.dims, k.src_strides, k.dst_strides, 1}, src.data(), copied.data());
      EXPECT_EQ(copied, by_index(k, identity, src));
    }
  }
}

}  // namespace
}  // namespace octet
