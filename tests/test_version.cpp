// One version: the CMake project version (CMakeLists.txt, passed here as OCTET_PROJECT_VERSION)
// is what octet_version() returns and what the files octet writes carry: the producer field of
// a saved .octet file and the producer_version of an exported QDQ model. (The installed package
// files carry it too: tests/install/ checks `pkg-config --modversion` and find_package.)
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "engine/pipeline/calibration.h"
#include "engine/pipeline/model.h"
#include "engine/runtime/model_file.h"
#include "octet/octet.h"

namespace octet {
namespace {

const std::string kVersion = OCTET_PROJECT_VERSION;
const std::string kResnet8 = std::string(OCTET_DATA_DIR) + "/resnet8.onnx";

std::string temp_path(const std::string& name) {
  return testing::TempDir() + "/octet_version_" + std::to_string(::getpid()) + "_" + name;
}

TEST(Version, CApiReturnsTheProjectVersion) {
  ASSERT_FALSE(kVersion.empty());
  EXPECT_EQ(std::string(octet_version()), kVersion);
  EXPECT_EQ(std::string(OCTET_VERSION), kVersion);
}

TEST(Version, SavedModelFileCarriesIt) {
  Model m = Model::load(kResnet8);
  const std::string path = temp_path("resnet8.octet");
  m.save(path);
  ModelFileMeta meta;
  (void)read_model_file(path, {}, &meta);
  std::remove(path.c_str());
  EXPECT_EQ(meta.producer, "octet " + kVersion);
}

TEST(Version, ExportedQdqModelCarriesIt) {
  // Three batches of four images of pseudo-random pixels 0..255 calibrate it.
  std::vector<std::vector<Tensor>> batches;
  uint32_t seed = 7;
  for (int b = 0; b < 3; ++b) {
    Tensor t(DType::Float32, {4, 32, 32, 3});
    for (int64_t i = 0; i < t.numel(); ++i) {
      seed = seed * 1664525u + 1013904223u;
      t.data<float>()[i] = static_cast<float>(seed >> 24);
    }
    batches.push_back({t});
  }
  TensorBatches source(std::move(batches));
  const Model q = Model::load(kResnet8).quantize(source, {quant::Scheme::U8S8, {}});
  const std::string path = temp_path("u8s8.qdq.onnx");
  q.export_qdq(path);
  const Model back = Model::load(path);
  std::remove(path.c_str());
  EXPECT_EQ(back.graph().producer, "octet " + kVersion);
}

}  // namespace
}  // namespace octet
