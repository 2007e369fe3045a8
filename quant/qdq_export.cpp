// export_qdq: the layout is described in quant/qdq_export.h.
#include "quant/qdq_export.h"

#include <fstream>
#include <set>

#include "graph/passes/passes.h"
#include "octet/version.h"
#include "quant/qdq_detail.h"
#include "quant/qdq_proto.h"
#include "quant/scheme.h"

namespace octet::quant {

namespace {

using namespace qdq;

std::string str(std::string_view s) { return std::string(s); }

// Ops whose output ONNX Runtime quantizes with its input's scale and zero point
// (QDQDirect8BitOp and QDQMaxPool): they share the input's initializers.
bool shares_input_params(OpKind op) {
  return op == OpKind::Reshape || op == OpKind::Transpose || op == OpKind::Squeeze || op == OpKind::Unsqueeze ||
         op == OpKind::AveragePool || op == OpKind::MaxPool || op == OpKind::Slice;
}

class Exporter {
 public:
  explicit Exporter(Graph g) : g_(std::move(g)) {}

  std::string run() {
    check();
    upgrade_to_opset13(g_);
    readers_ = consumers(g_);
    producer_ = g_.producers();
    read_.assign(g_.values.size(), "");
    write_.assign(g_.values.size(), "");
    params_.assign(g_.values.size(), {});
    alias_.resize(g_.values.size());
    for (size_t v = 0; v < alias_.size(); ++v) alias_[v] = static_cast<int>(v);
    for (const Value& v : g_.values) used_.insert(v.name);
    find_dropped_relus();

    model_.set_ir_version(ir_version_for_opset(g_.opset));
    model_.set_producer_name("octet");
    model_.set_producer_version(OCTET_VERSION);
    onnx::OperatorSetIdProto* op = model_.add_opset_import();
    op->set_domain("");
    op->set_version(g_.opset);
    gp_ = model_.mutable_graph();
    gp_->set_name(g_.name.empty() ? "octet" : g_.name);

    for (int id : g_.inputs) {
      value_info_to_proto(g_.value(id), g_.value(id).name, gp_->add_input());
      name_activation(id);
      if (g_.value(id).quant) add_pair(id, kNoValue);
    }
    for (size_t i = 0; i < g_.nodes.size(); ++i) {
      if (dropped_[i]) continue;
      add_node(g_.nodes[i]);
    }
    for (int id : g_.outputs) value_info_to_proto(g_.value(id), read(id), gp_->add_output());
    std::string bytes;
    if (!model_.SerializeToString(&bytes)) throw Error("export_qdq: serializing the model failed");
    return bytes;
  }

 private:
  void check() const {
    for (const Node& n : g_.nodes) {
      if (n.epilogue.fused() || (n.op == OpKind::Conv && n.has_input(3)))
        throw Error("export_qdq: " + g_.describe(n) +
                    " is octet's fused Conv form (a residual input or fused activation), which ONNX has no "
                    "operator for; export the annotated graph before fuse_conv_epilogue");
    }
    for (const Value& v : g_.values) {
      if (!v.quant) continue;
      if (v.dtype != DType::Float32 && v.dtype != DType::Undefined)
        throw Error("export_qdq: value '" + v.name + "' of type " + dtype_name(v.dtype) +
                    " carries quantization parameters; only float32 values can be quantized");
      const DType t = v.quant->dtype;
      if (t != DType::Uint8 && t != DType::Int8 && !(t == DType::Int32 && v.constant))
        throw Error("export_qdq: value '" + v.name + "' is quantized to " + dtype_name(t) +
                    " (uint8 and int8; int32 for constant biases only)");
    }
  }

  // A Relu between identical parameters whose zero point is the type's minimum: ONNX
  // Runtime's quantizer removes it and lets the producer write the Relu's output.
  void find_dropped_relus() {
    dropped_.assign(g_.nodes.size(), false);
    for (size_t i = 0; i < g_.nodes.size(); ++i) {
      const Node& r = g_.nodes[i];
      if (r.op != OpKind::Relu) continue;
      const int x = r.inputs.at(0), y = r.outputs.at(0);
      const Value &xv = g_.value(x), &yv = g_.value(y);
      if (!xv.quant || !yv.quant || *xv.quant != *yv.quant || xv.quant->zero_point != qmin(xv.quant->dtype)) continue;
      if (xv.constant || readers_[static_cast<size_t>(x)].size() != 1 || is_graph_output(g_, x) ||
          is_graph_input(g_, x) || producer_[static_cast<size_t>(x)] == kNoValue)
        continue;
      dropped_[i] = true;
      alias_[static_cast<size_t>(x)] = y;
    }
  }

  // A name for a tensor the export adds: ONNX Runtime's, unless the graph already uses it.
  std::string fresh(const std::string& name) {
    std::string unique = name;
    for (int k = 1; !used_.insert(unique).second; ++k) unique = name + "_" + std::to_string(k);
    return unique;
  }

  // Names the producer writes and readers read for a non-constant value (once).
  void name_activation(int id) {
    const Value& v = g_.value(id);
    if (!write_[static_cast<size_t>(id)].empty()) return;
    // A graph input keeps its name; a graph output is produced under its name.
    const bool q = v.quant.has_value(), out = is_graph_output(g_, id) && !is_graph_input(g_, id);
    write_[static_cast<size_t>(id)] = q && out ? fresh(v.name + str(kQuantInputSuffix)) : v.name;
    read_[static_cast<size_t>(id)] = q && !out ? fresh(v.name + str(kDequantOutputSuffix)) : v.name;
  }

  const std::string& read(int id) {
    id = alias_[static_cast<size_t>(id)];
    if (read_[static_cast<size_t>(id)].empty() && g_.value(id).constant) add_constant(id);
    return read_[static_cast<size_t>(id)];
  }

  void add_initializer(const Tensor& t, const std::string& name) { tensor_to_proto(t, name, gp_->add_initializer()); }

  onnx::NodeProto* add_proto_node(const std::string& op, const std::string& name, std::vector<std::string> in,
                                  std::vector<std::string> out) {
    onnx::NodeProto* p = gp_->add_node();
    p->set_op_type(op);
    p->set_name(name);
    for (const std::string& s : in) p->add_input(s);
    for (const std::string& s : out) p->add_output(s);
    return p;
  }

  // An initializer on first use: plain, or quantized behind a DequantizeLinear.
  void add_constant(int id) {
    const Value& v = g_.value(id);
    std::string& name = read_[static_cast<size_t>(id)];
    if (!v.quant) {
      add_initializer(*v.constant, v.name);
      name = v.name;
      return;
    }
    const QuantParams& p = *v.quant;
    if (v.constant->dtype != DType::Float32)
      throw Error("export_qdq: quantized constant '" + v.name + "' must hold float32 values");
    const bool bias = p.dtype == DType::Int32;
    const std::string base = v.name + str(kQuantizedSuffix);
    const std::string q = fresh(base);
    const std::string s = fresh(bias ? base + str(kScaleSuffix) : v.name + str(kScaleSuffix));
    const std::string z = fresh(bias ? base + str(kZeroPointSuffix) : v.name + str(kZeroPointSuffix));
    add_initializer(quantize_tensor(*v.constant, p), q);
    name = bias ? v.name : fresh(v.name + str(kDequantOutputSuffix));
    if (p.per_channel()) {
      // Per channel (ONNX Runtime's per_channel=True layout): 1-D scale and zero point, one
      // value per channel, and the DequantizeLinear's axis.
      const int64_t c = static_cast<int64_t>(p.channel_scales.size());
      add_initializer(Tensor::from<float>({c}, p.channel_scales), s);
      add_initializer(zero_point_tensor(p, {c}), z);
      Attribute axis;
      axis.i = p.axis;
      attribute_to_proto("axis", axis, add_proto_node("DequantizeLinear", v.name + str(kDequantSuffix), {q, s, z}, {name})
                                           ->add_attribute());
      return;
    }
    // ONNX Runtime writes a bias scale as a 1-element vector and every other scale as a scalar.
    add_initializer(bias ? Tensor::from<float>({1}, {p.scale}) : Tensor::from<float>({}, {p.scale}), s);
    add_initializer(zero_point_tensor(p), z);
    add_proto_node("DequantizeLinear", v.name + str(kDequantSuffix), {q, s, z}, {name});
  }

  // The zero point, as a scalar or repeated over `dims`.
  static Tensor zero_point_tensor(const QuantParams& p, std::vector<int64_t> dims = {}) {
    Tensor t(p.dtype, dims);
    for (int64_t i = 0; i < t.numel(); ++i) {
      if (p.dtype == DType::Uint8) t.data<uint8_t>()[i] = static_cast<uint8_t>(p.zero_point);
      else if (p.dtype == DType::Int8) t.data<int8_t>()[i] = static_cast<int8_t>(p.zero_point);
      else t.data<int32_t>()[i] = p.zero_point;
    }
    return t;
  }

  // QuantizeLinear -> DequantizeLinear after the value `id` (written by node `producer`).
  void add_pair(int id, int producer) {
    const Value& v = g_.value(id);
    const QuantParams& p = *v.quant;
    std::pair<std::string, std::string>& names = params_[static_cast<size_t>(id)];
    if (producer != kNoValue) {
      const Node& n = g_.nodes[static_cast<size_t>(producer)];
      const int in = n.inputs.empty() ? kNoValue : alias_[static_cast<size_t>(n.inputs[0])];
      if (shares_input_params(n.op) && in != kNoValue && g_.value(in).quant == v.quant &&
          !params_[static_cast<size_t>(in)].first.empty())
        names = params_[static_cast<size_t>(in)];
    }
    if (names.first.empty()) {
      names = {fresh(v.name + str(kScaleSuffix)), fresh(v.name + str(kZeroPointSuffix))};
      add_initializer(Tensor::from<float>({}, {p.scale}), names.first);
      add_initializer(zero_point_tensor(p), names.second);
    }
    const std::string q_out = fresh(v.name + str(kQuantOutputSuffix));
    add_proto_node("QuantizeLinear", v.name + str(kQuantSuffix), {write_[static_cast<size_t>(id)], names.first, names.second},
                   {q_out});
    add_proto_node("DequantizeLinear", v.name + str(kDequantSuffix), {q_out, names.first, names.second},
                   {read_[static_cast<size_t>(id)]});
  }

  void add_node(const Node& n) {
    std::vector<std::string> in;
    for (int id : n.inputs) in.push_back(id == kNoValue ? std::string() : read(id));   // may add DequantizeLinear
    std::vector<std::string> out;
    for (int id : n.outputs) {
      const int target = alias_[static_cast<size_t>(id)];
      name_activation(target);
      out.push_back(write_[static_cast<size_t>(target)]);
    }
    onnx::NodeProto* p = add_proto_node(str(op_name(n.op)), n.name, in, out);
    for (const auto& [key, attr] : n.attrs) attribute_to_proto(key, attr, p->add_attribute());
    const int index = static_cast<int>(&n - g_.nodes.data());
    for (int id : n.outputs) {
      const int target = alias_[static_cast<size_t>(id)];
      if (g_.value(target).quant) add_pair(target, index);
    }
  }

  Graph g_;
  onnx::ModelProto model_;
  onnx::GraphProto* gp_ = nullptr;
  std::vector<std::vector<int>> readers_;
  std::vector<int> producer_;
  std::vector<std::string> read_, write_;                    // per value id
  std::vector<std::pair<std::string, std::string>> params_;  // per value id: scale, zero point names
  std::vector<int> alias_;       // a dropped Relu's input -> its output
  std::set<std::string> used_;   // tensor names taken
  std::vector<bool> dropped_;    // per node
};

}  // namespace

std::string export_qdq(const Graph& annotated) {
  Graph g = annotated;
  infer_shapes(g);   // element types and shapes for the declarations and Softmax's upgrade
  return Exporter(std::move(g)).run();
}

void write_qdq_file(const Graph& annotated, const std::string& path) {
  const std::string bytes = export_qdq(annotated);
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f) throw Error(path + ": cannot open for writing");
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!f) throw Error(path + ": write error");
}

}  // namespace octet::quant
