// ONNX ModelProto → octet Graph. Everything is validated here, at the border: names must
// resolve, each value has one producer, ops and opsets must be ones octet implements, and
// tensors must hold exactly the bytes their shapes promise. Errors name the file and node.
#include "graph/onnx_import.h"

#include <limits>
#include <new>
#include <unordered_map>
#include <unordered_set>

#include "graph/onnx_import_detail.h"
#include "graph/op_signature.h"
#include "engine/runtime/read_file.h"

namespace octet {

namespace {

using onnx_detail::tensor_from_proto;

bool is_default_domain(const std::string& domain) { return domain.empty() || domain == "ai.onnx"; }

std::string node_name(const onnx::NodeProto& np, int index) {
  return np.name().empty() ? np.op_type() + "_" + std::to_string(index) : np.name();
}

void check_domain(const onnx::NodeProto& np, int index) {
  if (is_default_domain(np.domain())) return;
  throw Error("node '" + node_name(np, index) + "' (" + np.op_type() + ", domain '" + np.domain() +
              "'): operators of domain '" + np.domain() +
              "' are not supported by octet (only the default ONNX domain)");
}

int default_opset(const onnx::ModelProto& model) {
  for (const auto& imp : model.opset_import()) {
    if (!is_default_domain(imp.domain())) continue;
    if (imp.version() <= 0 || imp.version() > std::numeric_limits<int>::max())
      throw Error("not a valid ONNX model (default-domain opset version " + std::to_string(imp.version()) + ")");
    return static_cast<int>(imp.version());
  }
  // A model of another domain only (e.g. ai.onnx.preview.training): its nodes say more.
  for (int i = 0; i < model.graph().node_size(); ++i) check_domain(model.graph().node(i), i);
  throw Error("not a valid ONNX model (no opset_import for the default ONNX domain)");
}

// dtype and shape of a declared tensor type. `what` names the value in errors.
void read_tensor_type(const onnx::TypeProto_Tensor& tt, const std::string& what, Value& v) {
  const int code = tt.elem_type();
  v.dtype = (code >= 0 && code <= static_cast<int>(DType::BFloat16)) ? static_cast<DType>(code) : DType::Undefined;
  if (!dtype_supported(v.dtype))
    throw Error(what + " has element type " + (v.dtype == DType::Undefined && code != 0 ? std::to_string(code)
                                                                                        : dtype_name(v.dtype)) +
                ", which octet does not support");
  v.shape = Shape{};
  if (!tt.has_shape()) return;   // rank unknown
  v.shape.has_rank = true;
  for (const auto& d : tt.shape().dim()) {
    if (d.has_dim_value()) {
      if (d.dim_value() < 0) throw Error(what + " has negative dimension " + std::to_string(d.dim_value()));
      v.shape.dims.push_back(Dim::known(d.dim_value()));
    } else if (d.has_dim_param() && !d.dim_param().empty()) {
      v.shape.dims.push_back(Dim::named(d.dim_param()));
    } else {
      v.shape.dims.push_back(Dim{});   // present but unknown
    }
  }
  // A declared shape no tensor could have is refused here, so that nothing downstream
  // multiplies these dims (and overflows) or sizes a buffer from them.
  std::vector<int64_t> known;
  for (const Dim& d : v.shape.dims)
    if (d.is_known()) known.push_back(d.value);
  try {
    checked_numel(known);
  } catch (const Error& e) {
    throw Error(what + ": " + e.what());
  }
}

// Applies declared type information (value_info, graph outputs) where it is usable. These
// declarations are hints for values that nodes produce; shape inference has the last word.
void apply_declared_type(const onnx::ValueInfoProto& info, Value& v) {
  if (!info.has_type() || !info.type().has_tensor_type()) return;
  Value declared;
  try {
    read_tensor_type(info.type().tensor_type(), "value", declared);
  } catch (const Error&) {
    return;   // the producing node reports an unsupported type itself
  }
  v.dtype = declared.dtype;
  v.shape = declared.shape;
}

onnx::AttributeProto::AttributeType attribute_type(const onnx::AttributeProto& a) {
  using AP = onnx::AttributeProto;
  if (a.type() != AP::UNDEFINED) return a.type();
  // Models from before IR version 2 leave `type` unset; the filled field tells.
  if (a.has_f()) return AP::FLOAT;
  if (a.has_i()) return AP::INT;
  if (a.has_s()) return AP::STRING;
  if (a.has_t()) return AP::TENSOR;
  if (a.has_g()) return AP::GRAPH;
  if (a.floats_size()) return AP::FLOATS;
  if (a.ints_size()) return AP::INTS;
  if (a.strings_size()) return AP::STRINGS;
  if (a.tensors_size()) return AP::TENSORS;
  if (a.graphs_size()) return AP::GRAPHS;
  return AP::UNDEFINED;
}

// `where` is the node's description, the prefix of every error.
Attribute attribute_from_proto(const onnx::AttributeProto& a, const std::string& where) {
  using AP = onnx::AttributeProto;
  const std::string what = where + ": attribute '" + a.name() + "'";
  if (!a.ref_attr_name().empty())
    throw Error(what + " refers to a function attribute, which octet does not support");
  Attribute out;
  switch (attribute_type(a)) {
    case AP::INT: out.kind = Attribute::Kind::Int; out.i = a.i(); break;
    case AP::FLOAT: out.kind = Attribute::Kind::Float; out.f = a.f(); break;
    case AP::STRING: out.kind = Attribute::Kind::String; out.s = a.s(); break;
    case AP::TENSOR: out.kind = Attribute::Kind::Tensor; out.t = tensor_from_proto(a.t(), what); break;
    case AP::INTS:
      out.kind = Attribute::Kind::Ints;
      out.ints.assign(a.ints().begin(), a.ints().end());
      break;
    case AP::FLOATS:
      out.kind = Attribute::Kind::Floats;
      out.floats.assign(a.floats().begin(), a.floats().end());
      break;
    case AP::STRINGS:
      out.kind = Attribute::Kind::Strings;
      out.strings.assign(a.strings().begin(), a.strings().end());
      break;
    case AP::GRAPH:
    case AP::GRAPHS:
      throw Error(what + " is a subgraph; octet does not support control flow or subgraphs");
    case AP::UNDEFINED: throw Error(what + " has no type and no value");
    default:
      throw Error(what + " has attribute type " + std::to_string(static_cast<int>(a.type())) +
                  " (sparse tensor, tensor list or type), which octet does not support");
  }
  return out;
}

class Importer {
 public:
  Graph run(const onnx::ModelProto& model) {
    if (!model.has_graph()) throw Error("not a valid ONNX model (no graph)");
    const onnx::GraphProto& gp = model.graph();
    g_.name = gp.name();
    g_.opset = default_opset(model);
    g_.producer = model.producer_name();
    if (!model.producer_version().empty())
      g_.producer += (g_.producer.empty() ? "" : " ") + model.producer_version();

    if (gp.sparse_initializer_size() > 0)
      throw Error("sparse initializer '" + gp.sparse_initializer(0).values().name() +
                  "': sparse tensors are not supported by octet");
    std::unordered_set<std::string> initializer_names;
    for (const auto& init : gp.initializer()) initializer_names.insert(init.name());

    add_inputs(gp, initializer_names);
    add_initializers(gp);
    add_nodes(gp);
    add_outputs(gp);
    for (const auto& info : gp.value_info()) apply_value_info(info);
    g_.sort_topologically();
    return std::move(g_);
  }

 private:
  void apply_value_info(const onnx::ValueInfoProto& info) {
    auto it = ids_.find(info.name());
    if (it == ids_.end()) return;   // declarations of unused names are harmless
    Value& v = g_.value(it->second);
    if (!v.constant && !is_graph_input(it->second)) apply_declared_type(info, v);
  }

  bool is_graph_input(int id) const {
    for (int in : g_.inputs)
      if (in == id) return true;
    return false;
  }

  int add_named(Value v, const std::string& role) {
    if (v.name.empty()) throw Error(role + " without a name");
    auto [it, fresh] = ids_.emplace(v.name, static_cast<int>(g_.values.size()));
    if (!fresh) throw Error(role + " '" + v.name + "' is defined twice");
    return g_.add_value(std::move(v));
  }

  void add_inputs(const onnx::GraphProto& gp, const std::unordered_set<std::string>& initializer_names) {
    for (const auto& in : gp.input()) {
      // Models from before IR version 4 also list every initializer as a graph input; those
      // are weights, not run-time inputs.
      if (initializer_names.count(in.name())) continue;
      const std::string what = "graph input '" + in.name() + "'";
      if (!in.has_type() || !in.type().has_tensor_type())
        throw Error(what + " is not a tensor; octet supports tensor inputs only");
      Value v;
      v.name = in.name();
      read_tensor_type(in.type().tensor_type(), what, v);
      g_.inputs.push_back(add_named(std::move(v), "graph input"));
    }
  }

  void add_initializers(const onnx::GraphProto& gp) {
    for (const auto& init : gp.initializer()) {
      Value v;
      v.name = init.name();
      v.constant = tensor_from_proto(init, "initializer '" + init.name() + "'");
      v.dtype = v.constant->dtype;
      v.shape = Shape::of(v.constant->dims);
      add_named(std::move(v), "initializer");
    }
  }

  void add_nodes(const onnx::GraphProto& gp) {
    // Outputs first, so that inputs may name values of nodes listed later: ONNX requires a
    // topological order, but a cycle is then reported by sort_topologically with a clear message.
    for (int i = 0; i < gp.node_size(); ++i) g_.nodes.push_back(make_node(gp.node(i), i));
    for (int i = 0; i < gp.node_size(); ++i) resolve_inputs(gp.node(i), g_.nodes[static_cast<size_t>(i)]);
  }

  Node make_node(const onnx::NodeProto& np, int index) {
    Node node;
    node.name = node_name(np, index);
    check_domain(np, index);
    std::optional<OpKind> kind = op_from_onnx_name(np.op_type());
    if (!kind)
      throw Error("node '" + node.name + "' (" + np.op_type() + ", opset " + std::to_string(g_.opset) +
                  "): operator " + np.op_type() + " is not supported by octet");
    node.op = *kind;
    const std::string where = g_.describe(node);
    const OpInfo& info = op_info(node.op);
    if (g_.opset < info.min_opset || g_.opset > info.max_opset)
      throw Error(where + ": octet implements " + std::string(info.onnx_name) + " for opsets " +
                  std::to_string(info.min_opset) + " to " + std::to_string(info.max_opset) + " only");

    for (const auto& a : np.attribute()) {
      if (!node.attrs.emplace(a.name(), attribute_from_proto(a, where)).second)
        throw Error(where + ": attribute '" + a.name() + "' is given twice");
    }

    // Trailing empty output names are omitted optional outputs; an empty name in the middle
    // still holds a position, so it gets a private value nobody can refer to.
    int count = np.output_size();
    while (count > 0 && np.output(count - 1).empty()) --count;
    for (int o = 0; o < count; ++o) {
      Value v;
      v.name = np.output(o).empty() ? node.name + ":unused_output_" + std::to_string(o) : np.output(o);
      auto it = ids_.find(v.name);
      if (it != ids_.end()) {
        auto prod = producer_of_.find(v.name);
        const int other = prod == producer_of_.end() ? -1 : prod->second;
        // `other` is this node's own index (not yet in g_.nodes) when it names an output twice.
        const bool itself = other == static_cast<int>(g_.nodes.size());
        throw Error(where + ": output '" + v.name + "' is already " +
                    (itself       ? std::string("an earlier output of this node")
                     : other >= 0 ? "produced by node '" + g_.nodes[static_cast<size_t>(other)].name + "'"
                                  : std::string(g_.value(it->second).constant ? "an initializer" : "a graph input")));
      }
      producer_of_[v.name] = static_cast<int>(g_.nodes.size());
      node.outputs.push_back(add_named(std::move(v), "value"));
    }
    return node;
  }

  void resolve_inputs(const onnx::NodeProto& np, Node& node) {
    for (const std::string& name : np.input()) {
      if (name.empty()) {
        node.inputs.push_back(kNoValue);
        continue;
      }
      auto it = ids_.find(name);
      if (it == ids_.end())
        throw Error(g_.describe(node) + ": input '" + name +
                    "' is not defined (no graph input, initializer or node output has that name)");
      node.inputs.push_back(it->second);
    }
    check_onnx_signature(g_, node);
  }

  void add_outputs(const onnx::GraphProto& gp) {
    for (const auto& out : gp.output()) {
      auto it = ids_.find(out.name());
      if (it == ids_.end())
        throw Error("graph output '" + out.name() + "' is not produced by any node, nor a graph input or initializer");
      Value& v = g_.value(it->second);
      if (!v.constant && !is_graph_input(it->second)) apply_declared_type(out, v);
      g_.outputs.push_back(it->second);
    }
    if (g_.outputs.empty()) throw Error("the graph declares no outputs");
  }

  Graph g_;
  std::unordered_map<std::string, int> ids_;          // value name → value id
  std::unordered_map<std::string, int> producer_of_;  // value name → index of producing node
};

}  // namespace

Graph import_onnx_bytes(std::span<const uint8_t> bytes, const std::string& source_name) {
  if (bytes.empty()) throw Error(source_name + ": empty file, not an ONNX model");
  if (bytes.size() > static_cast<size_t>(std::numeric_limits<int>::max()))
    throw Error(source_name + ": larger than 2 GB, which protobuf cannot parse; use external data");
  try {
    onnx::ModelProto model;
    if (!model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
      throw Error("not a valid ONNX model (protobuf parse failed)");
    return Importer().run(model);
  } catch (const std::bad_alloc&) {
    throw Error(source_name + ": out of memory while importing");
  } catch (const std::exception& e) {
    throw Error(source_name + ": " + e.what());
  }
}

Graph import_onnx_file(const std::string& path) {
  std::vector<uint8_t> bytes = read_whole_file(path, kMaxModelFileBytes);
  return import_onnx_bytes(bytes, path);
}

}  // namespace octet
