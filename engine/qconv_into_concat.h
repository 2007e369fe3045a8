// The compiler's plan pass that lets an int8 conv write straight into its slice of a Concat's
// output (engine/compile.cpp runs it with fold_copies, after it, before the memory plan): a
// qu8_conv or qu8_conv_channel step whose output only one qu8_concat_slice reads takes the
// slice's place (QConvStep::output_offset, kernels::QConvParams::output_pixel_stride), and
// the slice's requantisation table if it has one (QConvParams::output_table: the concat
// computed table[code] from the conv's stored code, so the bytes are the same), and the
// concat slice step goes with the conv's own output buffer. SqueezeNet's Fire modules
// concatenate two convs each. Not for a conv with a fused residual (its residual is read with
// the dense output's layout), nor where the kernel refuses the table (kernels/int8/conv.h).
#pragma once
#include <vector>

#include "engine/memory_plan.h"
#include "engine/runtime/plan.h"

namespace octet {

// Rewrites `plan` and `lifetimes` (one per buffer, in step indices). Returns the number of
// concat slice steps removed.
int qconv_into_concat(Plan& plan, std::vector<BufferLifetime>& lifetimes);

}  // namespace octet
