#include "tools/zoo/npy.h"

#include <cstring>
#include <fstream>
#include <iterator>
#include <regex>

#include "engine/runtime/error.h"

namespace octet::zoo {

namespace {
constexpr char kMagic[] = "\x93NUMPY";
}

NpyArray read_npy(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw Error(path + ": cannot open");
  const std::vector<char> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (bytes.size() < 10 || std::memcmp(bytes.data(), kMagic, 6) != 0) throw Error(path + ": not a .npy file");
  const int major = static_cast<unsigned char>(bytes[6]);
  const size_t len_bytes = major == 1 ? 2 : 4;
  size_t header_len = 0;
  for (size_t i = 0; i < len_bytes; ++i) header_len |= size_t{static_cast<unsigned char>(bytes[8 + i])} << (8 * i);
  const size_t data_at = 8 + len_bytes + header_len;
  if (data_at > bytes.size()) throw Error(path + ": truncated .npy header");
  const std::string header(bytes.data() + 8 + len_bytes, header_len);
  std::smatch m;
  if (!std::regex_search(header, m, std::regex("'descr':\\s*'([^']*)'")) || m[1] != "<f4")
    throw Error(path + ": only float32 little-endian ('<f4') .npy files are read");
  if (!std::regex_search(header, m, std::regex("'fortran_order':\\s*(\\w+)")) || m[1] != "False")
    throw Error(path + ": only C-order .npy files are read");
  if (!std::regex_search(header, m, std::regex("'shape':\\s*\\(([^)]*)\\)"))) throw Error(path + ": no shape");
  NpyArray a;
  const std::string dims = m[1];
  const std::regex number("\\d+");
  int64_t count = 1;
  for (auto it = std::sregex_iterator(dims.begin(), dims.end(), number); it != std::sregex_iterator(); ++it) {
    a.dims.push_back(std::stoll(it->str()));
    count *= a.dims.back();
  }
  if (bytes.size() - data_at != static_cast<size_t>(count) * sizeof(float))
    throw Error(path + ": data size does not match the shape");
  a.values.resize(static_cast<size_t>(count));
  std::memcpy(a.values.data(), bytes.data() + data_at, a.values.size() * sizeof(float));
  return a;
}

}  // namespace octet::zoo
