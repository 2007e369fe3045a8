#include "engine/runtime/steps/grouped_conv_f32.h"

#include <cstring>

#include "engine/runtime/plan.h"
#include "engine/runtime/step_type_impl.h"
#include "engine/runtime/steps/field_lists.h"

namespace octet {

namespace {

size_t floats_bytes(int64_t floats) { return align_up(static_cast<size_t>(floats) * sizeof(float)); }

// Copies `pixels` pixels of `channels` floats from a tensor of `src_c` channels (starting at
// its channel slice `src`) to one of `dst_c` channels (at `dst`).
void copy_channels(const float* src, int32_t src_c, float* dst, int32_t dst_c, int64_t pixels, int32_t channels) {
  for (int64_t i = 0; i < pixels; ++i) std::memcpy(dst + i * dst_c, src + i * src_c, sizeof(float) * channels);
}

}  // namespace

size_t GroupedConvF32Step::group_weight_bytes() const {
  return floats_bytes(static_cast<int64_t>(kernel->packed_floats(group_shape)));
}

size_t GroupedConvF32Step::workspace_bytes(bool residual) const {
  const kernels::ConvNhwcParams& s = group_shape;
  const int64_t out = int64_t{s.out_h} * s.out_w * s.out_c;
  return floats_bytes(int64_t{s.in_h} * s.in_w * s.in_c) + floats_bytes(out) * (residual ? 2 : 1) +
         floats_bytes(static_cast<int64_t>(kernel->workspace_floats(s)));
}

void GroupedConvF32Step::run(const GroupedConvF32Step& p, const StepContext& c, int32_t row_begin, int32_t row_end) {
  const kernels::ConvNhwcParams& s = p.group_shape;
  const int32_t in_c = s.in_c * p.groups, out_c = s.out_c * p.groups;
  const int64_t in_pixels = int64_t{s.in_h} * s.in_w, out_pixels = int64_t{s.out_h} * s.out_w;
  auto* scratch = static_cast<uint8_t*>(c.workspace);
  float* group_in = reinterpret_cast<float*>(scratch);
  scratch += floats_bytes(in_pixels * s.in_c);
  float* group_out = reinterpret_cast<float*>(scratch);
  scratch += floats_bytes(out_pixels * s.out_c);
  float* group_res = nullptr;
  if (c.input2 != nullptr) {
    group_res = reinterpret_cast<float*>(scratch);
    scratch += floats_bytes(out_pixels * s.out_c);
  }
  float* kernel_ws = reinterpret_cast<float*>(scratch);
  // Output rows [row_begin, row_end) as pixels; the kernel addresses rows absolutely.
  const int32_t row_stop = row_end < s.out_h ? row_end : s.out_h;
  const int64_t px0 = int64_t{row_begin} * s.out_w, px_n = int64_t{row_stop - row_begin} * s.out_w;
  if (px_n <= 0) return;
  const size_t group_bytes = p.group_weight_bytes();
  for (int32_t g = 0; g < p.groups; ++g) {
    // Every input row: which rows a kernel reads depends on the kernel (Winograd tiles).
    copy_channels(c.in<float>() + g * s.in_c, in_c, group_in, s.in_c, in_pixels, s.in_c);
    if (group_res != nullptr)
      copy_channels(c.in2<float>() + px0 * out_c + g * s.out_c, out_c, group_res + px0 * s.out_c, s.out_c, px_n,
                    s.out_c);
    const auto* w = reinterpret_cast<const float*>(c.weights + p.weights_offset + g * group_bytes);
    p.kernel->run(s, w, group_in, group_res, group_out, kernel_ws, row_begin, row_stop);
    copy_channels(group_out + px0 * s.out_c, s.out_c, c.out<float>() + px0 * out_c + g * s.out_c, out_c, px_n,
                  s.out_c);
  }
}

std::string GroupedConvF32Step::describe(const Step& s, const GroupedConvF32Step& p) {
  return std::string(p.kernel->name) + "  " + std::to_string(p.groups) + " groups of " +
         conv_geometry(p.group_shape) + conv_epilogue_text(s.input2 >= 0, p.group_shape);
}

template <typename IO, typename S>
void GroupedConvF32Step::fields(IO& io, S& p) {
  io(p.kernel), io(p.groups), conv_fields(io, p.group_shape), io(p.weights_offset);
}

void GroupedConvF32Step::validate(PlanChecker& c, const Step& s, const GroupedConvF32Step& p) {
  c.require(p.kernel != nullptr, "no conv kernel");
  c.require(p.groups >= 1, "group count below 1");
  const kernels::ConvNhwcParams& g = p.group_shape;
  c.conv_shape(g);
  c.require(p.kernel->supports(g), "the kernel does not support these parameters");
  c.buffer(s.input, c.mul({g.in_h, g.in_w, g.in_c, p.groups}, "grouped conv input size"), false, "input");
  const int64_t out = c.mul({g.out_h, g.out_w, g.out_c, p.groups}, "grouped conv output size");
  c.buffer(s.output, out, false, "output");
  if (s.input2 >= 0) c.buffer(s.input2, out, false, "residual");
  c.mul({static_cast<int64_t>(p.group_weight_bytes()), p.groups}, "grouped conv weight size");
  c.weights(p.weights_offset, p.group_weight_bytes() * static_cast<size_t>(p.groups));
  c.workspace(p.workspace_bytes(s.input2 >= 0));
}

const StepType GroupedConvF32Step::kType = make_step_type<GroupedConvF32Step>(18, "f32_grouped_conv", false);

}  // namespace octet
