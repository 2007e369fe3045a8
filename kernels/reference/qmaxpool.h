// Oracles of the int8 max pool (kernels/int8/maxpool.h) and the 256-entry requantisation
// tables of MaxPool and Concat over uint8 codes.
#pragma once
#include <cstdint>

#include "kernels/f32/vector.h"   // PoolNhwcParams

namespace octet::kernels {

// The window loop of QMaxPoolU8Kernel::run, plainly: for each output pixel and channel the
// maximum over the taps inside the input, then table[max] when table is not nullptr; 0 for a
// window with no tap inside.
void max_pool_qu8_nhwc_ref(const PoolNhwcParams& p, const uint8_t* table, const uint8_t* in, uint8_t* out,
                           int32_t oh_begin, int32_t oh_end);

// table[c] = QuantizeLinear(DequantizeLinear(c, in_scale, in_zero_point), out_scale,
// out_zero_point) for every uint8 code c, in ONNX Runtime's float arithmetic:
// x = float(c - in_zero_point) * in_scale, then round half to even of x / out_scale (a
// division, as MlasQuantizeLinear), + out_zero_point, saturated to [0, 255]. ONNX Runtime's
// QLinearConcat builds its per-input tables so (QlinearBuildLookupTable) and a MaxPool between
// DQ and Q computes the same values. Returns whether the table is the identity (always so when
// the two parameter pairs are equal).
bool requantize_table_qu8(float in_scale, int32_t in_zero_point, float out_scale, int32_t out_zero_point,
                          uint8_t* table);

}  // namespace octet::kernels
