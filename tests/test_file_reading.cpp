// Whole-file reads (engine/runtime/read_file.h) behind every reader of a user's file: a device, a
// directory, a FIFO or a file larger than its format allows is refused at once, before a byte
// is read, with an I/O error naming the path (issue 17: /dev/zero used to be read until
// memory ran out, and a directory gave std::bad_alloc or an internal error).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <string>

#include "engine/runtime/model_file.h"
#include "graph/onnx_import.h"
#include "engine/runtime/read_file.h"
#include "octet/octet.h"
#include "tools/datasets/cifar.h"

namespace octet {
namespace {

// A fresh directory holding a FIFO and two sparse files just past the ONNX/.octet and the
// CIFAR limits (sparse: no disk space is used, and nothing may read them anyway).
struct Paths {
  std::string dir, fifo, over_model_limit, over_cifar_limit;
  Paths() {
    dir = ::testing::TempDir() + "/octet_file_reading_" + std::to_string(::getpid());
    ::mkdir(dir.c_str(), 0700);
    fifo = dir + "/fifo";
    ::unlink(fifo.c_str());
    EXPECT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    over_model_limit = sparse_file("big.onnx", kMaxModelFileBytes + 1);
    over_cifar_limit = sparse_file("big.bin", kMaxCifarFileBytes + 1);
  }
  ~Paths() {
    for (const std::string& f : {fifo, over_model_limit, over_cifar_limit}) ::unlink(f.c_str());
    ::rmdir(dir.c_str());
  }
  std::string sparse_file(const std::string& name, uint64_t size) const {
    const std::string path = dir + "/" + name;
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    EXPECT_GE(fd, 0);
    EXPECT_EQ(::ftruncate(fd, static_cast<off_t>(size)), 0);
    ::close(fd);
    return path;
  }
};

// Runs `read`, which must throw an Error of type E whose message names `path` and contains
// `reason`, within a second.
template <typename E>
void expect_refused(const std::function<void()>& read, const std::string& path, const std::string& reason) {
  const auto start = std::chrono::steady_clock::now();
  try {
    read();
    ADD_FAILURE() << path << ": no error";
  } catch (const E& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(reason), std::string::npos) << e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << path << ": wrong exception type: " << e.what();
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1)) << path;
}

struct Refusal {
  std::string path, reason;
};
std::vector<Refusal> refusals(const Paths& p) {
  return {{"/dev/zero", "not a regular file"},
          {p.dir, "is a directory"},
          {p.fifo, "not a regular file"},
          {p.dir + "/missing", "no such file"}};
}

TEST(FileReading, OnnxImporterRefusesDevicesDirectoriesFifosAndOversizedFiles) {
  const Paths p;
  std::vector<Refusal> cases = refusals(p);
  cases.push_back({p.over_model_limit, "larger than this format's limit of 2147483647 bytes"});
  for (const Refusal& c : cases) {
    expect_refused<FileReadError>([&] { import_onnx_file(c.path); }, c.path, c.reason);
    expect_refused<FileReadError>([&] { import_onnx_tensor_file(c.path); }, c.path, c.reason);
  }
}

TEST(FileReading, ModelFileLoaderRefusesThemAsIoErrors) {
  const Paths p;
  std::vector<Refusal> cases = refusals(p);
  cases.push_back({p.over_model_limit, "larger than this format's limit"});
  for (const Refusal& c : cases) expect_refused<ModelFileIoError>([&] { read_model_file(c.path); }, c.path, c.reason);
}

TEST(FileReading, CApiReturnsItsIoStatusNamingThePath) {
  const Paths p;
  std::vector<Refusal> cases = refusals(p);
  cases.push_back({p.over_model_limit, "larger than this format's limit"});
  for (const Refusal& c : cases) {
    const auto start = std::chrono::steady_clock::now();
    octet_model* m = reinterpret_cast<octet_model*>(&m);
    EXPECT_EQ(octet_model_load_file(c.path.c_str(), &m), OCTET_IO_ERROR) << c.path;
    EXPECT_EQ(m, nullptr);
    EXPECT_NE(std::string(octet_last_error()).find(c.path), std::string::npos) << octet_last_error();
    EXPECT_NE(std::string(octet_last_error()).find(c.reason), std::string::npos) << octet_last_error();
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1)) << c.path;
  }
}

TEST(FileReading, CifarReaderRefusesThemBeforeReading) {
  const Paths p;
  std::vector<Refusal> cases = refusals(p);
  cases.push_back({p.over_cifar_limit, "larger than this format's limit of 268435456 bytes"});
  for (const Refusal& c : cases)
    expect_refused<FileReadError>([&] { read_cifar_file(c.path); }, c.path, c.reason);
}

TEST(FileReading, ReadsARegularFileExactly) {
  const Paths p;
  const std::string path = p.dir + "/small";
  std::FILE* f = std::fopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  const unsigned char bytes[] = {0, 1, 2, 255, 7};
  std::fwrite(bytes, 1, sizeof bytes, f);
  std::fclose(f);
  EXPECT_EQ(read_whole_file(path, 5), (std::vector<uint8_t>{0, 1, 2, 255, 7}));
  expect_refused<FileReadError>([&] { read_whole_file(path, 4); }, path, "5 bytes is larger than this format's limit of 4");
  ::unlink(path.c_str());
}

}  // namespace
}  // namespace octet
