// int8 max pooling step: uint8 NHWC -> NHWC on a kernels/int8/maxpool.h variant, the maxima of
// the codes then, when the input's and output's quantization parameters differ, the 256-entry
// requantisation table stored in Plan::weights (kernels/reference/qmaxpool.h builds it).
// Split across threads by output rows.
#pragma once
#include <cstddef>

#include "engine/runtime/step_type.h"
#include "kernels/int8/maxpool.h"

namespace octet {

struct QMaxPoolStep final : StepParams {
  const kernels::QMaxPoolU8Kernel* kernel = nullptr;
  kernels::PoolNhwcParams pool;   // count_include_pad unused
  bool has_table = false;         // false: input and output share their parameters
  size_t table_offset = 0;        // with has_table: 256 bytes in Plan::weights

  static const StepType kType;
  static void run(const QMaxPoolStep&, const StepContext&, int32_t row_begin, int32_t row_end);
  static RowSplit rows(const QMaxPoolStep& p) { return {p.pool.out_h, 1}; }
  static const char* kernel_name(const QMaxPoolStep& p) { return p.kernel->name; }
  static std::string describe(const Step&, const QMaxPoolStep&);
  static std::string summary(const QMaxPoolStep&);
  template <typename IO, typename S>
  static void fields(IO& io, S& p);
  static void validate(PlanChecker&, const Step&, const QMaxPoolStep&);
};

}  // namespace octet
