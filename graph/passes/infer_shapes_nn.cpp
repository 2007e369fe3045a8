// Shape rules for convolution, pooling, batch normalisation, MatMul and Gemm.
#include <algorithm>
#include <string>

#include "graph/op_attrs.h"
#include "graph/passes/infer_shapes_rules.h"
#include "graph/reduce_axes.h"

namespace octet::shape_rules {

namespace {
// The spatial output dims of a sliding-window op, or unknown dims when an input spatial dim
// is not known (the output size depends on it) or the kernel cannot be determined.
std::vector<Dim> window_output(const NodeView& v, const std::vector<Dim>& in_spatial,
                               const std::vector<Dim>& weight_spatial) {
  std::vector<int64_t> kernel;
  bool kernel_known = true;
  for (const Dim& d : weight_spatial) {
    kernel_known = kernel_known && d.is_known();
    kernel.push_back(d.value);
  }
  if (!kernel_known) {
    if (!v.n.has_attr("kernel_shape")) return std::vector<Dim>(in_spatial.size());
    kernel.clear();
  }
  std::vector<int64_t> in;
  for (const Dim& d : in_spatial) in.push_back(d.value);
  if (!std::all_of(in_spatial.begin(), in_spatial.end(), [](const Dim& d) { return d.is_known(); })) {
    // The output size depends on the input's; the geometry is still checked now.
    check_window_geometry(v.g, v.n, in_spatial.size(), kernel);
    return std::vector<Dim>(in_spatial.size());
  }
  const WindowParams p = window_params(v.g, v.n, in, kernel);
  std::vector<Dim> out;
  for (int64_t d : p.output_spatial(in)) out.push_back(Dim::known(d));
  return out;
}

void require_rank_at_least(const NodeView& v, const Shape& s, size_t rank, const char* what) {
  if (s.has_rank && s.dims.size() < rank)
    v.fail(std::string(what) + " must have rank >= " + std::to_string(rank) + ", got " + s.to_string());
}
}  // namespace

Outputs infer_Conv(const NodeView& v) {
  const Shape& x = v.shape(0);
  const Shape& w = v.shape(1);
  require_rank_at_least(v, x, 3, "input X");
  require_rank_at_least(v, w, 3, "weight W");
  if (x.has_rank && w.has_rank && x.dims.size() != w.dims.size())
    v.fail("input " + x.to_string() + " and weight " + w.to_string() + " have different ranks");
  const int64_t group = v.n.attr_int("group", 1);
  // Above 2^31 no tensor has that many channels, and channels * group could overflow.
  if (group <= 0 || group > kMaxTensorElements)
    v.fail("group must be in [1, 2^31], got " + std::to_string(group));
  const DType dtype = v.dtype(0);
  if (!x.has_rank && !w.has_rank) return {{dtype, unknown_shape()}};

  const size_t rank = x.has_rank ? x.dims.size() : w.dims.size();
  std::vector<Dim> out(rank);
  if (x.has_rank) out[0] = x.dims[0];
  if (w.has_rank) {
    const Dim& m = w.dims[0];
    out[1] = m;
    if (x.has_rank && x.dims[1].is_known() && w.dims[1].is_known() &&
        x.dims[1].value != w.dims[1].value * group)
      v.fail("input " + x.to_string() + " has " + std::to_string(x.dims[1].value) +
             " channels but weight " + w.to_string() + " with group " + std::to_string(group) + " expects " +
             std::to_string(w.dims[1].value * group));
    if (m.is_known() && m.value % group != 0)
      v.fail("weight " + w.to_string() + ": " + std::to_string(m.value) +
             " output channels are not divisible by group " + std::to_string(group));
  }
  const Shape& b = v.shape(2);
  if (b.has_rank) {
    if (b.dims.size() != 1) v.fail("bias B must be 1-D, got " + b.to_string());
    if (b.dims[0].is_known() && out[1].is_known() && b.dims[0].value != out[1].value)
      v.fail("bias " + b.to_string() + " does not match weight " + w.to_string());
  }
  if (x.has_rank) {
    const std::vector<Dim> in_spatial(x.dims.begin() + 2, x.dims.end());
    const std::vector<Dim> k_spatial =
        w.has_rank ? std::vector<Dim>(w.dims.begin() + 2, w.dims.end()) : std::vector<Dim>(rank - 2);
    const std::vector<Dim> sp = window_output(v, in_spatial, k_spatial);
    std::copy(sp.begin(), sp.end(), out.begin() + 2);
  }
  return {{dtype, ranked(std::move(out))}};
}

Outputs infer_Pool(const NodeView& v) {
  const Shape& x = v.shape(0);
  require_rank_at_least(v, x, 3, "input X");
  if (!v.n.has_attr("kernel_shape")) v.fail("attribute kernel_shape is required");
  Shape out = x;
  if (x.has_rank) {
    const std::vector<Dim> in_spatial(x.dims.begin() + 2, x.dims.end());
    const std::vector<Dim> sp = window_output(v, in_spatial, {});
    std::copy(sp.begin(), sp.end(), out.dims.begin() + 2);
  }
  // MaxPool's optional second output holds int64 indices of the same shape.
  return {{v.dtype(0), out}, {DType::Int64, out}};
}

Outputs infer_GlobalAveragePool(const NodeView& v) {
  const Shape& x = v.shape(0);
  require_rank_at_least(v, x, 3, "input X");
  Shape out = x;
  for (size_t i = 2; i < out.dims.size(); ++i) out.dims[i] = Dim::known(1);
  return {{v.dtype(0), out}};
}

Outputs infer_Reduce(const NodeView& v) {
  const Shape& x = v.shape(0);
  if (!x.has_rank) return {{v.dtype(0), unknown_shape()}};
  const bool axes_given = v.g.opset >= 18 && v.n.has_input(1);
  const std::optional<ReduceAxes> r =
      reduce_axes(v.g, v.n, static_cast<int64_t>(x.dims.size()), v.constant(1), !axes_given || v.constant(1));
  if (!r) return {{v.dtype(0), unknown_shape()}};   // axes computed at run time
  return {{v.dtype(0), ranked(r->output_dims(x.dims, Dim::known(1)))}};
}

Outputs infer_BatchNormalization(const NodeView& v) {
  const Shape& x = v.shape(0);
  require_rank_at_least(v, x, 2, "input X");
  Dim channels = x.has_rank ? x.dims[1] : Dim{};
  static const char* const kNames[] = {"", "scale", "B", "input_mean", "input_var"};
  for (size_t i = 1; i <= 4; ++i) {
    const Shape& p = v.shape(i);
    if (!p.has_rank) continue;
    if (p.dims.size() != 1) v.fail(std::string(kNames[i]) + " must be 1-D, got " + p.to_string());
    if (channels.is_known() && p.dims[0].is_known() && p.dims[0].value != channels.value)
      v.fail(std::string(kNames[i]) + " " + p.to_string() + " does not match the channels of input " +
             x.to_string());
    if (!channels.is_known()) channels = p.dims[0];
  }
  // Outputs 1..2 (running mean/var) exist in training mode only; they are per channel.
  const Inferred stat{v.dtype(1), ranked({channels})};
  return {same_as_input(v, 0), stat, stat};
}

Outputs infer_MatMul(const NodeView& v) {
  const Shape& a = v.shape(0);
  const Shape& b = v.shape(1);
  const DType dtype = v.dtype(0) != DType::Undefined ? v.dtype(0) : v.dtype(1);
  if (!a.has_rank || !b.has_rank) return {{dtype, unknown_shape()}};
  if (a.dims.empty() || b.dims.empty())
    v.fail("MatMul inputs must not be scalars, got " + a.to_string() + " and " + b.to_string());
  // Numpy rules: a 1-D A is a row [1,K], a 1-D B is a column [K,1]; those dims are dropped again.
  std::vector<Dim> da = a.dims, db = b.dims;
  const bool a_vec = da.size() == 1, b_vec = db.size() == 1;
  if (a_vec) da.insert(da.begin(), Dim::known(1));
  if (b_vec) db.push_back(Dim::known(1));
  const Dim& ka = da[da.size() - 1];
  const Dim& kb = db[db.size() - 2];
  if (ka.is_known() && kb.is_known() && ka.value != kb.value)
    v.fail("inner dimensions differ: " + a.to_string() + " x " + b.to_string());
  const Shape batch_a = ranked(std::vector<Dim>(da.begin(), da.end() - 2));
  const Shape batch_b = ranked(std::vector<Dim>(db.begin(), db.end() - 2));
  std::vector<Dim> out = broadcast(v, batch_a, batch_b).dims;
  if (!a_vec) out.push_back(da[da.size() - 2]);
  if (!b_vec) out.push_back(db[db.size() - 1]);
  return {{dtype, ranked(std::move(out))}};
}

Outputs infer_Gemm(const NodeView& v) {
  const Shape& a = v.shape(0);
  const Shape& b = v.shape(1);
  for (const Shape* s : {&a, &b})
    if (s->has_rank && s->dims.size() != 2) v.fail("A and B must be 2-D, got " + a.to_string() + " and " + b.to_string());
  const bool ta = v.n.attr_int("transA", 0) != 0, tb = v.n.attr_int("transB", 0) != 0;
  Dim m, ka, kb, n;
  if (a.has_rank) {
    m = a.dims[ta ? 1 : 0];
    ka = a.dims[ta ? 0 : 1];
  }
  if (b.has_rank) {
    kb = b.dims[tb ? 1 : 0];
    n = b.dims[tb ? 0 : 1];
  }
  if (ka.is_known() && kb.is_known() && ka.value != kb.value)
    v.fail("inner dimensions differ: A " + a.to_string() + (ta ? " (transposed)" : "") + " x B " + b.to_string() +
           (tb ? " (transposed)" : ""));
  Shape out = ranked({m, n});
  const Shape& c = v.shape(2);
  if (c.has_rank) {
    if (c.dims.size() > 2) v.fail("C " + c.to_string() + " has rank above 2");
    // C broadcasts one way into [M,N]: a known C dim must be 1 or equal M/N.
    const Shape bc = broadcast(v, out, c);
    for (size_t i = 0; i < 2; ++i)
      if (bc.dims[i].is_known() && out.dims[i].is_known() && bc.dims[i].value != out.dims[i].value)
        v.fail("C " + c.to_string() + " does not broadcast to the output " + out.to_string());
  }
  return {{v.dtype(0), out}};
}

}  // namespace octet::shape_rules
