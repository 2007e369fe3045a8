// Transpose, Reshape (Flatten, Squeeze, Unsqueeze) and Slice on the optimised runtime
// (engine/compiler.h): views of the input's storage where its layout allows, else one
// StridedCopyF32Step (engine/runtime/steps/strided_copy_f32.h).
//  - Reshape keeps the bytes: NHWC [C,H,W] -> [g,C/g,H,W] is a view with split channels
//    (Layout::NhwcSplit), and back to [C,H,W] a view again; other reshapes read the
//    row-major value.
//  - Transpose: NHWC <-> NCHW of a graph input or output is free (NHWC is the internal
//    layout); swapping the first two channel factors of a split-channel value is ShuffleNet's
//    channel shuffle, one copy per pixel; any other permutation that keeps the batch first is
//    a strided copy of the row-major value.
//  - Slice with constant parameters and positive steps: along the channels of an NHWC value
//    a channel split (a contiguous run of channels per pixel), any other box of an NHWC value
//    a strided copy of its storage, otherwise a strided copy of the row-major value. A
//    negative step runs on the reference fallback.
// The int8 channel shuffle and Slice (compile_qcopy.cpp) take the same geometry over codes.
#include <numeric>
#include <optional>

#include "engine/compiler.h"
#include "graph/slice_range.h"
#include "kernels/reference/strided_copy.h"

namespace octet::detail {

namespace {

std::vector<int64_t> row_major(const std::vector<int64_t>& dims) {
  std::vector<int64_t> s(dims.size());
  kernels::row_major_strides(dims, s);
  return s;
}

}  // namespace

void Compiler::add_copy_step(const Node& n, StridedCopyF32Step p, const Slot& in, Layout layout,
                             std::vector<int64_t> out_dims) {
  if (p.dims.size() > StridedCopyF32Step::kMaxRank) return compile_reference_node(n);
  p.in_elements = product(in.dims);
  p.out_elements = product(out_dims);
  add_output_step(n, Step::of(n.name, std::move(p), in.buffer), layout, std::move(out_dims));
}

std::optional<CopyPlan> Compiler::channel_shuffle_copy(const Node& n, const Slot& in) const {
  if (in.layout != Layout::NhwcSplit || in.dims.size() != 4 || n.attr_ints("perm", {}) != std::vector<int64_t>{0, 2, 1, 3, 4})
    return std::nullopt;
  // [g, c, H, W] split channels -> [c, g, H, W], per pixel a g x c transpose.
  const int64_t g = in.dims[0], c = in.dims[1], channels = g * c;
  CopyPlan cp;
  cp.copy.purpose = CopyPurpose::ChannelShuffle;
  // Per pixel, each group's run of c channels read in order and written every g-th: the
  // innermost loop is the longer one (c), its reads contiguous.
  cp.copy.dims = {in.dims[2] * in.dims[3], g, c};
  cp.copy.src_strides = {channels, c, 1};
  cp.copy.dst_strides = {channels, 1, g};
  cp.layout = Layout::NhwcSplit;
  cp.out_dims = {c, g, in.dims[2], in.dims[3]};
  return cp;
}

void Compiler::compile_transpose(const Node& n) {
  const Slot in = read_value(n, n.inputs[0]);
  std::vector<int64_t> perm = n.attr_ints("perm", {});
  if (perm.empty()) {   // ONNX's default reverses the dims, batch included
    perm.resize(in.dims.size() + 1);
    std::iota(perm.rbegin(), perm.rend(), 0);
  }
  // NHWC graph input to NCHW (tf2onnx's first node) is free: NHWC is the internal layout.
  // Views keep the storage (float or uint8) and its quantization.
  Slot view = in;
  if (in.layout == Layout::Plain && in.dims.size() == 3 && perm == std::vector<int64_t>{0, 3, 1, 2}) {
    view.layout = Layout::Nhwc;
    view.dims = {in.dims[2], in.dims[0], in.dims[1]};
    return set_output(n, view);
  }
  if (in.layout == Layout::Nhwc && perm == std::vector<int64_t>{0, 2, 3, 1}) {
    view.layout = Layout::Plain;
    view.dims = {in.dims[1], in.dims[2], in.dims[0]};
    return set_output(n, view);
  }
  // Any other transpose of a uint8 value that runs_int8 did not take copies its dequantized
  // values (as_float / plain below): a float island whose int8 reader quantizes the copy again.
  if (perm.size() != in.dims.size() + 1 || perm[0] != 0)
    return compile_reference_node(n);   // moves the batch, or malformed: the reference decides
  if (std::optional<CopyPlan> cp = channel_shuffle_copy(n, in)) {
    StridedCopyF32Step p;
    static_cast<StridedCopyGeometry&>(p) = cp->copy;
    return add_copy_step(n, std::move(p), as_float(n, n.inputs[0]), cp->layout, cp->out_dims);
  }
  // Any other permutation of the per-image axes, on the row-major value.
  const Slot src = plain(n.inputs[0], g_.value(n.inputs[0]).name);
  const std::vector<int64_t> in_strides = row_major(src.dims);
  StridedCopyF32Step p;
  p.purpose = StridedCopyF32Step::Purpose::Transpose;
  std::vector<int64_t> out_dims;
  for (size_t i = 1; i < perm.size(); ++i) {
    const int64_t axis = perm[i] - 1;
    if (axis < 0 || axis >= static_cast<int64_t>(src.dims.size())) return compile_reference_node(n);
    out_dims.push_back(src.dims[static_cast<size_t>(axis)]);
    p.src_strides.push_back(in_strides[static_cast<size_t>(axis)]);
  }
  p.dims = out_dims;
  p.dst_strides = row_major(out_dims);
  add_copy_step(n, std::move(p), src, Layout::Plain, out_dims);
}

void Compiler::compile_reshape(const Node& n) {
  std::vector<int64_t> dims = per_image_dims(g_.value(n.outputs[0]), "output");
  Slot in = read_value(n, n.inputs[0]);
  if (product(dims) != product(in.dims)) fail(n, "must keep the batch as its first dimension");
  // Channels-last storage keeps its bytes when only the channel axis is split or merged:
  // [C,H,W] <-> [c1,...,ck,H,W] with the same H, W and c1*...*ck = C.
  const bool channels_last = in.layout == Layout::Nhwc || in.layout == Layout::NhwcSplit;
  if (channels_last && dims.size() >= 3) {
    const std::vector<int64_t> from = merged_channels(in.dims), to = merged_channels(dims);
    if (from == to) {
      in.layout = dims.size() == 3 ? Layout::Nhwc : Layout::NhwcSplit;
      in.dims = dims;
      return set_output(n, in);
    }
  }
  // A uint8 value already in row-major order (or whose layouts coincide) stays uint8.
  const bool same_order = in.layout == Layout::Plain || (in.layout == Layout::Nhwc && (in.dims[1] * in.dims[2] == 1 ||
                                                                                        in.dims[0] == 1));
  if (!in.uint8 || !same_order) in = plain(n.inputs[0], g_.value(n.inputs[0]).name);
  in.layout = Layout::Plain;
  in.dims = dims;
  set_output(n, in);   // a view: same bytes
}

std::optional<SliceBox> Compiler::slice_box(const Node& n, const std::vector<int64_t>& in_dims) const {
  if (g_.opset < 10) return std::nullopt;   // attributes: rare, the reference runs them
  auto ints = [&](size_t i) -> std::optional<std::vector<int64_t>> {
    if (!n.has_input(i)) return std::vector<int64_t>{};
    const Value& v = g_.value(n.inputs[i]);
    if (!v.constant) return std::nullopt;
    return v.constant->as_int64();
  };
  const auto starts = ints(1), ends = ints(2), axes_in = ints(3), steps_in = ints(4);
  if (!starts || !ends || !axes_in || !steps_in) return std::nullopt;   // computed at run time
  const int64_t rank = static_cast<int64_t>(in_dims.size()) + 1;
  SliceBox box{std::vector<int64_t>(in_dims.size(), 0), in_dims, std::vector<int64_t>(in_dims.size(), 1)};
  for (size_t i = 0; i < starts->size(); ++i) {
    int64_t axis = axes_in->empty() ? static_cast<int64_t>(i) : (*axes_in)[i];
    if (axis < 0) axis += rank;
    const int64_t s = steps_in->empty() ? 1 : (*steps_in)[i];
    if (axis <= 0 || axis >= rank || s <= 0 || i >= ends->size()) return std::nullopt;
    const size_t a = static_cast<size_t>(axis - 1);
    const SliceRange r = slice_range(in_dims[a], (*starts)[i], (*ends)[i], s);
    box.first[a] = r.first;
    box.count[a] = r.count;
    box.step[a] = s;
  }
  if (product(box.count) != product(per_image_dims(g_.value(n.outputs[0]), "output"))) fail(n, "slice and output disagree");
  return box;
}

std::optional<CopyPlan> Compiler::nhwc_slice_copy(const SliceBox& box, const Slot& in) const {
  if (in.layout != Layout::Nhwc || in.dims.size() != 3) return std::nullopt;
  const std::vector<int64_t>&f = box.first, &n = box.count, &st = box.step;
  const int64_t c = in.dims[0], w = in.dims[2];
  CopyPlan cp;
  cp.layout = Layout::Nhwc;
  cp.out_dims = n;
  if (n[1] == in.dims[1] && n[2] == in.dims[2] && st[0] == 1) {   // along the channels only
    cp.copy.purpose = CopyPurpose::ChannelSplit;
    cp.copy.dims = {in.dims[1] * in.dims[2], n[0]};
    cp.copy.src_strides = {c, 1};
    cp.copy.dst_strides = {n[0], 1};
    cp.copy.src_offset = f[0];
    return cp;
  }
  // Any other box of the storage [H, W, C] (a step past a dim takes one element: its stride
  // is never used).
  cp.copy.purpose = CopyPurpose::Slice;
  cp.copy.dims = {n[1], n[2], n[0]};
  cp.copy.src_strides = {n[1] == 1 ? w * c : w * c * st[1], n[2] == 1 ? c : c * st[2], n[0] == 1 ? 1 : st[0]};
  cp.copy.dst_strides = {n[2] * n[0], n[0], 1};
  cp.copy.src_offset = (f[1] * w + f[2]) * c + f[0];
  return cp;
}

void Compiler::compile_slice(const Node& n) {
  const Slot in = as_float(n, n.inputs[0]);
  const std::optional<SliceBox> box = slice_box(n, in.dims);
  if (!box) return compile_reference_node(n);
  if (std::optional<CopyPlan> cp = nhwc_slice_copy(*box, in)) {
    StridedCopyF32Step p;
    static_cast<StridedCopyGeometry&>(p) = cp->copy;
    return add_copy_step(n, std::move(p), in, cp->layout, cp->out_dims);
  }
  const Slot src = plain(n.inputs[0], g_.value(n.inputs[0]).name);
  const std::vector<int64_t> strides = row_major(src.dims);
  StridedCopyF32Step p;
  p.purpose = StridedCopyF32Step::Purpose::Slice;
  p.dims = box->count;
  for (size_t a = 0; a < box->count.size(); ++a) {
    // A step past the dim takes one element: its stride is never used (and would overflow).
    p.src_strides.push_back(box->count[a] == 1 ? strides[a] : strides[a] * box->step[a]);
    p.src_offset += box->first[a] * strides[a];
  }
  p.dst_strides = row_major(box->count);
  add_copy_step(n, std::move(p), src, Layout::Plain, box->count);
}

}  // namespace octet::detail
