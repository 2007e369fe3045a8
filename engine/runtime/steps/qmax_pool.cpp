#include "engine/runtime/steps/qmax_pool.h"

#include "engine/runtime/step_type_impl.h"
#include "engine/runtime/steps/field_lists.h"

namespace octet {

void QMaxPoolStep::run(const QMaxPoolStep& p, const StepContext& c, int32_t row_begin, int32_t row_end) {
  p.kernel->run(p.pool, p.has_table ? c.weights + p.table_offset : nullptr, c.input, c.output, row_begin, row_end);
}

static std::string window(const kernels::PoolNhwcParams& s) {
  return std::to_string(s.kernel_h) + "x" + std::to_string(s.kernel_w) + " s" + std::to_string(s.stride_h);
}

std::string QMaxPoolStep::describe(const Step&, const QMaxPoolStep& p) {
  const kernels::PoolNhwcParams& s = p.pool;
  return std::string(p.kernel->name) + "  " + window(s) + " " + std::to_string(s.in_h) + "x" +
         std::to_string(s.in_w) + "x" + std::to_string(s.channels) + " -> " + std::to_string(s.out_h) + "x" +
         std::to_string(s.out_w) + (p.has_table ? " requantised (table)" : " same parameters");
}

std::string QMaxPoolStep::summary(const QMaxPoolStep& p) { return "max pool " + window(p.pool); }

template <typename IO, typename S>
void QMaxPoolStep::fields(IO& io, S& p) {
  io(p.kernel);
  pool_fields(io, p.pool);
  io(p.has_table), io(p.table_offset);
}

void QMaxPoolStep::validate(PlanChecker& c, const Step& s, const QMaxPoolStep& p) {
  c.require(p.kernel != nullptr, "no int8 max pool kernel");
  c.pool_shape(p.pool);
  if (p.has_table) c.weights(p.table_offset, 256);
  c.buffer(s.input, int64_t{p.pool.in_h} * p.pool.in_w * p.pool.channels, true, "input");
  c.buffer(s.output, int64_t{p.pool.out_h} * p.pool.out_w * p.pool.channels, true, "output");
}

const StepType QMaxPoolStep::kType = make_step_type<QMaxPoolStep>(70, "qu8_max_pool", true);

}  // namespace octet
