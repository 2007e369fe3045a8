// CIFAR-10 datasets as octet's tools read them: the official binary record files
// (cifar-10-batches-bin) and the Python pickle batches (cifar-10-batches-py), and the model
// input tensors built from them.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "graph/ir.h"
#include "graph/tensor.h"

namespace octet {

inline constexpr int kCifarClasses = 10;
inline constexpr size_t kCifarPixels = 3072;                 // 3 planes of 32x32
inline constexpr size_t kCifarRecordBytes = 1 + kCifarPixels;  // binary format: label + pixels
inline constexpr size_t kNoLimit = std::numeric_limits<size_t>::max();
// Largest file read_cifar_file reads: the whole 60,000-image CIFAR-10 set is 184 MB in the
// binary format and about as much pickled, so anything past this is not a CIFAR-10 file.
inline constexpr uint64_t kMaxCifarFileBytes = uint64_t{256} << 20;

// Indexed by label.
inline constexpr std::array<std::string_view, kCifarClasses> kCifarClassNames = {
    "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"};

struct CifarSet {
  std::vector<uint8_t> labels;   // one per image, 0..9
  std::vector<uint8_t> pixels;   // size() * 3072, per image CHW planar (R, G, B planes) as in the files
  size_t size() const { return labels.size(); }
  // The 3072 pixel bytes of image i; throws octet::Error when i >= size().
  std::span<const uint8_t> image(size_t i) const;
};

enum class CifarFormat { Auto, Binary, Pickle };

// "auto" | "bin" | "binary" | "pickle"; throws octet::Error otherwise.
CifarFormat parse_cifar_format(const std::string& s);
const char* cifar_format_name(CifarFormat f);   // "auto", "binary", "pickle"

// The format of a file's content: a pickle starts with the PROTO opcode 0x80 (a binary
// record starts with a label 0..9). Anything else, or an empty buffer, throws.
CifarFormat detect_cifar_format(std::span<const uint8_t> bytes, const std::string& source_name);

// Parses binary records. The byte count must be a positive multiple of 3073 and every label
// in 0..9; otherwise throws octet::Error naming `source_name`. Keeps at most `limit` images.
CifarSet parse_cifar_binary(std::span<const uint8_t> bytes, const std::string& source_name, size_t limit = kNoLimit);

// Parses a pickled CIFAR-10 batch dict (see cifar_pickle.cpp for what is accepted). Throws
// octet::Error on anything malformed or unsupported; never reads out of bounds.
CifarSet parse_cifar_pickle(std::span<const uint8_t> bytes, const std::string& source_name, size_t limit = kNoLimit);

// Reads a file in either format. `format` Auto detects it from the content. Throws
// FileReadError (engine/runtime/read_file.h) for a directory, device, FIFO or a file over
// kMaxCifarFileBytes, before reading it.
CifarSet read_cifar_file(const std::string& path, CifarFormat format = CifarFormat::Auto, size_t limit = kNoLimit,
                         CifarFormat* detected = nullptr);

// Images per class, indexed by label.
std::array<int64_t, kCifarClasses> cifar_class_counts(const CifarSet& set);

// The model input layouts octet's tools feed CIFAR images in.
enum class ImageLayout { NHWC, NCHW };
const char* image_layout_name(ImageLayout l);

// [N,32,32,3] → NHWC, [N,3,32,32] → NCHW (N known or symbolic); anything else throws,
// naming the input and its shape.
ImageLayout layout_from_input_shape(const Shape& shape, const std::string& input_name);

// A float32 tensor of `batch` images (pixel values 0..255, not normalised: the bundled
// models take raw pixels) from images [first, first + count) of `set`. Rows past `count`
// (when batch > count, for models with a fixed batch size) are zero. Throws on a range
// outside the set or count > batch.
Tensor make_cifar_input(const CifarSet& set, size_t first, size_t count, ImageLayout layout, size_t batch);
inline Tensor make_cifar_input(const CifarSet& set, size_t first, size_t count, ImageLayout layout) {
  return make_cifar_input(set, first, count, layout, count);
}

}  // namespace octet
