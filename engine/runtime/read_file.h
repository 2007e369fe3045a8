// The one way octet reads a whole input file (ONNX models and tensors, .octet files, CIFAR-10
// sets): checked before a byte is read, so that a device (/dev/zero), a FIFO or a directory
// is refused at once with an error naming the path, and a file larger than its format allows
// is refused by its size instead of being read until memory runs out.
//
// Part of the runtime (the .octet loader reads with it), so it includes nothing but the
// runtime's error.h; the importer and the CIFAR readers use it too. Header-only.
#pragma once
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "engine/runtime/error.h"

namespace octet {

// Why a file could not be read (as opposed to its contents being invalid): callers such as
// the C API report it as an I/O error.
class FileReadError : public Error {
 public:
  using Error::Error;
};

// Protobuf parses at most 2^31-1 bytes; the .octet format shares the same limit.
inline constexpr uint64_t kMaxModelFileBytes = (uint64_t{1} << 31) - 1;

// The bytes of the regular file at `path`, at most max_bytes of them. Throws FileReadError
// naming the path when it does not exist, is a directory or not a regular file, is larger
// than max_bytes, or cannot be opened or read.
inline std::vector<uint8_t> read_whole_file(const std::string& path, uint64_t max_bytes) {
  // O_NONBLOCK: opening a FIFO with no writer would otherwise block; the fstat below then
  // refuses it. The check is on the opened descriptor, so the path cannot change in between.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    if (err == ENOENT) throw FileReadError(path + ": no such file");
    throw FileReadError(path + ": cannot open (" + std::strerror(err) + ")");
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw FileReadError(path + ": cannot stat (" + std::strerror(errno) + ")");
  if (S_ISDIR(st.st_mode)) throw FileReadError(path + ": is a directory, not a file");
  if (!S_ISREG(st.st_mode))
    throw FileReadError(path + ": is not a regular file (a device, FIFO or socket), so it is not read");
  const auto size = static_cast<uint64_t>(st.st_size);
  if (size > max_bytes)
    throw FileReadError(path + ": " + std::to_string(size) + " bytes is larger than this format's limit of " +
                        std::to_string(max_bytes) + " bytes");
  std::vector<uint8_t> bytes(static_cast<size_t>(size));
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t got = ::read(fd, bytes.data() + done, bytes.size() - done);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) throw FileReadError(path + ": read error (" + std::strerror(errno) + ")");
    if (got == 0) throw FileReadError(path + ": the file shrank while it was read");
    done += static_cast<size_t>(got);
  }
  return bytes;
}

}  // namespace octet
