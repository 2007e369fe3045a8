// Every kernel variant has a microbenchmark. The kernel table (kernels/kernels.inc, expanded
// by kernels/registry.h) is the one list of shipped variants; this checks its entries (one
// name per kernel, lookups), checks it against the variant objects defined in
// kernels/**/*.cpp, and checks that octet-bench-kernels (built with the project) names each
// registered variant in some benchmark, by running it with --benchmark_list_tests (which
// only lists; no benchmark runs under ctest).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "kernels/registry.h"

namespace octet {
namespace {

const std::string kBench = OCTET_BINARY_DIR "/bench/octet-bench-kernels";

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const std::string& x : v) s += "\n  " + x;
  return s;
}

std::set<std::string> registry_names() {
  std::set<std::string> names;
  for (const kernels::KernelVariant& v : kernels::kernel_variants()) names.insert(v.name);
  return names;
}

// `benchmark_list_tests` output: one benchmark name per line.
std::vector<std::string> list_benchmarks() {
  std::vector<std::string> names;
  FILE* pipe = popen((kBench + " --benchmark_list_tests 2>&1").c_str(), "r");
  if (pipe == nullptr) return names;
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  const int status = pclose(pipe);
  EXPECT_EQ(status, 0) << kBench << " --benchmark_list_tests failed:\n" << out;
  size_t start = 0;
  while (start < out.size()) {
    size_t end = out.find('\n', start);
    if (end == std::string::npos) end = out.size();
    if (end > start) names.push_back(out.substr(start, end - start));
    start = end + 1;
  }
  return names;
}

TEST(KernelRegistry, EntriesAreConsistent) {
  std::set<std::string> seen;
  for (const kernels::KernelVariant& v : kernels::kernel_variants()) {
    const std::string name = v.name;
    SCOPED_TRACE(name);
    EXPECT_TRUE(seen.insert(name).second) << "listed twice";
    EXPECT_EQ(name.rfind(kernels::family_name(v.family), 0), 0u) << "name does not start with its family";
    const std::string isa = std::string("_") + kernels::isa_name(v.isa);
    EXPECT_TRUE(name.size() > isa.size() && name.compare(name.size() - isa.size(), isa.size(), isa) == 0)
        << "name does not end with its ISA " << isa;
    const int set = (v.conv != nullptr) + (v.dwconv != nullptr) + (v.gemm != nullptr) + (v.vector != nullptr) +
                    (v.qconv != nullptr) + (v.qdwconv != nullptr) + (v.qgemm != nullptr) + (v.qmaxpool != nullptr) + (v.qvector != nullptr);
    ASSERT_EQ(set, 1);
    // One name per kernel: the object's own name field is its table name.
    const char* object_name = v.conv     ? v.conv->name
                              : v.dwconv ? v.dwconv->name
                              : v.gemm   ? v.gemm->name
                              : v.vector ? v.vector->name
                              : v.qconv ? v.qconv->name
                              : v.qdwconv ? v.qdwconv->name
                              : v.qgemm ? v.qgemm->name
                              : v.qmaxpool ? v.qmaxpool->name
                                        : v.qvector->name;
    EXPECT_EQ(std::string(object_name), name);
    if (v.family == kernels::KernelFamily::ConvF32 || v.family == kernels::KernelFamily::ConvQU8) {
      EXPECT_EQ(name.rfind(std::string(kernels::family_name(v.family)) + "_nhwc_", 0), 0u)
          << "conv names are <family>_nhwc_<kind>_<isa> (engine/conv_select.cpp reads the kind)";
    }
    EXPECT_EQ(kernels::variant_named(name), &v);
    EXPECT_EQ(kernels::variant_of(v.object()), &v);
    EXPECT_EQ(kernels::isa_from_name(kernels::isa_name(v.isa)), v.isa);
    EXPECT_EQ(v.qconv != nullptr, v.family == kernels::KernelFamily::ConvQU8);
    EXPECT_EQ(v.qdwconv != nullptr, v.family == kernels::KernelFamily::DwConvQU8);
    EXPECT_EQ(v.qgemm != nullptr, v.family == kernels::KernelFamily::GemmQU8);
    EXPECT_EQ(v.qmaxpool != nullptr, v.family == kernels::KernelFamily::MaxPoolQU8);
    EXPECT_EQ(v.qvector != nullptr, v.family == kernels::KernelFamily::VectorQU8);
    EXPECT_EQ(v.conv != nullptr, v.family == kernels::KernelFamily::ConvF32);
    EXPECT_EQ(v.dwconv != nullptr, v.family == kernels::KernelFamily::DwConvF32);
    EXPECT_EQ(v.gemm != nullptr, v.family == kernels::KernelFamily::GemmF32);
    EXPECT_EQ(v.vector != nullptr, v.family == kernels::KernelFamily::VectorF32);
  }
  EXPECT_GE(seen.size(), 15u);
  EXPECT_EQ(kernels::variant_named("f32_gemm_8x32_avx512"), nullptr);
  EXPECT_EQ(kernels::variant_of(nullptr), nullptr);
  // SSE2 is the x86-64 baseline, which every CPU octet runs on has.
  EXPECT_TRUE(kernels::cpu_runs(kernels::KernelIsa::Scalar));
  EXPECT_TRUE(kernels::cpu_runs(kernels::KernelIsa::Sse2));
}

// The compiler's choice: the widest variant at most the cap that this CPU runs.
TEST(KernelRegistry, WidestVariantHonoursTheCapAndTheCpu) {
  using kernels::KernelFamily;
  using kernels::KernelIsa;
  for (KernelIsa cap : {KernelIsa::Scalar, KernelIsa::Sse2, KernelIsa::Avx2, KernelIsa::Avx512, KernelIsa::Vnni}) {
    SCOPED_TRACE(kernels::isa_name(cap));
    const kernels::KernelVariant* g = kernels::widest_variant(KernelFamily::GemmF32, cap);
    const kernels::KernelVariant* q = kernels::widest_variant(KernelFamily::ConvQU8, cap);
    ASSERT_NE(q, nullptr);   // the scalar int8 conv runs anywhere
    EXPECT_EQ(q->isa, kernels::widest_cpu_isa(cap) >= KernelIsa::Vnni   ? KernelIsa::Vnni
                      : kernels::widest_cpu_isa(cap) >= KernelIsa::Avx2 ? KernelIsa::Avx2
                                                                        : KernelIsa::Scalar);
    if (cap == KernelIsa::Scalar) {
      EXPECT_EQ(g, nullptr);   // no scalar FP32 GEMM
      continue;
    }
    ASSERT_NE(g, nullptr);
    EXPECT_EQ(g->isa, std::min(kernels::widest_cpu_isa(cap), KernelIsa::Avx512));
    EXPECT_TRUE(g->supported());
  }
  // A predicate narrows the choice: no variant is the one it refuses.
  const kernels::KernelVariant* best = kernels::widest_variant(KernelFamily::VectorQU8);
  ASSERT_NE(best, nullptr);
  const kernels::KernelVariant* other =
      kernels::widest_variant(KernelFamily::VectorQU8, kernels::kWidestIsa,
                              [&](const kernels::KernelVariant& v) { return &v != best; });
  if (best->isa != KernelIsa::Scalar) {
    ASSERT_NE(other, nullptr);
    EXPECT_LT(other->isa, best->isa);
  }
}

// A kernel object defined in a file (`const ConvF32Kernel f32_conv_... = {`) but missing from
// the kernel table would escape both the benchmarks and the tests of its family (and, not
// declared extern by kernels/kernels.h, would not even be linkable).
TEST(KernelRegistry, ListsEveryDefinedVariant) {
  const std::regex decl(R"(const\s+(\w+(Kernel|Kernels))\s+(\w+)\s*=\s*\{)");
  const std::set<std::string> registered = registry_names();
  std::vector<std::string> missing;
  int declared = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(OCTET_SOURCE_DIR "/kernels")) {
    if (entry.path().extension() != ".cpp") continue;
    std::ifstream in(entry.path());
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (std::sregex_iterator it(text.begin(), text.end(), decl), end; it != end; ++it) {
      ++declared;
      const std::string name = (*it)[3];
      if (!registered.count(name))
        missing.push_back(name + " (" + entry.path().lexically_relative(OCTET_SOURCE_DIR).string() + ")");
    }
  }
  EXPECT_GE(declared, 15);
  EXPECT_TRUE(missing.empty()) << "kernel variants defined but not in kernels/kernels.inc:" << join(missing);
}

TEST(KernelBenchmarks, EveryRegisteredVariantHasABenchmark) {
  ASSERT_TRUE(std::filesystem::exists(kBench)) << kBench << " is not built: cmake --build <build dir>";
  const std::vector<std::string> benchmarks = list_benchmarks();
  ASSERT_FALSE(benchmarks.empty());
  std::vector<std::string> missing;
  for (const kernels::KernelVariant& v : kernels::kernel_variants()) {
    const std::string prefix = std::string(v.name) + "/";
    bool found = false;
    for (const std::string& b : benchmarks) found = found || b.rfind(prefix, 0) == 0;
    if (!found) missing.push_back(v.name);
  }
  EXPECT_TRUE(missing.empty()) << "kernel variants without a benchmark in bench/kernels:" << join(missing);
}

// The other way round: every benchmark names a registered variant (or a scalar reference,
// "ref_..."), so a renamed kernel cannot leave a stale benchmark behind.
TEST(KernelBenchmarks, EveryBenchmarkNamesAKnownKernel) {
  ASSERT_TRUE(std::filesystem::exists(kBench)) << kBench << " is not built: cmake --build <build dir>";
  const std::set<std::string> registered = registry_names();
  std::vector<std::string> unknown;
  for (const std::string& b : list_benchmarks()) {
    const std::string kernel = b.substr(0, b.find('/'));
    if (kernel.rfind("ref_", 0) != 0 && !registered.count(kernel)) unknown.push_back(b);
  }
  EXPECT_TRUE(unknown.empty()) << "benchmarks of kernels not in kernels/kernels.inc:" << join(unknown);
}

}  // namespace
}  // namespace octet
