// The packed weights of the u8s8 int8 depthwise variant (kernels/int8/dwconv_u8s8_vnni.cpp,
// which explains the layout and the bound). Plain C++, included by that file alone, in an
// anonymous namespace (the ISA rule, kernels/CMakeLists.txt).
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "kernels/int8/conv.h"

namespace octet::kernels {
namespace {

constexpr int32_t kBlock = 64;   // channels per packed block: one zmm of bytes

// Position of channel o (0..63) of a block in the packed (and accumulator) order: vector
// q = (o % 16) / 4, lane l = o / 16, dword d = o % 4 at q * 16 + l * 4 + d.
constexpr int32_t packed_lane(int32_t o) { return (o % 16) / 4 * 16 + o / 16 * 4 + o % 4; }

int32_t padded_channels(const QConvParams& p) { return (p.shape.out_c + kBlock - 1) / kBlock * kBlock; }
// Groups of four kernel rows, then as many shifted groups: the same rows one byte up, (0, w0,
// w1, w2) for 3x3 (Rows' Shared).
constexpr int32_t packed_groups(int32_t kernel_h) { return 2 * ((kernel_h + 3) / 4); }

// int32 bias' [Cp], then per block of 64 channels the weights [packed_groups][kernel_w][64
// lanes] of four int8 each (rows 4g .. 4g + 3 at that kernel column, 0 past the kernel and the
// channels; the second half of the groups the same rows one byte up), lanes and bias in
// packed_lane order.
size_t weight_bytes(const QConvParams& p) {
  const size_t groups = size_t(packed_groups(p.shape.kernel_h));
  return sizeof(int32_t) * size_t(padded_channels(p)) * (1 + groups * size_t(p.shape.kernel_w));
}
size_t packed_bytes(const QConvParams& p) { return weight_bytes(p) + sizeof(int64_t); }

// The int64 after the weights: max over channels of |bias'| + 255 * sum |w|, a bound on |acc|
// (no accumulator wraps when it is below 2^31).
int64_t acc_bound(const QConvParams& p, const void* packed) {
  int64_t b;
  std::memcpy(&b, static_cast<const uint8_t*>(packed) + weight_bytes(p), sizeof b);
  return b;
}

void pack(const QConvParams& p, const int8_t* weight, const int32_t* bias, void* packed) {
  const int32_t C = p.shape.out_c, cp = padded_channels(p), kh_n = p.shape.kernel_h, kw_n = p.shape.kernel_w;
  const int32_t g_n = packed_groups(kh_n);
  std::memset(packed, 0, packed_bytes(p));
  int32_t* b = static_cast<int32_t*>(packed);
  int8_t* w = reinterpret_cast<int8_t*>(b + cp);
  int64_t bound = 0;
  for (int32_t c = 0; c < C; ++c) {
    const int32_t blk = c / kBlock, lane = packed_lane(c % kBlock);
    const int8_t* wc = weight + int64_t{c} * kh_n * kw_n;
    uint32_t folded = bias != nullptr ? static_cast<uint32_t>(bias[c]) : 0u;
    int64_t magnitude = 0;
    for (int32_t t = 0; t < kh_n * kw_n; ++t) {
      folded -= static_cast<uint32_t>(p.input_zero_point * wc[t]);
      magnitude += 255 * std::abs(int64_t{wc[t]});
    }
    b[blk * kBlock + lane] = static_cast<int32_t>(folded);
    bound = std::max(bound, magnitude + std::abs(int64_t{static_cast<int32_t>(folded)}));
    for (int32_t kh = 0; kh < kh_n; ++kh)
      for (int32_t kw = 0; kw < kw_n; ++kw)
        for (int32_t shifted = 0; shifted < 2; ++shifted) {
          const int32_t slot = kh + shifted, group = shifted * g_n / 2 + slot / 4;
          w[(((int64_t{blk} * g_n + group) * kw_n + kw) * kBlock + lane) * 4 + slot % 4] = wc[kh * kw_n + kw];
        }
  }
  std::memcpy(static_cast<uint8_t*>(packed) + weight_bytes(p), &bound, sizeof bound);
}

// Whether the stored bound is the one pack() computes from the packed bias' and weights, and
// the shifted groups hold the unshifted rows one byte up, as pack() writes them: run() picks
// its epilogue from the stored bound, so a smaller one, or larger weights in either half, would
// give wrong codes for large sums. The unshifted half's every byte counts (padding lanes and
// rows hold 0 there, or a hand-edited file's bytes, which the bound then covers too); each
// shifted group's bytes are the unshifted slots s - 1 (slot 0 is 0), so their magnitudes sum
// to at most the unshifted ones'.
bool packed_ok(const QConvParams& p, const void* packed) {
  const int32_t cp = padded_channels(p), g_half = packed_groups(p.shape.kernel_h) / 2, kw_n = p.shape.kernel_w;
  const int32_t* b = static_cast<const int32_t*>(packed);
  const int8_t* w = reinterpret_cast<const int8_t*>(b + cp);
  // Byte `slot` (0 .. 4 g_half - 1) of a lane's unshifted (half 0) or shifted (half 1) rows at
  // kernel column kw.
  auto at = [&](int32_t blk, int32_t lane, int32_t kw, int32_t half, int32_t slot) {
    const int64_t group = int64_t{blk} * 2 * g_half + half * g_half + slot / 4;
    return w[((group * kw_n + kw) * kBlock + lane) * 4 + slot % 4];
  };
  int64_t bound = 0;
  for (int32_t blk = 0; blk < cp / kBlock; ++blk)
    for (int32_t lane = 0; lane < kBlock; ++lane) {
      int64_t magnitude = std::abs(int64_t{b[blk * kBlock + lane]});
      for (int32_t kw = 0; kw < kw_n; ++kw)
        for (int32_t slot = 0; slot < 4 * g_half; ++slot) {
          magnitude += 255 * std::abs(int64_t{at(blk, lane, kw, 0, slot)});
          if (at(blk, lane, kw, 1, slot) != (slot == 0 ? 0 : at(blk, lane, kw, 0, slot - 1))) return false;
        }
      bound = std::max(bound, magnitude);
    }
  return acc_bound(p, packed) == bound;
}

}  // namespace
}  // namespace octet::kernels
