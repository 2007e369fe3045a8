// The .npy reader and writer (tools/datasets/npy.h), the --input / --calib file arguments
// (npy_inputs.h) and the .npy calibration source (npy_calibration.h): round trips, numpy's
// own bytes, and each refusal with the file named.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "expect_error.h"
#include "tools/datasets/cifar.h"
#include "tools/datasets/cifar_calibration.h"
#include "tools/datasets/npy.h"
#include "tools/datasets/npy_calibration.h"
#include "tools/datasets/npy_inputs.h"

namespace octet {
namespace {

std::string temp_path(const std::string& name) {
  return ::testing::TempDir() + "/octet_npy_" + std::to_string(getpid()) + "_" + name;
}

Tensor counting(std::vector<int64_t> dims) {
  Tensor t(DType::Float32, std::move(dims));
  float* x = t.data<float>();
  for (int64_t i = 0; i < t.numel(); ++i) x[i] = 0.5f * static_cast<float>(i) - 3.25f;
  return t;
}

std::vector<uint8_t> bytes_of(const std::string& s) { return {s.begin(), s.end()}; }

// A version 1.0 file with `header` (padded as numpy pads it) and `data_bytes` zero bytes.
std::vector<uint8_t> npy_with_header(std::string header, size_t data_bytes) {
  header += std::string((64 - (10 + header.size() + 1) % 64) % 64, ' ') + "\n";
  std::string s = std::string("\x93NUMPY\x01\x00", 8);
  s += static_cast<char>(header.size() & 0xff);
  s += static_cast<char>(header.size() >> 8);
  s += header + std::string(data_bytes, '\0');
  return bytes_of(s);
}

TEST(Npy, RoundTripsEveryRank) {
  for (const std::vector<int64_t>& dims : std::vector<std::vector<int64_t>>{{}, {7}, {3, 5}, {2, 32, 32, 3}, {0, 4}}) {
    const Tensor t = counting(dims);
    const std::string path = temp_path("round_trip.npy");
    write_npy(path, t);
    const Tensor back = read_npy(path);
    EXPECT_EQ(back.dims, t.dims) << dims_to_string(dims);
    EXPECT_EQ(back.bytes, t.bytes) << dims_to_string(dims);
    std::remove(path.c_str());
  }
}

TEST(Npy, HeaderIsPaddedToA64ByteBoundaryAsNumpyWritesIt) {
  const std::vector<uint8_t> bytes = format_npy(counting({2, 3}));
  const size_t header_len = bytes[8] | (size_t{bytes[9]} << 8);
  EXPECT_EQ((10 + header_len) % 64, 0u);
  EXPECT_EQ(bytes[10 + header_len - 1], '\n');
  EXPECT_EQ(bytes.size(), 10 + header_len + 6 * sizeof(float));
  const std::string header(bytes.begin() + 10, bytes.begin() + 10 + static_cast<long>(header_len));
  EXPECT_EQ(header.rfind("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 0), 0u) << header;
}

TEST(Npy, ReadsWhatNumpyWrites) {
  // numpy (Debian's python3-numpy) writes the file; the values are the same formula.
  const std::string path = temp_path("numpy.npy");
  const std::string cmd = "/usr/bin/python3 -c \"import numpy as np; np.save('" + path +
                          "', (0.5 * np.arange(24, dtype=np.float32) - 3.25).reshape(2, 3, 4))\" 2>&1";
  if (std::system(cmd.c_str()) != 0) GTEST_SKIP() << "no /usr/bin/python3 with numpy";
  const Tensor t = read_npy(path);
  EXPECT_EQ(t.dims, (std::vector<int64_t>{2, 3, 4}));
  EXPECT_EQ(t.bytes, counting({2, 3, 4}).bytes);
  // And numpy's bytes are exactly what format_npy writes.
  std::ifstream f(path, std::ios::binary);
  const std::vector<uint8_t> numpy_bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  EXPECT_EQ(numpy_bytes, format_npy(t));
  std::remove(path.c_str());
}

TEST(Npy, RefusesWhatIsNotFloat32COrder) {
  EXPECT_ERROR(parse_npy(bytes_of("PK\x03\x04 not numpy at all"), "x.npy"), "x.npy: not a .npy file");
  struct Case {
    const char* header;
    size_t data_bytes;
    const char* file;
    const char* error;
  };
  const Case cases[] = {
      {"{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", 16, "d.npy",
       "d.npy: dtype '<f8' (float64); octet reads float32"},
      {"{'descr': '|u1', 'fortran_order': False, 'shape': (2,), }", 2, "u.npy", "u.npy: dtype '|u1' (uint8)"},
      {"{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", 16, "f.npy", "f.npy: Fortran-order array"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 20, "t.npy",
       "t.npy: truncated: the shape [2,3] needs 24 bytes of data, the file has 20"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 12, "e.npy", "e.npy: trailing bytes"},
      {"{'descr': '<f4', 'fortran_order': False, }", 0, "s.npy", "s.npy: the .npy header has no 'shape' entry"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, x), }", 8, "m.npy", "m.npy: malformed 'shape'"},
  };
  for (const Case& c : cases) EXPECT_ERROR(parse_npy(npy_with_header(c.header, c.data_bytes), c.file), c.error);
  std::vector<uint8_t> long_header = npy_with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", 4);
  long_header[8] = 0x20;   // header length 0x4e20 = 20000 bytes
  long_header[9] = 0x4e;
  EXPECT_ERROR(parse_npy(long_header, "h.npy"), "h.npy: .npy header of 20000 bytes is longer than the 10000");
  std::vector<uint8_t> cut = format_npy(counting({4}));
  cut.resize(30);
  EXPECT_ERROR(parse_npy(cut, "c.npy"), "c.npy: truncated .npy header");
  std::vector<uint8_t> v9 = format_npy(counting({4}));
  v9[6] = 9;
  EXPECT_ERROR(parse_npy(v9, "v.npy"), "v.npy: .npy format version 9");
  EXPECT_ERROR(read_npy(temp_path("absent.npy")), "absent.npy: no such file");
  EXPECT_ERROR(format_npy(Tensor(DType::Int64, {2})), "written as float32");
}

// Two inputs, as a model with several inputs declares them.
const std::vector<TensorInfo> kTwoInputs = {{"image", DType::Float32, {-1, 4, 4, 3}},
                                            {"mask", DType::Float32, {-1, 4}}};

std::string write_temp(const std::string& name, const Tensor& t) {
  const std::string path = temp_path(name);
  write_npy(path, t);
  return path;
}

TEST(NpyInputs, MatchesFilesToInputsByName) {
  const std::string image = write_temp("image.npy", counting({5, 4, 4, 3}));
  const std::string mask = write_temp("mask.npy", counting({5, 4}));
  const std::vector<NpyInput> in = read_npy_inputs(kTwoInputs, {"mask=" + mask, "image=" + image}, "--input");
  ASSERT_EQ(in.size(), 2u);
  EXPECT_EQ(in[0].name, "image");   // the model's order, not the arguments'
  EXPECT_EQ(in[0].path, image);
  EXPECT_EQ(in[0].tensor.dims, (std::vector<int64_t>{5, 4, 4, 3}));
  EXPECT_EQ(in[1].name, "mask");
  EXPECT_EQ(in[1].tensor.bytes, counting({5, 4}).bytes);
  // A one-input model takes an unnamed file.
  const std::vector<NpyInput> one = read_npy_inputs({kTwoInputs[0]}, {image}, "--input");
  EXPECT_EQ(one.at(0).name, "image");
}

TEST(NpyInputs, RefusesUnknownMissingUnnamedAndMisShapedInputs) {
  const std::string image = write_temp("image2.npy", counting({5, 4, 4, 3}));
  const std::string mask3 = write_temp("mask3.npy", counting({3, 4}));
  const std::string wrong = write_temp("wrong.npy", counting({5, 3, 4, 4}));
  EXPECT_ERROR(read_npy_inputs(kTwoInputs, {"imgae=" + image}, "--input"),
               "the model has no input 'imgae' (its inputs: 'image', 'mask')");
  EXPECT_ERROR(read_npy_inputs(kTwoInputs, {"image=" + image}, "--input"), "--input: no file for input 'mask'");
  EXPECT_ERROR(read_npy_inputs(kTwoInputs, {image}, "--calib"),
               "the model has 2 inputs ('image', 'mask'); name each file: --calib NAME=file.npy");
  EXPECT_ERROR(read_npy_inputs(kTwoInputs, {"image=" + image, "image=" + image}, "--input"), "input 'image' given twice");
  EXPECT_ERROR(read_npy_inputs({kTwoInputs[0]}, {wrong}, "--input"),
               "wrong.npy: shape [5,3,4,4], but input 'image' takes [-1,4,4,3]");
  EXPECT_ERROR(read_npy_inputs(kTwoInputs, {"image=" + image, "mask=" + mask3}, "--input"),
               "mask3.npy: 3 rows, but " + image + " has 5");
}

TEST(NpyInputs, SliceRowsTakesWholeRows) {
  const Tensor t = counting({5, 2, 3});
  const Tensor rows = slice_rows(t, 2, 2);
  EXPECT_EQ(rows.dims, (std::vector<int64_t>{2, 2, 3}));
  EXPECT_EQ(rows.data<float>()[0], t.data<float>()[12]);
  EXPECT_EQ(rows.data<float>()[11], t.data<float>()[23]);
  EXPECT_ERROR(slice_rows(t, 4, 2), "rows [4, 6) of a tensor of shape [5,2,3]");
}

// The same images as .npy rows give the same calibration batches as CifarCalibration: what
// makes octet-compile's .octet files byte-identical (tests/test_octet_run.cpp checks the files).
TEST(NpyCalibration, HandsOutTheBatchesCifarCalibrationDoes) {
  const CifarSet set = read_cifar_file(OCTET_DATA_DIR "/cifar10-train-subset.bin", CifarFormat::Auto, 120);
  CifarCalibration cifar(set, ImageLayout::NHWC);
  NpyCalibration npy({make_cifar_input(set, 0, set.size(), ImageLayout::NHWC)});
  EXPECT_EQ(npy.rows(), 120u);
  int batches = 0;
  while (auto want = cifar.next()) {
    auto got = npy.next();
    ASSERT_TRUE(got.has_value());
    ASSERT_EQ(got->size(), 1u);
    EXPECT_EQ(got->at(0).dims, want->at(0).dims);
    EXPECT_EQ(got->at(0).bytes, want->at(0).bytes);
    ++batches;
  }
  EXPECT_EQ(batches, 3);   // 50 + 50 + 20
  EXPECT_FALSE(npy.next().has_value());
}

TEST(NpyCalibration, CountTakesTheFirstRowsAndRefusesMoreThanTheFileHolds) {
  NpyCalibration first({counting({7, 2})}, 5, 2);
  std::vector<int64_t> sizes;
  while (auto b = first.next()) sizes.push_back(b->at(0).dims[0]);
  EXPECT_EQ(sizes, (std::vector<int64_t>{2, 2, 1}));
  EXPECT_ERROR(NpyCalibration({counting({7, 2})}, 8), "--calib-count 8 is more than the 7 rows the files hold");
  EXPECT_ERROR(NpyCalibration({counting({7, 2}), counting({6, 2})}), "the arrays need the same number of rows");
}

}  // namespace
}  // namespace octet
