// TensorProto → Tensor, and the readers for serialized TensorProto files.
#include <bit>
#include <limits>

#include "graph/onnx_import.h"
#include "graph/onnx_import_detail.h"
#include "engine/runtime/read_file.h"

namespace octet::onnx_detail {

namespace {

static_assert(std::endian::native == std::endian::little,
              "raw_data is little-endian and is copied as is: octet supports little-endian hosts only");

// Copies a typed repeated field (float_data, int32_data, ...) into the tensor, narrowing
// each element to the tensor's type: int32_data carries int8/uint8/int16/uint16/bool too.
template <typename Out, typename Field>
void fill_typed(Tensor& t, const Field& field) {
  Out* out = t.data<Out>();
  for (int i = 0; i < field.size(); ++i) {
    if constexpr (std::is_same_v<Out, bool>)
      out[i] = field.Get(i) != 0;
    else
      out[i] = static_cast<Out>(field.Get(i));
  }
}

// Element count of the typed field that holds `dtype`'s values (ONNX's TensorProto rules).
int typed_count(const onnx::TensorProto& p, DType dtype, const char** field_name) {
  switch (dtype) {
    case DType::Float32: *field_name = "float_data"; return p.float_data_size();
    case DType::Float64: *field_name = "double_data"; return p.double_data_size();
    case DType::Int64: *field_name = "int64_data"; return p.int64_data_size();
    case DType::Uint32:
    case DType::Uint64: *field_name = "uint64_data"; return p.uint64_data_size();
    default: *field_name = "int32_data"; return p.int32_data_size();
  }
}

}  // namespace

Tensor tensor_from_proto(const onnx::TensorProto& p, const std::string& what) {
  if (!p.has_data_type() || p.data_type() == onnx::TensorProto::UNDEFINED)
    throw Error(what + ": no element type (data_type) given");
  const int code = p.data_type();
  if (code < 0 || code > static_cast<int>(DType::BFloat16))
    throw Error(what + ": unknown element type " + std::to_string(code));
  const DType dtype = static_cast<DType>(code);
  if (!dtype_supported(dtype))
    throw Error(what + ": element type " + dtype_name(dtype) + " is not supported by octet");

  if (p.data_location() == onnx::TensorProto::EXTERNAL || p.external_data_size() > 0) {
    std::string location;
    for (const auto& kv : p.external_data())
      if (kv.key() == "location") location = kv.value();
    throw Error(what + ": stored as external data" + (location.empty() ? "" : " ('" + location + "')") +
                ", which octet does not read; save the model with its weights embedded "
                "(onnx.save_model(model, path, save_as_external_data=False))");
  }
  if (p.has_segment()) throw Error(what + ": segmented tensors are not supported");

  std::vector<int64_t> dims(p.dims().begin(), p.dims().end());
  int64_t numel = 0;
  try {
    numel = checked_numel(dims);   // refuses absurd shapes before anything is allocated
  } catch (const Error& e) {
    throw Error(what + ": " + e.what());
  }
  const size_t esize = dtype_size(dtype);
  const std::string described = what + " (" + dtype_name(dtype) + " " + dims_to_string(dims) + ")";

  if (p.has_raw_data()) {
    // numel <= 2^31 and esize <= 8: the product cannot overflow.
    const uint64_t want = static_cast<uint64_t>(numel) * esize;
    if (p.raw_data().size() != want)
      throw Error(described + ": raw_data holds " + std::to_string(p.raw_data().size()) +
                  " bytes, the shape needs " + std::to_string(want));
    Tensor t(dtype, std::move(dims));
    if (want) std::memcpy(t.bytes.data(), p.raw_data().data(), want);
    if (dtype == DType::Bool)   // any non-zero byte is true; keep octet's bools 0/1
      for (uint8_t& b : t.bytes) b = b != 0;
    return t;
  }

  const char* field = "";
  const int count = typed_count(p, dtype, &field);
  if (count != numel)
    throw Error(described + ": " + field + " holds " + std::to_string(count) + " values, the shape needs " +
                std::to_string(numel));
  Tensor t(dtype, std::move(dims));
  switch (dtype) {
    case DType::Float32: fill_typed<float>(t, p.float_data()); break;
    case DType::Float64: fill_typed<double>(t, p.double_data()); break;
    case DType::Int64: fill_typed<int64_t>(t, p.int64_data()); break;
    case DType::Uint64: fill_typed<uint64_t>(t, p.uint64_data()); break;
    case DType::Uint32: fill_typed<uint32_t>(t, p.uint64_data()); break;
    case DType::Int32: fill_typed<int32_t>(t, p.int32_data()); break;
    case DType::Int16: fill_typed<int16_t>(t, p.int32_data()); break;
    case DType::Uint16: fill_typed<uint16_t>(t, p.int32_data()); break;
    case DType::Int8: fill_typed<int8_t>(t, p.int32_data()); break;
    case DType::Uint8: fill_typed<uint8_t>(t, p.int32_data()); break;
    case DType::Bool: fill_typed<bool>(t, p.int32_data()); break;
    default: throw Error(what + ": element type " + dtype_name(dtype) + " is not supported by octet");
  }
  return t;
}

}  // namespace octet::onnx_detail

namespace octet {

Tensor import_onnx_tensor_bytes(std::span<const uint8_t> bytes, const std::string& source_name) {
  if (bytes.empty()) throw Error(source_name + ": empty file, not a serialized ONNX tensor");
  if (bytes.size() > static_cast<size_t>(std::numeric_limits<int>::max()))
    throw Error(source_name + ": larger than 2 GB, which protobuf cannot parse");
  onnx::TensorProto proto;
  if (!proto.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    throw Error(source_name + ": not a valid ONNX tensor (protobuf parse failed)");
  const std::string what = proto.name().empty() ? "tensor" : "tensor '" + proto.name() + "'";
  try {
    return onnx_detail::tensor_from_proto(proto, what);
  } catch (const Error& e) {
    throw Error(source_name + ": " + e.what());
  }
}

Tensor import_onnx_tensor_file(const std::string& path) {
  std::vector<uint8_t> bytes = read_whole_file(path, kMaxModelFileBytes);
  return import_onnx_tensor_bytes(bytes, path);
}

}  // namespace octet
