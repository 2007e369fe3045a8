// CIFAR-10 binary record reader, format detection and input tensor building. The pickle
// reader lives in cifar_pickle.cpp.
#include "tools/datasets/cifar.h"

#include <algorithm>
#include <cstring>

#include "engine/runtime/error.h"
#include "engine/runtime/read_file.h"

namespace octet {

std::span<const uint8_t> CifarSet::image(size_t i) const {
  if (i >= size()) throw Error("CIFAR image " + std::to_string(i) + " out of range (set has " + std::to_string(size()) + ")");
  return {pixels.data() + i * kCifarPixels, kCifarPixels};
}

CifarFormat parse_cifar_format(const std::string& s) {
  if (s == "auto") return CifarFormat::Auto;
  if (s == "bin" || s == "binary") return CifarFormat::Binary;
  if (s == "pickle") return CifarFormat::Pickle;
  throw Error("unknown CIFAR format '" + s + "' (expected auto, bin or pickle)");
}

const char* cifar_format_name(CifarFormat f) {
  switch (f) {
    case CifarFormat::Auto: return "auto";
    case CifarFormat::Binary: return "binary";
    case CifarFormat::Pickle: return "pickle";
  }
  return "?";
}

CifarFormat detect_cifar_format(std::span<const uint8_t> bytes, const std::string& source_name) {
  if (bytes.empty()) throw Error(source_name + ": empty file, not a CIFAR-10 dataset");
  if (bytes[0] == 0x80) return CifarFormat::Pickle;
  if (bytes[0] < kCifarClasses) return CifarFormat::Binary;
  throw Error(source_name + ": not a CIFAR-10 file (starts with byte " + std::to_string(bytes[0]) +
              ": neither a label 0..9 of the binary format nor a pickle PROTO opcode)");
}

CifarSet parse_cifar_binary(std::span<const uint8_t> bytes, const std::string& source_name, size_t limit) {
  if (bytes.empty()) throw Error(source_name + ": empty file, no CIFAR-10 records");
  if (bytes.size() % kCifarRecordBytes != 0)
    throw Error(source_name + ": size " + std::to_string(bytes.size()) +
                " bytes is not a multiple of the 3073-byte CIFAR-10 record (truncated or not a CIFAR-10 binary file)");
  const size_t n = std::min(bytes.size() / kCifarRecordBytes, limit);
  CifarSet set;
  set.labels.resize(n);
  set.pixels.resize(n * kCifarPixels);
  for (size_t i = 0; i < n; ++i) {
    const uint8_t* rec = bytes.data() + i * kCifarRecordBytes;
    if (rec[0] >= kCifarClasses)
      throw Error(source_name + ": record " + std::to_string(i) + " has label " + std::to_string(rec[0]) +
                  " (expected 0..9; CIFAR-100 files are not supported)");
    set.labels[i] = rec[0];
    std::memcpy(set.pixels.data() + i * kCifarPixels, rec + 1, kCifarPixels);
  }
  return set;
}

CifarSet read_cifar_file(const std::string& path, CifarFormat format, size_t limit, CifarFormat* detected) {
  std::vector<uint8_t> bytes = read_whole_file(path, kMaxCifarFileBytes);
  if (format == CifarFormat::Auto) format = detect_cifar_format(bytes, path);
  if (detected) *detected = format;
  return format == CifarFormat::Pickle ? parse_cifar_pickle(bytes, path, limit) : parse_cifar_binary(bytes, path, limit);
}

std::array<int64_t, kCifarClasses> cifar_class_counts(const CifarSet& set) {
  std::array<int64_t, kCifarClasses> counts{};
  for (uint8_t l : set.labels)
    if (l < kCifarClasses) ++counts[l];
  return counts;
}

const char* image_layout_name(ImageLayout l) { return l == ImageLayout::NHWC ? "NHWC" : "NCHW"; }

ImageLayout layout_from_input_shape(const Shape& shape, const std::string& input_name) {
  auto is = [&](size_t i, int64_t v) { return shape.dims[i].is_known() && shape.dims[i].value == v; };
  if (shape.has_rank && shape.dims.size() == 4) {
    if (is(1, 32) && is(2, 32) && is(3, 3)) return ImageLayout::NHWC;
    if (is(1, 3) && is(2, 32) && is(3, 32)) return ImageLayout::NCHW;
  }
  throw Error("model input '" + input_name + "' has shape " + shape.to_string() +
              "; expected a CIFAR-10 image batch [N,32,32,3] (NHWC) or [N,3,32,32] (NCHW)");
}

Tensor make_cifar_input(const CifarSet& set, size_t first, size_t count, ImageLayout layout, size_t batch) {
  if (first > set.size() || count > set.size() - first)
    throw Error("images [" + std::to_string(first) + ", " + std::to_string(first + count) + ") out of range (set has " +
                std::to_string(set.size()) + ")");
  if (count > batch) throw Error("cannot fit " + std::to_string(count) + " images in a batch of " + std::to_string(batch));
  const auto b = static_cast<int64_t>(batch);
  Tensor t(DType::Float32, layout == ImageLayout::NHWC ? std::vector<int64_t>{b, 32, 32, 3}
                                                       : std::vector<int64_t>{b, 3, 32, 32});
  float* out = t.data<float>();
  for (size_t i = 0; i < count; ++i) {
    const uint8_t* src = set.pixels.data() + (first + i) * kCifarPixels;
    float* dst = out + i * kCifarPixels;
    if (layout == ImageLayout::NCHW) {
      for (size_t k = 0; k < kCifarPixels; ++k) dst[k] = src[k];   // the file is already CHW
    } else {
      for (size_t c = 0; c < 3; ++c)
        for (size_t p = 0; p < 1024; ++p) dst[p * 3 + c] = src[c * 1024 + p];
    }
  }
  return t;
}

}  // namespace octet
