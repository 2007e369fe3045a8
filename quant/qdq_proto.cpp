#include "quant/qdq_proto.h"

namespace octet::quant::qdq {

void tensor_to_proto(const Tensor& t, const std::string& name, onnx::TensorProto* out) {
  if (dtype_size(t.dtype) == 0) throw Error("tensor '" + name + "': element type " + dtype_name(t.dtype) + " cannot be written");
  out->set_name(name);
  out->set_data_type(static_cast<int32_t>(t.dtype));   // octet's DType numbers are ONNX's
  for (int64_t d : t.dims) out->add_dims(d);
  out->set_raw_data(std::string(t.bytes.begin(), t.bytes.end()));   // little-endian, as raw_data is
}

void attribute_to_proto(const std::string& name, const Attribute& a, onnx::AttributeProto* out) {
  using AP = onnx::AttributeProto;
  out->set_name(name);
  switch (a.kind) {
    case Attribute::Kind::Int: out->set_type(AP::INT); out->set_i(a.i); break;
    case Attribute::Kind::Float: out->set_type(AP::FLOAT); out->set_f(a.f); break;
    case Attribute::Kind::String: out->set_type(AP::STRING); out->set_s(a.s); break;
    case Attribute::Kind::Tensor:
      out->set_type(AP::TENSOR);
      tensor_to_proto(*a.t, "", out->mutable_t());
      break;
    case Attribute::Kind::Ints:
      out->set_type(AP::INTS);
      for (int64_t v : a.ints) out->add_ints(v);
      break;
    case Attribute::Kind::Floats:
      out->set_type(AP::FLOATS);
      for (float v : a.floats) out->add_floats(v);
      break;
    case Attribute::Kind::Strings:
      out->set_type(AP::STRINGS);
      for (const std::string& v : a.strings) out->add_strings(v);
      break;
  }
}

void value_info_to_proto(const Value& v, const std::string& name, onnx::ValueInfoProto* out) {
  out->set_name(name);
  onnx::TypeProto_Tensor* tt = out->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(static_cast<int32_t>(v.dtype == DType::Undefined ? DType::Float32 : v.dtype));
  if (!v.shape.has_rank) return;
  onnx::TensorShapeProto* shape = tt->mutable_shape();
  for (const Dim& d : v.shape.dims) {
    onnx::TensorShapeProto_Dimension* dim = shape->add_dim();
    if (d.is_known()) dim->set_dim_value(d.value);
    else if (!d.symbol.empty()) dim->set_dim_param(d.symbol);
  }
}

int64_t ir_version_for_opset(int opset) {
  if (opset <= 14) return 7;
  if (opset <= 18) return 8;
  if (opset <= 20) return 9;
  return 10;
}

}  // namespace octet::quant::qdq
