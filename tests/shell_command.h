// What the tests that run the tools' binaries share: sh(cmd) runs a shell command and returns
// its exit status with its stdout and stderr together; process_temp_dir a folder of their own.
#pragma once
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string>

namespace octet::testing {

struct ShellResult {
  int status = -1;   // the exit status; -1 when the command could not start or was killed
  std::string out;   // stdout and stderr
};

inline ShellResult sh(const std::string& cmd) {
  ShellResult r;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int st = pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

// <gtest's temp dir>/<prefix><pid>, made on first use: per process, so that concurrent runs
// (other build trees) do not share files.
inline std::string process_temp_dir(const std::string& prefix) {
  std::string p = ::testing::TempDir() + "/" + prefix + std::to_string(getpid());
  mkdir(p.c_str(), 0755);
  return p;
}

}  // namespace octet::testing
