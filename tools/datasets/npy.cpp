#include "tools/datasets/npy.h"

#include <bit>
#include <cctype>
#include <cstring>
#include <fstream>

#include "engine/runtime/error.h"
#include "engine/runtime/read_file.h"

namespace octet {
namespace {

static_assert(std::endian::native == std::endian::little, "'<f4' data is copied as native floats");

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicBytes = 6;

// The text after `'key':` in the header dict, spaces skipped; throws when the key is absent.
size_t value_at(const std::string& header, const std::string& key, const std::string& source) {
  const size_t k = header.find("'" + key + "'");
  if (k == std::string::npos) throw Error(source + ": the .npy header has no '" + key + "' entry");
  size_t at = header.find(':', k);
  if (at == std::string::npos) throw Error(source + ": malformed .npy header entry '" + key + "'");
  ++at;
  while (at < header.size() && header[at] == ' ') ++at;
  return at;
}

std::string descr_of(const std::string& header, const std::string& source) {
  const size_t at = value_at(header, "descr", source);
  const char quote = at < header.size() ? header[at] : '\0';
  const size_t end = quote == '\'' || quote == '"' ? header.find(quote, at + 1) : std::string::npos;
  if (end == std::string::npos) throw Error(source + ": malformed 'descr' in the .npy header");
  return header.substr(at + 1, end - at - 1);
}

bool fortran_order_of(const std::string& header, const std::string& source) {
  const size_t at = value_at(header, "fortran_order", source);
  if (header.compare(at, 4, "True") == 0) return true;
  if (header.compare(at, 5, "False") == 0) return false;
  throw Error(source + ": malformed 'fortran_order' in the .npy header");
}

std::vector<int64_t> shape_of(const std::string& header, const std::string& source) {
  const size_t at = value_at(header, "shape", source);
  const size_t end = header.find(')', at);
  if (at >= header.size() || header[at] != '(' || end == std::string::npos)
    throw Error(source + ": malformed 'shape' in the .npy header");
  std::vector<int64_t> dims;
  size_t i = at + 1;
  while (i < end) {
    if (header[i] == ' ' || header[i] == ',') { ++i; continue; }
    if (!std::isdigit(static_cast<unsigned char>(header[i]))) throw Error(source + ": malformed 'shape' in the .npy header");
    int64_t d = 0;
    for (; i < end && std::isdigit(static_cast<unsigned char>(header[i])); ++i) {
      d = d * 10 + (header[i] - '0');
      if (d > kMaxTensorElements) throw Error(source + ": a dimension of the .npy shape is too large");
    }
    dims.push_back(d);
  }
  return dims;
}

std::string dtype_hint(const std::string& descr) {
  if (descr == "<f8") return " (float64)";
  if (descr == ">f4") return " (big-endian float32)";
  if (descr == "<f2") return " (float16)";
  if (descr == "|u1") return " (uint8)";
  if (descr == "<i8") return " (int64)";
  if (descr == "<i4") return " (int32)";
  return "";
}

}  // namespace

Tensor parse_npy(std::span<const uint8_t> bytes, const std::string& source) {
  if (bytes.size() < kMagicBytes + 4 || std::memcmp(bytes.data(), kMagic, kMagicBytes) != 0)
    throw Error(source + ": not a .npy file (no \\x93NUMPY magic)");
  const int major = bytes[6];
  if (major < 1 || major > 3)
    throw Error(source + ": .npy format version " + std::to_string(major) + " (octet reads versions 1 to 3)");
  const size_t len_bytes = major == 1 ? 2 : 4;
  const size_t header_at = 8 + len_bytes;
  if (bytes.size() < header_at) throw Error(source + ": truncated .npy header");
  size_t header_len = 0;
  for (size_t i = 0; i < len_bytes; ++i) header_len |= size_t{bytes[8 + i]} << (8 * i);
  if (header_len > kMaxNpyHeaderBytes)
    throw Error(source + ": .npy header of " + std::to_string(header_len) + " bytes is longer than the " +
                std::to_string(kMaxNpyHeaderBytes) + " octet reads");
  if (bytes.size() < header_at + header_len) throw Error(source + ": truncated .npy header");
  const std::string header(reinterpret_cast<const char*>(bytes.data() + header_at), header_len);
  const std::string descr = descr_of(header, source);
  if (descr != "<f4")
    throw Error(source + ": dtype '" + descr + "'" + dtype_hint(descr) +
                "; octet reads float32 ('<f4') only: save x.astype(np.float32)");
  if (fortran_order_of(header, source))
    throw Error(source + ": Fortran-order array; octet reads C order only: save np.ascontiguousarray(x)");
  Tensor t(DType::Float32, shape_of(header, source));   // checks the element count
  const size_t data_at = header_at + header_len;
  const size_t have = bytes.size() - data_at;
  if (have != t.bytes.size())
    throw Error(source + ": " + (have < t.bytes.size() ? "truncated: " : "trailing bytes: ") + "the shape " +
                dims_to_string(t.dims) + " needs " + std::to_string(t.bytes.size()) + " bytes of data, the file has " +
                std::to_string(have));
  if (!t.bytes.empty()) std::memcpy(t.bytes.data(), bytes.data() + data_at, t.bytes.size());
  return t;
}

Tensor read_npy(const std::string& path) { return parse_npy(read_whole_file(path, kMaxNpyFileBytes), path); }

std::vector<uint8_t> format_npy(const Tensor& tensor) {
  if (tensor.dtype != DType::Float32)
    throw Error(std::string("format_npy: a ") + dtype_name(tensor.dtype) + " tensor; .npy files are written as float32");
  std::string shape = "(";
  for (size_t i = 0; i < tensor.dims.size(); ++i) shape += (i ? ", " : "") + std::to_string(tensor.dims[i]);
  shape += tensor.dims.size() == 1 ? ",)" : ")";
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
  const size_t unpadded = kMagicBytes + 4 + header.size() + 1;   // magic, version, length, header, '\n'
  header.append((64 - unpadded % 64) % 64, ' ');
  header += '\n';
  if (header.size() > 0xffff) throw Error("format_npy: the shape " + dims_to_string(tensor.dims) + " is too long");
  std::string prefix(kMagic, kMagicBytes);
  prefix += {'\x01', '\x00', static_cast<char>(header.size() & 0xff), static_cast<char>(header.size() >> 8)};
  prefix += header;
  std::vector<uint8_t> out(prefix.size() + tensor.bytes.size());
  std::memcpy(out.data(), prefix.data(), prefix.size());
  if (!tensor.bytes.empty()) std::memcpy(out.data() + prefix.size(), tensor.bytes.data(), tensor.bytes.size());
  return out;
}

void write_npy(const std::string& path, const Tensor& tensor) {
  const std::vector<uint8_t> bytes = format_npy(tensor);
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f) throw Error(path + ": cannot open for writing");
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  f.close();
  if (!f) throw Error(path + ": write failed");
}

}  // namespace octet
