// infer_shapes(): walks the nodes in order and sets every output's dtype and (possibly
// symbolic) shape from its inputs. The per-operator rules live in graph/passes/infer_shapes_*.cpp;
// this file holds the driver, the shared helpers and the shape-preserving ops.
#include <algorithm>
#include <limits>
#include <string>

#include "graph/passes/infer_shapes_rules.h"
#include "graph/passes/passes.h"

namespace octet {
namespace shape_rules {

const Shape& NodeView::shape(size_t i) const {
  static const Shape kUnknown;
  return in(i) ? in(i)->shape : kUnknown;
}

std::optional<std::vector<int64_t>> NodeView::const_ints(size_t i) const {
  const Tensor* t = constant(i);
  if (!t) return std::nullopt;
  try {
    return t->as_int64();
  } catch (const Error& e) {
    fail("input " + std::to_string(i) + ": " + e.what());
  }
}

void NodeView::fail(const std::string& msg) const { throw Error(g.describe(n) + ": " + msg); }

namespace {
// Two dims are the same size at run time for sure: equal known sizes or the same symbol.
bool same_dim(const Dim& a, const Dim& b) {
  if (a.is_known() || b.is_known()) return a.value == b.value;
  return !a.symbol.empty() && a.symbol == b.symbol;
}
}  // namespace

Shape broadcast(const NodeView& v, const Shape& a, const Shape& b) {
  if (!a.has_rank || !b.has_rank) return unknown_shape();
  const size_t rank = std::max(a.dims.size(), b.dims.size());
  std::vector<Dim> out(rank);
  for (size_t i = 0; i < rank; ++i) {
    // Right-aligned: a missing leading dim behaves as 1.
    const Dim one = Dim::known(1);
    const size_t ia = i + a.dims.size(), ib = i + b.dims.size();
    const Dim& da = ia >= rank ? a.dims[ia - rank] : one;
    const Dim& db = ib >= rank ? b.dims[ib - rank] : one;
    if (same_dim(da, db) || db == one) {
      out[i] = da;
    } else if (da == one) {
      out[i] = db;
    } else if (da.is_known() && db.is_known()) {
      v.fail("cannot broadcast shapes " + a.to_string() + " and " + b.to_string());
    } else if (da.is_known()) {
      out[i] = da;   // the other is 1 or the same size at run time: either way the result is da
    } else if (db.is_known()) {
      out[i] = db;
    } else {
      out[i] = Dim{};   // two different symbols: either may be 1
    }
  }
  return ranked(std::move(out));
}

Dim product(const std::vector<Dim>& dims) {
  int64_t known = 1;
  const Dim* symbolic = nullptr;
  int unknown = 0;
  for (const Dim& d : dims) {
    if (d.is_known()) {
      // Saturates: a product past int64 is past the tensor limit too, which the caller's
      // dim check then reports.
      if (__builtin_mul_overflow(known, d.value, &known)) known = std::numeric_limits<int64_t>::max();
    } else {
      ++unknown;
      symbolic = &d;
    }
  }
  if (unknown == 0) return Dim::known(known);
  if (known == 0) return Dim::known(0);
  if (unknown == 1 && known == 1) return *symbolic;   // N * 1 * 1 = N (also keeps "unknown")
  return Dim{};
}

int64_t normalize_axis(const NodeView& v, int64_t axis, int64_t rank, const char* what,
                       bool inclusive_end) {
  // Negative axes count from the end of the input's dims in both cases (Flatten's axis -1
  // means rank-1); inclusive_end only admits `rank` itself as a valid value.
  const int64_t hi = inclusive_end ? rank + 1 : rank;
  const int64_t a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= hi)
    v.fail(std::string(what) + " " + std::to_string(axis) + " is out of range for rank " +
           std::to_string(rank));
  return a;
}

Outputs infer_binary(const NodeView& v) {
  DType a = v.dtype(0), b = v.dtype(1);
  if (a != DType::Undefined && b != DType::Undefined && a != b)
    v.fail("inputs have different element types " + dtype_name(a) + " and " + dtype_name(b));
  return {{a != DType::Undefined ? a : b, broadcast(v, v.shape(0), v.shape(1))}};
}

Outputs infer_unary(const NodeView& v) { return {same_as_input(v, 0)}; }

Outputs infer_Dropout(const NodeView& v) {
  // Inference-mode Dropout is the identity; the optional mask has the same shape.
  return {same_as_input(v, 0), {DType::Bool, v.shape(0)}};
}

Outputs infer_Softmax(const NodeView& v) {
  const Shape& s = v.shape(0);
  if (s.has_rank) {
    const int64_t fallback = v.g.opset >= 13 ? -1 : 1;
    const int64_t rank = static_cast<int64_t>(s.dims.size());
    normalize_axis(v, v.n.attr_int("axis", fallback), rank, "axis");
  }
  return {same_as_input(v, 0)};
}

Outputs infer_Cast(const NodeView& v) {
  if (!v.n.has_attr("to")) v.fail("attribute 'to' is required");
  const auto to = static_cast<DType>(v.n.attr_int("to", 0));
  if (dtype_size(to) == 0) v.fail("cannot cast to " + dtype_name(to));
  return {{to, v.shape(0)}};
}

namespace {
Outputs infer_node(const NodeView& v) {
  switch (v.n.op) {
    case OpKind::Add:
    case OpKind::Sub:
    case OpKind::Mul:
    case OpKind::Div: return infer_binary(v);
    case OpKind::Relu:
    case OpKind::Clip:
    case OpKind::Sigmoid:
    case OpKind::HardSigmoid:
    case OpKind::HardSwish:
    case OpKind::Tanh:
    case OpKind::LeakyRelu:
    case OpKind::Identity: return infer_unary(v);
    case OpKind::Dropout: return infer_Dropout(v);
    case OpKind::Softmax:
    case OpKind::LogSoftmax: return infer_Softmax(v);
    case OpKind::Split: return infer_Split(v);
    case OpKind::Cast: return infer_Cast(v);
    case OpKind::Conv: return infer_Conv(v);
    case OpKind::AveragePool:
    case OpKind::MaxPool: return infer_Pool(v);
    case OpKind::GlobalAveragePool:
    case OpKind::GlobalMaxPool: return infer_GlobalAveragePool(v);
    case OpKind::ReduceMean:
    case OpKind::ReduceMax: return infer_Reduce(v);
    case OpKind::BatchNormalization: return infer_BatchNormalization(v);
    case OpKind::MatMul: return infer_MatMul(v);
    case OpKind::Gemm: return infer_Gemm(v);
    case OpKind::Transpose: return infer_Transpose(v);
    case OpKind::Reshape: return infer_Reshape(v);
    case OpKind::Flatten: return infer_Flatten(v);
    case OpKind::Squeeze: return infer_Squeeze(v);
    case OpKind::Unsqueeze: return infer_Unsqueeze(v);
    case OpKind::Concat: return infer_Concat(v);
    case OpKind::Slice: return infer_Slice(v);
    case OpKind::Gather: return infer_Gather(v);
    case OpKind::Pad: return infer_Pad(v);
    case OpKind::Constant: return infer_Constant(v);
    case OpKind::ConstantOfShape: return infer_ConstantOfShape(v);
    case OpKind::Shape: return infer_Shape(v);
    case OpKind::QuantizeLinear: return infer_QuantizeLinear(v);
    case OpKind::DequantizeLinear: return infer_DequantizeLinear(v);
    case OpKind::QLinearConv: return infer_QLinearConv(v);
    case OpKind::QLinearMatMul: return infer_QLinearMatMul(v);
  }
  return {};
}

// Combines a freshly inferred shape with what the value already carried (a declaration from
// the ONNX file, or an earlier run of this pass): the inferred dims win, the old ones fill
// what inference could not tell. Returns nullopt when two known dims or the ranks disagree.
std::optional<Shape> merge(const Shape& inferred, const Shape& old) {
  if (!old.has_rank) return inferred;
  if (!inferred.has_rank) return old;
  if (inferred.dims.size() != old.dims.size()) return std::nullopt;
  Shape out = inferred;
  for (size_t i = 0; i < out.dims.size(); ++i) {
    const Dim& o = old.dims[i];
    Dim& d = out.dims[i];
    if (d.is_known() && o.is_known() && d.value != o.value) return std::nullopt;
    if (!d.is_known() && (o.is_known() || d.symbol.empty())) d = o;
  }
  return out;
}
}  // namespace

}  // namespace shape_rules

namespace {
// Every known dim in the graph stays within octet's tensor limit (declared shapes are checked
// at import, inferred ones here), so the rules' int64 arithmetic on single dims (sums, window
// sizes, a dim times a group) cannot overflow; products of dims saturate (product()). The
// element count of a whole shape is checked where a tensor or buffer is sized.
void require_dims_within_limits(const shape_rules::NodeView& view, const Value& out) {
  for (const Dim& d : out.shape.dims)
    if (d.is_known() && d.value > kMaxTensorElements)
      view.fail("output '" + out.name + "': dimension " + std::to_string(d.value) + " of shape " +
                out.shape.to_string() + " exceeds octet's limit of 2^31 elements");
}
}  // namespace

void infer_shapes(Graph& graph) {
  using namespace shape_rules;
  // Constants (initializers, folded values) have exactly their tensor's shape.
  for (Value& v : graph.values) {
    if (!v.constant) continue;
    v.dtype = v.constant->dtype;
    v.shape = Shape::of(v.constant->dims);
  }
  std::vector<bool> is_output(graph.values.size(), false);
  for (int id : graph.outputs) is_output[static_cast<size_t>(id)] = true;

  for (const Node& node : graph.nodes) {
    const NodeView view{graph, node};
    const Outputs inferred = infer_node(view);
    for (size_t i = 0; i < node.outputs.size() && i < inferred.size(); ++i) {
      if (node.outputs[i] == kNoValue) continue;
      Value& out = graph.value(node.outputs[i]);
      if (out.constant) continue;
      std::optional<Shape> merged = merge(inferred[i].shape, out.shape);
      if (!merged) {
        // Only a graph output's declaration is a promise to the user; elsewhere a stale
        // value_info loses to what the operator actually produces.
        if (is_output[static_cast<size_t>(node.outputs[i])])
          view.fail("inferred shape " + inferred[i].shape.to_string() + " of graph output '" + out.name +
                    "' contradicts its declared shape " + out.shape.to_string());
        merged = inferred[i].shape;
      }
      if (inferred[i].dtype != DType::Undefined) {
        if (is_output[static_cast<size_t>(node.outputs[i])] && out.dtype != DType::Undefined &&
            out.dtype != inferred[i].dtype)
          view.fail("inferred element type " + dtype_name(inferred[i].dtype) + " of graph output '" +
                    out.name + "' contradicts its declared type " + dtype_name(out.dtype));
        out.dtype = inferred[i].dtype;
      }
      out.shape = std::move(*merged);
      require_dims_within_limits(view, out);
    }
  }
}

}  // namespace octet
