// The GEMM peer comparison computes what it claims: octet-bench-gemm-peers --check (bench/peers)
// runs octet's FP32 and int8 GEMMs and each peer library's on every benchmarked shape against
// exact references, and measures that each peer runs on one thread. This reads its report and
// asserts the numbers. The binary exists only when configure found OpenBLAS (libopenblas-dev)
// or oneDNN (libdnnl-dev), both optional; without it, or without one library, the tests that
// need it skip, naming what is missing.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "bench/peers/gemm_peers.h"

namespace octet {
namespace {

using bench::GemmShape;
using bench::kPeerShapes;
using bench::shape_name;

const std::string kBench = OCTET_BINARY_DIR "/bench/octet-bench-gemm-peers";

struct CheckReport {
  int status = -1;
  std::vector<std::string> lines;
};

const CheckReport& report() {
  static const CheckReport r = [] {
    CheckReport c;
    FILE* pipe = popen((kBench + " --check 2>&1").c_str(), "r");
    if (pipe == nullptr) return c;
    std::string out;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
    c.status = pclose(pipe);
    size_t start = 0;
    while (start < out.size()) {
      size_t end = out.find('\n', start);
      if (end == std::string::npos) end = out.size();
      c.lines.push_back(out.substr(start, end - start));
      start = end + 1;
    }
    return c;
  }();
  return r;
}

bool built() { return std::filesystem::exists(kBench); }

// The peer's "peer <name>: <description>" line, or "" when the binary was built without it.
std::string peer_line(const std::string& peer) {
  for (const std::string& l : report().lines)
    if (l.rfind("peer " + peer + ": ", 0) == 0) return l;
  return "";
}

// The one line that starts with `prefix` (a check of one library on one shape).
std::string line_of(const std::string& prefix) {
  std::string found;
  int count = 0;
  for (const std::string& l : report().lines)
    if (l.rfind(prefix, 0) == 0) {
      found = l;
      ++count;
    }
  EXPECT_EQ(count, 1) << "lines starting with \"" << prefix << "\"";
  return found;
}

// The number right after `key` in `line`; NaN when the key is absent.
double number_after(const std::string& line, const std::string& key) {
  const size_t at = line.find(key);
  if (at == std::string::npos) return std::nan("");
  return std::stod(line.substr(at + key.size()));
}

// Why a test cannot run here ("" when it can): the binary, or the peer library (by its name in
// the report, "" for none) missing from the build.
std::string missing(const std::string& peer = "") {
  if (!built())
    return kBench + " is not built: neither OpenBLAS (libopenblas-dev) nor oneDNN (libdnnl-dev) was found at "
                    "configure time";
  if (peer == "openblas" && peer_line(peer).empty())
    return "OpenBLAS (libopenblas-dev) was not found at configure time; " + kBench + " was built without it";
  if (peer == "onednn" && peer_line(peer).empty())
    return "oneDNN (libdnnl-dev) was not found at configure time; " + kBench + " was built without it";
  return "";
}

// f32: every element within the rounding tolerance (the binary prints the worst ratio).
void expect_f32_close(const std::string& who) {
  for (const GemmShape& s : kPeerShapes) {
    const std::string l = line_of("f32 " + shape_name(s) + " " + who);
    SCOPED_TRACE(l);
    const double err = number_after(l, "max |C - C_ref| "), ratio = number_after(l, "max error / tolerance ");
    EXPECT_GE(err, 0.0);
    EXPECT_LE(ratio, 1.0);
    EXPECT_TRUE(l.size() > 4 && l.compare(l.size() - 4, 4, ": ok") == 0);
  }
}

TEST(GemmPeers, CheckRunsAndPasses) {
  if (const std::string why = missing(); !why.empty()) GTEST_SKIP() << why;
  std::string all;
  for (const std::string& l : report().lines) all += l + "\n";
  EXPECT_EQ(report().status, 0) << all;
  for (const std::string& l : report().lines) EXPECT_EQ(l.find("FAILED"), std::string::npos) << l;
}

TEST(GemmPeers, OctetF32MatchesTheReference) {
  if (const std::string why = missing(); !why.empty()) GTEST_SKIP() << why;
  expect_f32_close("octet f32_gemm_");
}

// octet's int8 GEMM outputs uint8: each equals the exact accumulator requantised.
TEST(GemmPeers, OctetU8S8OutputsAreExact) {
  if (const std::string why = missing(); !why.empty()) GTEST_SKIP() << why;
  for (const GemmShape& s : kPeerShapes) {
    const std::string l = line_of("u8s8 " + shape_name(s) + " octet qu8_conv_");
    SCOPED_TRACE(l);
    EXPECT_EQ(number_after(l, "requantised exact accumulators: "), 0.0);
    EXPECT_EQ(number_after(l, " of "), double(s.m) * s.n);   // every element was compared
  }
}

TEST(GemmPeers, OpenBlasSgemmMatchesTheReference) {
  if (const std::string why = missing("openblas"); !why.empty()) GTEST_SKIP() << why;
  expect_f32_close("openblas cblas_sgemm");
}

TEST(GemmPeers, OneDnnSgemmMatchesTheReference) {
  if (const std::string why = missing("onednn"); !why.empty()) GTEST_SKIP() << why;
  expect_f32_close("onednn dnnl_sgemm");
}

// oneDNN's int32 accumulators are the exact ones, and requantised as octet does they give
// octet's uint8 outputs: both sides compute the same product.
TEST(GemmPeers, OneDnnU8S8AccumulatorsAreExact) {
  if (const std::string why = missing("onednn"); !why.empty()) GTEST_SKIP() << why;
  for (const GemmShape& s : kPeerShapes) {
    const std::string l = line_of("u8s8 " + shape_name(s) + " onednn dnnl_gemm_u8s8s32");
    SCOPED_TRACE(l);
    EXPECT_EQ(number_after(l, "differing from the exact ones: "), 0.0);
    EXPECT_EQ(number_after(l, " of "), double(s.m) * s.n);
    EXPECT_EQ(number_after(l, "differing from octet's output: "), 0.0);
  }
}

// The benchmarks time the calling thread; a peer working on other threads too would look
// faster than it is. Process CPU time over the calling thread's, across 10 GEMMs of 512^3.
TEST(GemmPeers, PeersRunOnOneThread) {
  if (const std::string why = missing(); !why.empty()) GTEST_SKIP() << why;
  int peers = 0;
  for (const char* peer : {"openblas", "onednn"}) {
    if (peer_line(peer).empty()) continue;
    ++peers;
    const std::string l = line_of(std::string("threads ") + peer + ":");
    SCOPED_TRACE(l);
    const double ratio = number_after(l, "512^3: ");
    EXPECT_GE(ratio, 0.9);
    EXPECT_LE(ratio, 1.1);
  }
  EXPECT_GE(peers, 1) << "built, yet it names no peer library";
  if (!peer_line("openblas").empty()) {
    EXPECT_NE(peer_line("openblas").find("; 1 thread(s)"), std::string::npos) << peer_line("openblas");
  }
  if (!peer_line("onednn").empty()) {
    EXPECT_NE(peer_line("onednn").find("; 1 OpenMP thread(s)"), std::string::npos) << peer_line("onednn");
  }
}

}  // namespace
}  // namespace octet
