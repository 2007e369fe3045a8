// CIFAR-10 readers: the binary record format on the bundled files, the pickle reader on the
// fixtures made by tests/fixtures/cifar/make_pickles.py (equal to the binary records byte for
// byte), malformed input of every kind (an octet::Error, never a crash), and input tensors.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "engine/runtime/error.h"
#include "tools/datasets/cifar.h"
#include "expect_error.h"

namespace octet {
namespace {

const std::string kData = OCTET_DATA_DIR;
const std::string kFixtures = std::string(OCTET_SOURCE_DIR) + "/tests/fixtures/cifar/";
const std::string kTestBin = kData + "/cifar10-test-first1000.bin";
const std::string kTrainBin = kData + "/cifar10-train-subset.bin";

std::vector<uint8_t> read_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("cannot open " + path);
  return {std::istreambuf_iterator<char>(f), {}};
}

using octet::testing::error_of;

TEST(CifarBinary, TestFileCountsLabelsAndPixels) {
  CifarFormat detected = CifarFormat::Auto;
  CifarSet set = read_cifar_file(kTestBin, CifarFormat::Auto, kNoLimit, &detected);
  EXPECT_EQ(detected, CifarFormat::Binary);
  ASSERT_EQ(set.size(), 1000u);
  ASSERT_EQ(set.pixels.size(), 1000u * 3072);
  EXPECT_EQ(std::vector<uint8_t>(set.labels.begin(), set.labels.begin() + 5), (std::vector<uint8_t>{3, 8, 8, 0, 6}));
  auto counts = cifar_class_counts(set);
  EXPECT_EQ(counts, (std::array<int64_t, 10>{103, 89, 100, 103, 90, 86, 112, 102, 106, 109}));
  // Red plane starts of test images 0..2, as published (data/CIFAR10-PROVENANCE.txt).
  EXPECT_EQ(set.image(0)[0], 158);
  EXPECT_EQ(set.image(0)[1], 159);
  EXPECT_EQ(set.image(0)[2], 165);
  EXPECT_EQ(set.image(1)[0], 235);
  EXPECT_EQ(set.image(2)[2], 139);
  EXPECT_THROW(set.image(1000), Error);
}

TEST(CifarBinary, TrainSubsetLabels) {
  CifarSet set = read_cifar_file(kTrainBin);
  ASSERT_EQ(set.size(), 4000u);
  EXPECT_EQ(std::vector<uint8_t>(set.labels.begin(), set.labels.begin() + 10),
            (std::vector<uint8_t>{6, 9, 9, 4, 1, 1, 2, 7, 8, 3}));
  EXPECT_EQ(cifar_class_counts(set), (std::array<int64_t, 10>{396, 366, 420, 384, 422, 393, 414, 385, 407, 413}));
}

TEST(CifarBinary, LimitKeepsTheFirstRecords) {
  CifarSet all = read_cifar_file(kTestBin);
  CifarSet some = read_cifar_file(kTestBin, CifarFormat::Binary, 7);
  ASSERT_EQ(some.size(), 7u);
  EXPECT_EQ(some.labels, std::vector<uint8_t>(all.labels.begin(), all.labels.begin() + 7));
  EXPECT_EQ(some.pixels, std::vector<uint8_t>(all.pixels.begin(), all.pixels.begin() + 7 * 3072));
}

TEST(CifarBinary, TruncatedOddSizedAndBadLabelsAreErrors) {
  std::vector<uint8_t> raw = read_bytes(kTestBin);
  raw.resize(2 * kCifarRecordBytes);
  EXPECT_EQ(parse_cifar_binary(raw, "two").size(), 2u);
  std::vector<uint8_t> cut(raw.begin(), raw.end() - 1);
  EXPECT_NE(error_of([&] { parse_cifar_binary(cut, "cut.bin"); }).find("cut.bin: size 6145 bytes is not a multiple of"),
            std::string::npos);
  EXPECT_NE(error_of([&] { parse_cifar_binary({}, "empty.bin"); }).find("empty"), std::string::npos);
  std::vector<uint8_t> bad_label = raw;
  bad_label[kCifarRecordBytes] = 12;
  EXPECT_NE(error_of([&] { parse_cifar_binary(bad_label, "x.bin"); }).find("record 1 has label 12"), std::string::npos);
  // A first byte that is neither a label nor a pickle PROTO: auto-detection refuses it.
  std::vector<uint8_t> junk = raw;
  junk[0] = 'P';
  EXPECT_NE(error_of([&] { detect_cifar_format(junk, "junk"); }).find("not a CIFAR-10 file"), std::string::npos);
  EXPECT_THROW(read_cifar_file(kData + "/no-such-file.bin"), Error);
  // An explicit format is obeyed: the binary file read as a pickle fails as a pickle.
  EXPECT_THROW(read_cifar_file(kTestBin, CifarFormat::Pickle), Error);
}

TEST(CifarFormatNames, ParseAndName) {
  EXPECT_EQ(parse_cifar_format("auto"), CifarFormat::Auto);
  EXPECT_EQ(parse_cifar_format("bin"), CifarFormat::Binary);
  EXPECT_EQ(parse_cifar_format("pickle"), CifarFormat::Pickle);
  EXPECT_THROW(parse_cifar_format("png"), Error);
  EXPECT_STREQ(cifar_format_name(CifarFormat::Pickle), "pickle");
}

// ------------------------------------------------------------------ pickle

struct GoodPickle {
  const char* file;
  size_t images;
};
const GoodPickle kGood[] = {{"test5_py2.pkl", 5}, {"test3_p2.pkl", 3}, {"test3_p4.pkl", 3}, {"test3_p5.pkl", 3}};

TEST(CifarPickle, FixturesEqualBinaryRecordsByteForByte) {
  CifarSet bin = read_cifar_file(kTestBin, CifarFormat::Binary, 5);
  for (const GoodPickle& g : kGood) {
    SCOPED_TRACE(g.file);
    CifarFormat detected = CifarFormat::Auto;
    CifarSet p = read_cifar_file(kFixtures + g.file, CifarFormat::Auto, kNoLimit, &detected);
    EXPECT_EQ(detected, CifarFormat::Pickle);
    ASSERT_EQ(p.size(), g.images);
    EXPECT_EQ(p.labels, std::vector<uint8_t>(bin.labels.begin(), bin.labels.begin() + g.images));
    ASSERT_EQ(p.pixels.size(), g.images * 3072);
    EXPECT_TRUE(std::equal(p.pixels.begin(), p.pixels.end(), bin.pixels.begin()));
  }
}

TEST(CifarPickle, LimitAndExplicitFormat) {
  CifarSet p = read_cifar_file(kFixtures + "test5_py2.pkl", CifarFormat::Pickle, 2);
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p.labels, (std::vector<uint8_t>{3, 8}));
  EXPECT_EQ(p.pixels.size(), 2u * 3072);
  EXPECT_THROW(read_cifar_file(kFixtures + "test5_py2.pkl", CifarFormat::Binary), Error);
}

TEST(CifarPickle, MalformedFixturesAreClearErrors) {
  const std::pair<const char*, const char*> cases[] = {
      {"bad_global.pkl", "unsupported pickle global os.system"},
      {"bad_dtype.pkl", "'data' has dtype 'u2', expected uint8"},
      {"bad_shape.pkl", "'data' has shape (1,3,32,32), expected (N,3072)"},
      {"bad_fortran.pkl", "Fortran order"},
      {"bad_label_range.pkl", "labels[0] = 10 is out of range 0..9"},
      {"bad_label_count.pkl", "'labels' has 2 entries but 'data' has 1 images"},
      {"bad_no_data.pkl", "no 'data' key"},
      {"bad_not_dict.pkl", "pickle holds a list, expected a CIFAR-10 batch dict"},
      {"bad_cycle.pkl", "labels[0] is a list, expected an int"},
  };
  for (const auto& entry : cases) {
    // Named copies, not a structured binding: clang 14 (the sanitizer builds) cannot capture
    // a binding in a lambda.
    const char* file = entry.first;
    const char* message = entry.second;
    SCOPED_TRACE(file);
    std::string what = error_of([&] { read_cifar_file(kFixtures + file); });
    EXPECT_NE(what.find(message), std::string::npos) << what;
    EXPECT_NE(what.find(file), std::string::npos) << "the error names the file: " << what;
  }
}

TEST(CifarPickle, TruncatedAtEveryStructuralOffsetIsAnError) {
  for (const GoodPickle& g : kGood) {
    SCOPED_TRACE(g.file);
    std::vector<uint8_t> bytes = read_bytes(kFixtures + g.file);
    size_t checked = 0;
    for (size_t len = 0; len < bytes.size(); ++len) {
      // Every offset in the opcode-dense head and tail; a sample inside the pixel blob.
      if (len > 400 && len + 400 < bytes.size() && len % 101 != 0) continue;
      std::span<const uint8_t> prefix(bytes.data(), len);
      EXPECT_THROW(parse_cifar_pickle(prefix, g.file), Error) << "prefix of " << len << " bytes";
      ++checked;
    }
    EXPECT_GT(checked, 800u);
  }
}

// Deterministic random corruption: whatever comes out is a valid set or an octet::Error.
TEST(CifarPickle, CorruptedBytesNeverCrash) {
  uint64_t state = 12345;
  auto next = [&] {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<uint32_t>(state >> 33);
  };
  for (const GoodPickle& g : kGood) {
    const std::vector<uint8_t> original = read_bytes(kFixtures + g.file);
    int errors = 0;
    for (int trial = 0; trial < 1500; ++trial) {
      std::vector<uint8_t> bytes = original;
      const int edits = 1 + static_cast<int>(next() % 4);
      for (int e = 0; e < edits; ++e) {
        // Mostly hit the opcodes (head and tail), not the pixel blob.
        size_t where = next() % 2 ? next() % 300 : bytes.size() - 1 - next() % 400;
        bytes[where] = static_cast<uint8_t>(next());
      }
      try {
        CifarSet s = parse_cifar_pickle(bytes, g.file);
        EXPECT_EQ(s.pixels.size(), s.size() * 3072);
        for (uint8_t l : s.labels) EXPECT_LT(l, 10);
      } catch (const Error&) {
        ++errors;
      }
    }
    EXPECT_GT(errors, 500) << g.file;   // most corruptions must be detected
  }
}

std::vector<uint8_t> bytes_of(const std::string& s) { return {s.begin(), s.end()}; }
// A string literal with its embedded NULs, without its terminator.
template <size_t N>
std::string lit(const char (&a)[N]) {
  return std::string(a, N - 1);
}

TEST(CifarPickle, HandMadeHostileStreams) {
  auto err = [](const std::string& s) { return error_of([&] { parse_cifar_pickle(bytes_of(s), "h.pkl"); }); };
  EXPECT_NE(err(lit("\x80\x02.")).find("stack underflow"), std::string::npos);
  EXPECT_NE(err(lit("\x80\x02\xff")).find("unsupported pickle opcode 0xff"), std::string::npos);
  EXPECT_NE(err(lit("\x80\x09")).find("protocol 9"), std::string::npos);
  EXPECT_NE(err(lit("\x80\x02h\x07")).find("memo key 7 was never stored"), std::string::npos);
  // A 2^63-byte BINBYTES8 must be "truncated", not an allocation attempt.
  EXPECT_NE(err(lit("\x80\x04\x8e\x00\x00\x00\x00\x00\x00\x00\x80")).find("truncated"), std::string::npos);
  EXPECT_NE(err(lit("\x80\x02T\xff\xff\xff\xff")).find("negative length"), std::string::npos);
  EXPECT_NE(err(lit("\x80\x02" "cos\nsystem\n")).find("unsupported pickle global os.system"), std::string::npos);
  EXPECT_NE(err(lit("\x80\x02" "c__builtin__\neval\n")).find("__builtin__.eval"), std::string::npos);
  EXPECT_NE(err(lit("\x80\x02" "c") + std::string(1000, 'a')).find("longer than"), std::string::npos);
  EXPECT_NE(err(std::string(200000, '(')).find("nested MARK"), std::string::npos);
  EXPECT_NE(err(lit("\x80\x02" "K\x01" "e")).find("no MARK"), std::string::npos);
  EXPECT_NE(err(lit("\x80\x02" "K\x01K\x02" "a")).find("APPEND target must be a list"), std::string::npos);
  EXPECT_NE(err(lit("\x80\x02" "}K\x01" "K\x02K\x03.")).find("STOP with items left"), std::string::npos);
  // Calling a non-callable, and calling ndarray itself.
  EXPECT_NE(err(lit("\x80\x02" "K\x01)R")).find("REDUCE callable must be a global"), std::string::npos);
  EXPECT_NE(err(lit("\x80\x02" "cnumpy\nndarray\n)R")).find("cannot call numpy.ndarray"), std::string::npos);
  // Millions of stack pushes hit the stack cap long before memory runs out.
  std::string pushes = lit("\x80\x02" "]q\x00");
  for (int k = 0; k < 1100000; ++k) pushes += lit("h\x00");
  EXPECT_NE(err(pushes).find("deeper than"), std::string::npos);
  // A valid pickle that is not a CIFAR batch.
  EXPECT_NE(err(lit("\x80\x02}.")).find("no 'labels' key"), std::string::npos);
  EXPECT_NE(err(lit("\x80\x02}U\x0b" "fine_labels]s.")).find("CIFAR-100"), std::string::npos);
}

// ------------------------------------------------------------------ input tensors

TEST(CifarInput, NhwcAndNchwPlaceASpecificPixel) {
  std::vector<uint8_t> raw = read_bytes(kTestBin);
  CifarSet set = read_cifar_file(kTestBin, CifarFormat::Binary, 4);
  // Image 2 of the file is row 1 of a tensor starting at image 1; its green (c=1) pixel at y=5, x=7.
  const float expected = raw[2 * kCifarRecordBytes + 1 + 1024 + 5 * 32 + 7];
  const float expected_blue = raw[1 * kCifarRecordBytes + 1 + 2048 + 31 * 32 + 30];   // image 1, y=31, x=30
  Tensor nhwc = make_cifar_input(set, 1, 2, ImageLayout::NHWC);
  ASSERT_EQ(nhwc.dims, (std::vector<int64_t>{2, 32, 32, 3}));
  EXPECT_EQ(nhwc.data<float>()[((1 * 32 + 5) * 32 + 7) * 3 + 1], expected);
  EXPECT_EQ(nhwc.data<float>()[((0 * 32 + 31) * 32 + 30) * 3 + 2], expected_blue);
  Tensor nchw = make_cifar_input(set, 1, 2, ImageLayout::NCHW);
  ASSERT_EQ(nchw.dims, (std::vector<int64_t>{2, 3, 32, 32}));
  EXPECT_EQ(nchw.data<float>()[((1 * 3 + 1) * 32 + 5) * 32 + 7], expected);
  EXPECT_EQ(nchw.data<float>()[((0 * 3 + 2) * 32 + 31) * 32 + 30], expected_blue);
  // Image 0's red plane starts 158, 159, 165: NHWC strides by 3 over pixels.
  Tensor first = make_cifar_input(set, 0, 1, ImageLayout::NHWC);
  EXPECT_EQ(first.data<float>()[0], 158.f);
  EXPECT_EQ(first.data<float>()[3], 159.f);
  EXPECT_EQ(first.data<float>()[6], 165.f);
}

TEST(CifarInput, PaddingToAFixedBatchAndRangeErrors) {
  CifarSet set = read_cifar_file(kTestBin, CifarFormat::Binary, 4);
  Tensor t = make_cifar_input(set, 3, 1, ImageLayout::NCHW, 4);
  ASSERT_EQ(t.dims, (std::vector<int64_t>{4, 3, 32, 32}));
  EXPECT_EQ(t.data<float>()[5], static_cast<float>(set.image(3)[5]));
  double padded_sum = 0;
  for (size_t k = 3072; k < 4 * 3072; ++k) padded_sum += t.data<float>()[k];
  EXPECT_EQ(padded_sum, 0.0);
  EXPECT_THROW(make_cifar_input(set, 3, 2, ImageLayout::NHWC), Error);
  EXPECT_THROW(make_cifar_input(set, 5, 0, ImageLayout::NHWC), Error);
  EXPECT_THROW(make_cifar_input(set, 0, 3, ImageLayout::NHWC, 2), Error);
}

TEST(CifarInput, LayoutFromModelInputShape) {
  Shape nhwc{true, {Dim::named("N"), Dim::known(32), Dim::known(32), Dim::known(3)}};
  Shape nchw{true, {Dim::known(1), Dim::known(3), Dim::known(32), Dim::known(32)}};
  EXPECT_EQ(layout_from_input_shape(nhwc, "input_1"), ImageLayout::NHWC);
  EXPECT_EQ(layout_from_input_shape(nchw, "x"), ImageLayout::NCHW);
  Shape gray{true, {Dim::named("N"), Dim::known(32), Dim::known(32), Dim::known(1)}};
  EXPECT_NE(error_of([&] { layout_from_input_shape(gray, "img"); }).find("model input 'img' has shape"), std::string::npos);
  EXPECT_THROW(layout_from_input_shape(Shape{}, "x"), Error);
  Shape flat{true, {Dim::named("N"), Dim::known(3072)}};
  EXPECT_THROW(layout_from_input_shape(flat, "x"), Error);
  Shape unknown_c{true, {Dim::named("N"), Dim::named("C"), Dim::known(32), Dim::known(32)}};
  EXPECT_THROW(layout_from_input_shape(unknown_c, "x"), Error);
}

}  // namespace
}  // namespace octet
