// The safety checks of a loaded plan (validate_plan, engine/runtime/model_file.h): the
// primitives every step type's `validate` uses. After validate_plan, a Session can run the
// plan without any kernel reading or writing outside the arena, the scratch or the weights,
// and without integer overflow in the int8 arithmetic, whatever the numbers in the file were.
// Every failure throws octet::Error "invalid .octet file: <where>: <what>".
#pragma once
#include <cstdint>
#include <initializer_list>
#include <string>

#include "engine/runtime/plan.h"
#include "kernels/f32/conv.h"
#include "kernels/f32/vector.h"
#include "kernels/int8/conv.h"
#include "kernels/int8/requant.h"

namespace octet {

class PlanChecker {
 public:
  explicit PlanChecker(const Plan& plan) : plan_(plan) {}
  void run();   // the plan's sizes, buffers and ports, then every step through its type

  const Plan& plan() const { return plan_; }
  [[noreturn]] void fail(const std::string& what) const;
  void require(bool ok, const char* what) const {
    if (!ok) fail(what);
  }
  // Product of factors each in [1, 2^31], refused past 2^31.
  int64_t mul(std::initializer_list<int64_t> factors, const char* what) const;
  // Buffer `id` holds at least `n` elements of the step's type (float, or uint8).
  void buffer(int id, int64_t n, bool uint8, const char* what) const;
  // Sliding windows along one axis: every window overlaps the input (so no kernel sees a
  // window made only of padding), and the last one starts inside it.
  void window(int64_t in, int64_t out, int64_t k, int64_t stride, int64_t dilation, int64_t pad_before,
              int64_t pad_after, const char* axis) const;
  void conv_shape(const kernels::ConvNhwcParams& p) const;
  // conv_shape, and the step's input, output and (if any) residual buffers hold p's tensors.
  void conv_step(const Step& s, const kernels::ConvNhwcParams& p) const;
  void pool_shape(const kernels::PoolNhwcParams& p) const;
  // `bytes` of packed weights at byte `offset` lie inside Plan::weights, kPlanAlignment-aligned.
  void weights(size_t offset, size_t bytes) const;
  // The step's scratch fits Plan::workspace_bytes.
  void workspace(size_t bytes) const { require(bytes <= plan_.workspace_bytes, "scratch too small for the kernel"); }

  static bool zero_point_ok(int32_t z) { return z >= 0 && z <= 255; }
  static bool clamp_ok(int32_t lo, int32_t hi) { return zero_point_ok(lo) && zero_point_ok(hi) && lo <= hi; }
  // The fields every int8 conv step has: input / output zero points, weight zero point, clamp,
  // a finite scale >= 0.
  static bool qconv_core_ok(const kernels::QConvParams& q) {
    return zero_point_ok(q.input_zero_point) && zero_point_ok(q.output_zero_point) && q.weight_zero_point >= -128 &&
           q.weight_zero_point <= 127 && clamp_ok(q.output_min, q.output_max) &&
           kernels::requant_scale_ok(q.scale);
  }

 private:
  [[noreturn]] static void fail(const std::string& where, const std::string& what);
  void port(const Port& p, const char* what) const;

  const Plan& plan_;
  std::string where_;
};

}  // namespace octet
