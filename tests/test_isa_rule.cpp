// The ISA rule of kernels/CMakeLists.txt, checked on the object files: an ISA-specific object
// (a *_sse2/_avx2/_avx512/_vnni.cpp of octet_kernels or bench/peak) must not define a weak
// symbol (an inline function, a template instantiation, an inline variable: nm types W, V, u)
// that any other object of the build also defines. The linker keeps one copy of such a
// symbol for every caller, so one std::min instantiated in an AVX-512 file could hand AVX-512
// code to an SSE2 machine, and no other test would notice on an AVX-512 machine.
//
// The object lists come from CMake ($<TARGET_OBJECTS:...>, tests/CMakeLists.txt). The negative
// control, tests/fixtures/isa_rule/, is a pair of files that share std::min<float> on purpose:
// the check must report it, so a check that finds nothing is known to be able to find something.
#include <gtest/gtest.h>

#include <cxxabi.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace octet {
namespace {

struct ObjectSymbols {
  std::string path;
  std::string isa;                // "sse2", "avx2", "avx512", "vnni"; empty: not an ISA file
  std::set<std::string> weak;     // mangled names of its defined weak / unique symbols
};

std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(line);
  return lines;
}

std::string run(const std::string& command, int* status) {
  FILE* pipe = popen(command.c_str(), "r");
  std::string out;
  if (pipe == nullptr) {
    *status = -1;
    return out;
  }
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  *status = pclose(pipe);
  return out;
}

// `nm -P` lines are "name type [value size]". DW.ref.__gxx_personality_v0 (and any DW.ref.*) is
// the compiler's pointer to the exception personality routine, the same word in every object
// with unwind tables and no code of its own: not a hazard, so not recorded. Nor is RTTI (_ZTI
// typeinfo, _ZTS its name): constant data, the same bytes whatever the ISA; clang's UBSan
// (-fsanitize=function, the sanitizer builds) emits it for every function type it checks.
ObjectSymbols read_object(const std::string& path) {
  static const std::regex isa_file(R"(_(sse2|avx2|avx512|vnni)\.cpp\.o$)");
  ObjectSymbols o{path, "", {}};
  std::smatch m;
  if (std::regex_search(path, m, isa_file)) o.isa = m[1];
  int status = 0;
  const std::string out = run(std::string(OCTET_NM) + " -P --defined-only '" + path + "' 2>&1", &status);
  EXPECT_EQ(status, 0) << OCTET_NM << " failed on " << path << ":\n" << out;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream fields(line);
    std::string name, type;
    if (fields >> name >> type && (type == "W" || type == "V" || type == "u") && name.rfind("DW.ref.", 0) != 0 &&
        name.rfind("_ZTI", 0) != 0 && name.rfind("_ZTS", 0) != 0)
      o.weak.insert(name);
  }
  return o;
}

std::vector<ObjectSymbols> read_objects(const std::string& list_file) {
  std::vector<ObjectSymbols> out;
  for (const std::string& path : read_lines(list_file)) out.push_back(read_object(path));
  return out;
}

std::string demangle(const std::string& name) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> d(abi::__cxa_demangle(name.c_str(), nullptr, nullptr, &status), std::free);
  return status == 0 && d ? d.get() : name;
}

// One line per weak symbol that an ISA object shares with an object of another ISA (or a
// baseline one): the symbol and every object that defines it, with its ISA. Copies among
// objects of one ISA are compiled with the same flags, so whichever the linker keeps runs
// wherever the others would (an unoptimised or sanitizer build leaves xsimd's math helpers,
// such as exp_reduction<float, avx2>, out of line in every avx2 file that calls them).
std::vector<std::string> isa_rule_violations(const std::vector<ObjectSymbols>& objects) {
  std::map<std::string, std::vector<const ObjectSymbols*>> definers;
  for (const ObjectSymbols& o : objects)
    for (const std::string& s : o.weak) definers[s].push_back(&o);
  std::vector<std::string> out;
  for (const auto& [symbol, objs] : definers) {
    bool in_isa_file = false;
    std::set<std::string> isas;
    for (const ObjectSymbols* o : objs) {
      in_isa_file = in_isa_file || !o->isa.empty();
      isas.insert(o->isa);
    }
    if (objs.size() < 2 || !in_isa_file || isas.size() < 2) continue;
    std::string line = demangle(symbol) + " is defined by";
    for (const ObjectSymbols* o : objs) line += "\n    " + o->path + " (" + (o->isa.empty() ? "baseline" : o->isa) + ")";
    out.push_back(line);
  }
  return out;
}

std::string join(const std::vector<std::string>& lines) {
  std::string s;
  for (const std::string& l : lines) s += "\n  " + l;
  return s;
}

TEST(IsaRule, NoIsaObjectSharesAWeakSymbol) {
  const std::vector<ObjectSymbols> objects = read_objects(OCTET_ISA_RULE_OBJECTS);
  std::map<std::string, int> per_isa;
  for (const ObjectSymbols& o : objects) ++per_isa[o.isa];
  // The lists are real: the kernels' ISA files of every ISA (and the peak loops' when the
  // benchmarks are built: the sanitizer builds leave them out), and the other objects of the
  // libraries they are linked with.
  EXPECT_GE(per_isa["sse2"], 4);
  EXPECT_GE(per_isa["avx2"], 4);
  EXPECT_GE(per_isa["avx512"], 4);
  EXPECT_GE(per_isa["vnni"], 1);
  EXPECT_GE(per_isa[""], 50);
  const std::vector<std::string> violations = isa_rule_violations(objects);
  EXPECT_TRUE(violations.empty())
      << "ISA-specific objects share weak symbols with other objects (kernels/CMakeLists.txt: keep "
         "everything but the exported kernel in an anonymous namespace, no out-of-line std:: templates):"
      << join(violations);
}

TEST(IsaRule, NegativeControlIsReported) {
  const std::vector<ObjectSymbols> objects = read_objects(OCTET_ISA_RULE_FIXTURE_OBJECTS);
  ASSERT_EQ(objects.size(), 2u);
  const std::vector<std::string> violations = isa_rule_violations(objects);
  ASSERT_EQ(violations.size(), 1u) << join(violations);
  EXPECT_NE(violations[0].find("std::min<float>"), std::string::npos) << violations[0];
  EXPECT_NE(violations[0].find("shared_min_sse2.cpp.o (sse2)"), std::string::npos) << violations[0];
  EXPECT_NE(violations[0].find("shared_min_avx2.cpp.o (avx2)"), std::string::npos) << violations[0];
}

}  // namespace
}  // namespace octet
