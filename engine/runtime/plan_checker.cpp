// validate_plan: the plan-wide checks, then each step through its type's `validate`
// (engine/runtime/steps/). A plan from compile_plan() always passes
// (tests/test_model_file.cpp checks that for every scheme).
#include "engine/runtime/plan_checker.h"

#include <cmath>
#include <cstring>

#include "engine/runtime/error.h"
#include "engine/runtime/model_file.h"
#include "engine/runtime/model_file_io.h"
#include "graph/tensor.h"

namespace octet {

namespace {
constexpr int64_t kMax = kMaxTensorElements;   // 2^31
constexpr int64_t kMaxDim = int64_t{1} << 24;
}  // namespace

void PlanChecker::fail(const std::string& where, const std::string& what) {
  throw Error("invalid .octet file: " + where + ": " + what);
}

void PlanChecker::fail(const std::string& what) const { fail(where_, what); }

void PlanChecker::run() {
  // Arena and scratch stay below 2^31 floats (8 GiB), as octet's tensors do.
  const size_t max_bytes = static_cast<size_t>(kMax) * sizeof(float);
  if (plan_.arena_bytes_per_image > max_bytes || plan_.workspace_bytes > max_bytes)
    fail("plan", "arena or scratch size exceeds 2^31 floats");
  if (plan_.arena_bytes_per_image % kPlanAlignment != 0) fail("plan", "arena size is not a multiple of 64 bytes");
  if (plan_.vector == nullptr) fail("plan", "no vector kernels");
  for (size_t i = 0; i < plan_.buffers.size(); ++i) {
    const Buffer& b = plan_.buffers[i];
    const std::string where = "buffer " + std::to_string(i) + " '" + printable_name(b.value_name) + "'";
    if (b.bytes_per_image < 1 || b.bytes_per_image > max_bytes) fail(where, "size out of range");
    if (b.offset % kPlanAlignment != 0) fail(where, "offset is not 64-byte aligned");
    if (b.offset > plan_.arena_bytes_per_image || b.bytes_per_image > plan_.arena_bytes_per_image - b.offset)
      fail(where, "lies outside the arena");
  }
  for (const Port& p : plan_.inputs) port(p, "input");
  for (const Port& p : plan_.outputs) port(p, "output");
  const int64_t buffers = static_cast<int64_t>(plan_.buffers.size());
  for (size_t i = 0; i < plan_.steps.size(); ++i) {
    const Step& s = plan_.steps[i];
    where_ = "step " + std::to_string(i) + " '" + printable_name(s.name) + "'";
    require(s.type != nullptr && s.params != nullptr, "no step type");
    if (s.type->int8 && plan_.qvector == nullptr) fail("int8 step in a plan without int8 kernels");
    // The session computes a pointer for every buffer id a step names, used or not: every id
    // is -1 or a buffer of the plan, whatever the type (its validate checks sizes).
    for (int id : {s.input, s.input2, s.output}) require(id >= -1 && id < buffers, "buffer id out of range");
    s.type->validate(*this, s);
  }
}

void PlanChecker::port(const Port& p, const char* what) const {
  const std::string where = std::string(what) + " '" + printable_name(p.name) + "'";
  if (p.dims.empty() || (p.dims[0] != -1 && p.dims[0] < 1)) fail(where, "bad batch dimension");
  int64_t n = 1;
  for (size_t i = 1; i < p.dims.size(); ++i) {
    if (p.dims[i] < 1 || p.dims[i] > kMax || n > kMax / p.dims[i]) fail(where, "dimension out of range");
    n *= p.dims[i];
  }
  if (p.buffer < 0 || static_cast<size_t>(p.buffer) >= plan_.buffers.size()) fail(where, "bad buffer id");
  const Buffer& b = plan_.buffers[static_cast<size_t>(p.buffer)];
  if (b.uint8 || b.bytes_per_image < static_cast<size_t>(n) * sizeof(float)) fail(where, "its buffer cannot hold it");
}

int64_t PlanChecker::mul(std::initializer_list<int64_t> factors, const char* what) const {
  int64_t n = 1;
  for (int64_t f : factors) {
    if (f < 1 || f > kMax || n > kMax / f) fail(std::string(what) + " out of range");
    n *= f;
  }
  return n;
}

void PlanChecker::buffer(int id, int64_t n, bool uint8, const char* what) const {
  if (id < 0 || static_cast<size_t>(id) >= plan_.buffers.size()) fail(std::string(what) + ": bad buffer id");
  const Buffer& b = plan_.buffers[static_cast<size_t>(id)];
  if (b.uint8 != uint8) fail(std::string(what) + ": buffer has the wrong element type");
  const int64_t have = static_cast<int64_t>(b.bytes_per_image / (uint8 ? 1 : sizeof(float)));
  if (have < n) fail(std::string(what) + ": buffer holds " + std::to_string(have) + " elements, the step uses " + std::to_string(n));
}

void PlanChecker::window(int64_t in, int64_t out, int64_t k, int64_t stride, int64_t dilation, int64_t pad_before,
                         int64_t pad_after, const char* axis) const {
  const std::string a = axis;
  if (in < 1 || in > kMaxDim || out < 1 || out > kMaxDim || k < 1 || k > kMaxDim || stride < 1 ||
      stride > kMaxDim || dilation < 1 || dilation > kMaxDim)
    fail(a + ": window sizes out of range");
  const int64_t extent = dilation * (k - 1) + 1;
  // Kernels compute window offsets in int32: an extent within kMaxDim keeps them exact (a
  // max pool with kernel 257 and dilation 2^24 wrapped its span to 0 and read outside).
  if (extent > kMaxDim) fail(a + ": window extent out of range");
  if (pad_before < 0 || pad_before >= extent || pad_after < 0 || pad_after >= extent)
    fail(a + ": padding out of range");
  if ((out - 1) * stride - pad_before > in - 1) fail(a + ": more output positions than the input has");
}

void PlanChecker::conv_shape(const kernels::ConvNhwcParams& p) const {
  window(p.in_h, p.out_h, p.kernel_h, p.stride_h, p.dilation_h, p.pad_top, 0, "conv rows");
  window(p.in_w, p.out_w, p.kernel_w, p.stride_w, p.dilation_w, p.pad_left, 0, "conv columns");
  mul({p.in_h, p.in_w, p.in_c}, "conv input size");
  mul({p.out_h, p.out_w, p.out_c}, "conv output size");
  mul({p.out_c, p.in_c, p.kernel_h, p.kernel_w}, "conv weight size");
  require(static_cast<uint8_t>(p.activation) <= static_cast<uint8_t>(kernels::Activation::SiLU), "bad activation");
  require(std::isfinite(p.alpha) && std::isfinite(p.beta), "activation parameters are not finite numbers");
}

void PlanChecker::conv_step(const Step& s, const kernels::ConvNhwcParams& p) const {
  conv_shape(p);
  const int64_t out = int64_t{p.out_h} * p.out_w * p.out_c;
  buffer(s.input, int64_t{p.in_h} * p.in_w * p.in_c, false, "input");
  buffer(s.output, out, false, "output");
  if (s.input2 >= 0) buffer(s.input2, out, false, "residual");
}

void PlanChecker::pool_shape(const kernels::PoolNhwcParams& p) const {
  window(p.in_h, p.out_h, p.kernel_h, p.stride_h, p.dilation_h, p.pad_top, p.pad_bottom, "pool rows");
  window(p.in_w, p.out_w, p.kernel_w, p.stride_w, p.dilation_w, p.pad_left, p.pad_right, "pool columns");
  mul({p.in_h, p.in_w, p.channels}, "pool input size");
  mul({p.out_h, p.out_w, p.channels}, "pool output size");
  mul({p.kernel_h, p.kernel_w, 256}, "pool window");   // 255 * taps stays far from int32 overflow
}

void PlanChecker::weights(size_t offset, size_t bytes) const {
  const size_t have = plan_.weights.size();
  if (offset % kPlanAlignment != 0 || offset > have || bytes > have - offset)
    fail("packed weights lie outside the weights section");
}

void validate_plan(const Plan& plan) { PlanChecker(plan).run(); }

}  // namespace octet
