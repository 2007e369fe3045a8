// Embedding: the runtime library depends on nothing beyond libc, libstdc++ and pthreads. The
// runtime's sources include no protobuf or ONNX header; the linked libraries and the example
// hold no protobuf symbol; ldd of the example shows only the C/C++ runtime; and the example
// (examples/embed) classifies an image file written here with files octet-compile wrote,
// printing what the in-memory plan computes. Sizes are printed.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iterator>
#include <fstream>
#include <sstream>

#include "engine/pipeline/stages.h"
#include "shell_command.h"
#include "engine/runtime/model_file.h"
#include "engine/runtime/session.h"
#include "tools/datasets/cifar.h"

namespace octet {
namespace {

const std::string kBin = OCTET_BINARY_DIR;
const std::string kSrc = OCTET_SOURCE_DIR;
const std::string kEmbed = kBin + "/examples/embed/octet-embed";
const std::string kEmbedShared = kBin + "/examples/embed/octet-embed-shared";
const std::string kCompile = kBin + "/tools/octet-compile";
const std::string kStaticLib = kBin + "/engine/liboctet_runtime.a";
const std::string kSharedLib = kBin + "/engine/liboctet_runtime.so";

std::string temp_dir() {
  static const std::string d = testing::process_temp_dir("octet_embed_");
  return d;
}

using Result = testing::ShellResult;
using testing::sh;

long file_size(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 ? static_cast<long>(st.st_size) : -1;
}

void require_built() {
  for (const std::string& f : {kEmbed, kEmbedShared, kCompile, kStaticLib, kSharedLib})
    ASSERT_GE(file_size(f), 0) << f << " is not built (cmake --build builds it with test_embed)";
}

std::string cache_value(const std::string& key) {
  std::ifstream f(kBin + "/CMakeCache.txt");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind(key + ":", 0) == 0) return line.substr(line.find('=') + 1);
  return "";
}

TEST(Embed, RuntimeSourcesIncludeNoProtobufOrImporterHeader) {
  std::ifstream list(kBin + "/octet_runtime_sources.txt");
  ASSERT_TRUE(list) << "octet_runtime_sources.txt is written by engine/CMakeLists.txt";
  std::string files, f;
  int count = 0;
  while (std::getline(list, f))
    if (!f.empty()) files += " '" + f + "'", ++count;
  ASSERT_GT(count, 20);
  const std::string cxx = cache_value("CMAKE_CXX_COMPILER");
  ASSERT_FALSE(cxx.empty());
  // Every header each runtime source includes, transitively.
  const Result r = sh("'" + cxx + "' -std=c++20 -MM -I'" + kSrc + "' -I'" + kSrc + "/include' -I'" + kBin + "/generated'" + files);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_GT(r.out.size(), 1000u);
  for (const char* bad : {"google/protobuf", "onnx", "graph/ir.h", "graph/onnx_import.h", "engine/compile", "quant/"})
    EXPECT_EQ(r.out.find(bad), std::string::npos) << "a runtime source includes " << bad;
}

TEST(Embed, NoProtobufSymbolsAndOnlyTheCRuntimeLinked) {
  require_built();
  for (const std::string& f : {kStaticLib, kSharedLib, kEmbed, kEmbedShared}) {
    const Result r = sh("nm -C -A '" + f + "'" + (f == kSharedLib ? " -D" : ""));
    ASSERT_EQ(r.status, 0) << r.out;
    EXPECT_GT(r.out.size(), 100u) << f;
    for (const char* bad : {"google::protobuf", "onnx::", "octet::Graph", "import_onnx"})
      EXPECT_EQ(r.out.find(bad), std::string::npos) << f << " holds " << bad << " symbols";
  }
  // The shared library exports the C API and nothing else.
  const Result exported = sh("nm -D --defined-only '" + kSharedLib + "'");
  std::istringstream lines(exported.out);
  std::string line;
  int api = 0;
  while (std::getline(lines, line)) {
    const std::string sym = line.substr(line.find_last_of(' ') + 1);
    EXPECT_EQ(sym.rfind("octet_", 0), 0u) << "liboctet_runtime.so exports " << sym;
    ++api;
  }
  EXPECT_GE(api, 20);
  // ldd: the C and C++ runtime (and a sanitizer's runtime in sanitizer builds), plus
  // liboctet_runtime.so for the shared example.
  for (const std::string& exe : {kEmbed, kEmbedShared}) {
    const Result r = sh("ldd '" + exe + "'");
    ASSERT_EQ(r.status, 0) << r.out;
    std::istringstream ls(r.out);
    int libs = 0;
    bool has_runtime_so = false;
    while (std::getline(ls, line)) {
      std::istringstream w(line);
      std::string lib;
      w >> lib;
      lib = lib.substr(lib.find_last_of('/') + 1);
      const std::string base = lib.substr(0, lib.find(".so"));
      const bool ok = base == "linux-vdso" || base == "libc" || base == "libm" || base == "libstdc++" ||
                      base == "libgcc_s" || base == "libpthread" || base == "libdl" || base == "librt" ||
                      base.rfind("ld-linux", 0) == 0 || base == "libasan" || base == "libubsan" || base == "libtsan" ||
                      (exe == kEmbedShared && base == "liboctet_runtime");
      EXPECT_TRUE(ok) << exe << " depends on " << lib << "\n" << r.out;
      has_runtime_so = has_runtime_so || base == "liboctet_runtime";
      ++libs;
    }
    EXPECT_GE(libs, 3);
    EXPECT_EQ(has_runtime_so, exe == kEmbedShared) << r.out;
  }
}

// One CIFAR-10 test record (label 3, cat), and the same image as raw HWC bytes.
struct Image {
  std::string record_path, raw_path;
  std::vector<float> input;   // NHWC floats, as the model takes them
  int label;
};
Image write_image() {
  const CifarSet set = read_cifar_file(std::string(OCTET_DATA_DIR) + "/cifar10-test-first1000.bin", CifarFormat::Auto, 1);
  Image im;
  im.label = set.labels[0];
  im.record_path = temp_dir() + "/octet_embed_record.bin";
  im.raw_path = temp_dir() + "/octet_embed_raw.bin";
  std::ofstream rec(im.record_path, std::ios::binary), raw(im.raw_path, std::ios::binary);
  const auto px = set.image(0);
  rec.put(static_cast<char>(im.label));
  rec.write(reinterpret_cast<const char*>(px.data()), 3072);
  for (int p = 0; p < 1024; ++p)
    for (int c = 0; c < 3; ++c) raw.put(static_cast<char>(px[c * 1024 + p]));
  const Tensor t = make_cifar_input(set, 0, 1, ImageLayout::NHWC);
  im.input.assign(t.values<float>().begin(), t.values<float>().end());
  return im;
}

TEST(Embed, ExampleClassifiesAnImageWithEachCompiledModel) {
  require_built();
  const Image im = write_image();
  const std::string onnx = std::string(OCTET_DATA_DIR) + "/resnet8.onnx";
  for (const char* scheme : {"fp32", "int8"}) {
    SCOPED_TRACE(scheme);
    const std::string model = temp_dir() + "/resnet8-" + scheme + ".octet";
    const Result c = sh("'" + kCompile + "' '" + onnx + "' -o '" + model + "' --scheme " + scheme + " --calib-per-class 2");
    ASSERT_EQ(c.status, 0) << c.out;
    // What the example must print: the compiled file's own plan, run in memory here.
    const Plan plan = [&] {
      std::ifstream f(model, std::ios::binary);
      std::vector<uint8_t> b((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
      return load_model_file(b);
    }();
    Session s(plan, {});
    std::vector<float> probs(10);
    const float* in[1] = {im.input.data()};
    float* out[1] = {probs.data()};
    s.run(1, in, out);
    const int best = static_cast<int>(std::max_element(probs.begin(), probs.end()) - probs.begin());
    char want[128];
    std::snprintf(want, sizeof want, "class %d %s %.6f", best, std::string(kCifarClassNames[best]).c_str(),
                  static_cast<double>(probs[best]));
    EXPECT_EQ(best, im.label);
    for (const std::string& exe : {kEmbed, kEmbedShared}) {
      const Result raw = sh("'" + exe + "' '" + model + "' '" + im.raw_path + "'");
      EXPECT_EQ(raw.status, 0) << raw.out;
      EXPECT_EQ(raw.out, std::string(want) + "\n");
      const Result rec = sh("OCTET_THREADS=2 '" + exe + "' '" + model + "' '" + im.record_path + "'");
      EXPECT_EQ(rec.status, 0) << rec.out;
      EXPECT_EQ(rec.out, std::string(want) + " (label 3 cat)\n");
    }
    // A file for a wider ISA than the CPU (capped by OCTET_ISA) is refused, naming the kernel.
    if (plan.isa != "sse2") {
      const Result r = sh("OCTET_ISA=sse2 '" + kEmbed + "' '" + model + "' '" + im.raw_path + "'");
      EXPECT_EQ(r.status, 1) << r.out;
      EXPECT_NE(r.out.find("unsupported cpu"), std::string::npos) << r.out;
      EXPECT_NE(r.out.find("instructions this CPU does not have"), std::string::npos) << r.out;
    }
    std::printf("%s: %ld bytes\n", model.c_str(), file_size(model));
  }
  // A portable file (SSE2 and scalar int8) runs there.
  const std::string portable = temp_dir() + "/resnet8-portable.octet";
  const Result c = sh("'" + kCompile + "' '" + onnx + "' -o '" + portable + "' --isa sse2 --int8-isa scalar --no-autotune");
  ASSERT_EQ(c.status, 0) << c.out;
  const Result r = sh("OCTET_ISA=sse2 '" + kEmbed + "' '" + portable + "' '" + im.raw_path + "'");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(r.out.rfind("class 3 cat", 0), 0u) << r.out;
  // Bad input files: clear messages, exit status 1.
  const Result bad = sh("'" + kEmbed + "' '" + im.raw_path + "' '" + im.raw_path + "'");
  EXPECT_EQ(bad.status, 1);
  EXPECT_NE(bad.out.find("invalid model"), std::string::npos) << bad.out;
  EXPECT_NE(bad.out.find("bad magic"), std::string::npos) << bad.out;
  const Result usage = sh("'" + kEmbed + "'");
  EXPECT_EQ(usage.status, 2);

  sh("rm -rf '" + temp_dir() + "'");
  std::printf("sizes: liboctet_runtime.a %ld, liboctet_runtime.so %ld, octet-embed (static runtime) %ld, "
              "octet-embed-shared %ld bytes\n",
              file_size(kStaticLib), file_size(kSharedLib), file_size(kEmbed), file_size(kEmbedShared));
}

}  // namespace
}  // namespace octet
