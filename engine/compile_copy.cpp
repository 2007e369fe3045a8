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
//    a channel split (a contiguous run of channels per pixel), otherwise a strided copy of the
//    row-major value. A negative step runs on the reference fallback.
#include <numeric>

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
  // Any other transpose of int8 values (ShuffleNet's channel shuffle between int8 convs) copies
  // their dequantized values (as_float / plain below): a float island whose int8 reader
  // quantizes the copy again with the same parameters, which gives back the same codes.
  if (perm.size() != in.dims.size() + 1 || perm[0] != 0)
    return compile_reference_node(n);   // moves the batch, or malformed: the reference decides
  // Channel shuffle: [g, c, H, W] split channels -> [c, g, H, W], per pixel a g x c transpose.
  if (in.layout == Layout::NhwcSplit && in.dims.size() == 4 && perm == std::vector<int64_t>{0, 2, 1, 3, 4}) {
    const int64_t g = in.dims[0], c = in.dims[1], channels = g * c;
    StridedCopyF32Step p;
    p.purpose = StridedCopyF32Step::Purpose::ChannelShuffle;
    // Per pixel, each group's run of c channels read in order and written every g-th: the
    // innermost loop is the longer one (c), its reads contiguous.
    p.dims = {in.dims[2] * in.dims[3], g, c};
    p.src_strides = {channels, c, 1};
    p.dst_strides = {channels, 1, g};
    return add_copy_step(n, std::move(p), as_float(n, n.inputs[0]), Layout::NhwcSplit, {c, g, in.dims[2], in.dims[3]});
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

void Compiler::compile_slice(const Node& n) {
  if (g_.opset < 10) return compile_reference_node(n);   // attributes: rare, the reference runs them
  auto ints = [&](size_t i) -> std::optional<std::vector<int64_t>> {
    if (!n.has_input(i)) return std::vector<int64_t>{};
    const Value& v = g_.value(n.inputs[i]);
    if (!v.constant) return std::nullopt;
    return v.constant->as_int64();
  };
  const auto starts = ints(1), ends = ints(2), axes_in = ints(3), steps_in = ints(4);
  if (!starts || !ends || !axes_in || !steps_in) return compile_reference_node(n);   // computed at run time
  const Slot in = as_float(n, n.inputs[0]);
  const int64_t rank = static_cast<int64_t>(in.dims.size()) + 1;
  std::vector<int64_t> first(in.dims.size(), 0), count = in.dims, step(in.dims.size(), 1);
  for (size_t i = 0; i < starts->size(); ++i) {
    int64_t axis = axes_in->empty() ? static_cast<int64_t>(i) : (*axes_in)[i];
    if (axis < 0) axis += rank;
    const int64_t s = steps_in->empty() ? 1 : (*steps_in)[i];
    if (axis <= 0 || axis >= rank || s <= 0 || i >= ends->size()) return compile_reference_node(n);
    const size_t a = static_cast<size_t>(axis - 1);
    const SliceRange r = slice_range(in.dims[a], (*starts)[i], (*ends)[i], s);
    first[a] = r.first;
    count[a] = r.count;
    step[a] = s;
  }
  if (product(count) != product(per_image_dims(g_.value(n.outputs[0]), "output"))) fail(n, "slice and output disagree");
  // Along the channels only, of channels-last storage: a run of channels per pixel.
  const bool channels_only = in.dims.size() == 3 && count[1] == in.dims[1] && count[2] == in.dims[2] && step[0] == 1;
  if (in.layout == Layout::Nhwc && channels_only) {
    StridedCopyF32Step p;
    p.purpose = StridedCopyF32Step::Purpose::ChannelSplit;
    p.dims = {in.dims[1] * in.dims[2], count[0]};
    p.src_strides = {in.dims[0], 1};
    p.dst_strides = {count[0], 1};
    p.src_offset = first[0];
    return add_copy_step(n, std::move(p), in, Layout::Nhwc, count);
  }
  const Slot src = plain(n.inputs[0], g_.value(n.inputs[0]).name);
  const std::vector<int64_t> strides = row_major(src.dims);
  StridedCopyF32Step p;
  p.purpose = StridedCopyF32Step::Purpose::Slice;
  p.dims = count;
  for (size_t a = 0; a < count.size(); ++a) {
    // A step past the dim takes one element: its stride is never used (and would overflow).
    p.src_strides.push_back(count[a] == 1 ? strides[a] : strides[a] * step[a]);
    p.src_offset += first[a] * strides[a];
  }
  p.dst_strides = row_major(count);
  add_copy_step(n, std::move(p), src, Layout::Plain, count);
}

}  // namespace octet::detail
