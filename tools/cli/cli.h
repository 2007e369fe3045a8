// Minimal command-line reading shared by the tools: --flag, --key value, --key=value.
#pragma once
#include <cstdio>
#include <exception>
#include <optional>
#include <string>
#include <vector>

#include "engine/runtime/resource_limits.h"

namespace octet::cli {

class Args {
 public:
  // `flags` take no value; every other --key takes one. Throws octet::Error on an unknown
  // option or a missing value, naming it.
  Args(int argc, char** argv, std::vector<std::string> flags, std::vector<std::string> keys);

  bool flag(const std::string& name) const;
  std::optional<std::string> get(const std::string& key) const;   // last occurrence
  std::vector<std::string> all(const std::string& key) const;      // every occurrence
  std::string get_or(const std::string& key, const std::string& fallback) const;
  // Parses an integer value within [lo, hi]; throws octet::Error naming the option otherwise.
  long long get_int(const std::string& key, long long fallback, long long lo, long long hi) const;
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::vector<std::pair<std::string, std::string>> kv_;
  std::vector<std::string> flags_set_;
  std::vector<std::string> positional_;
};

// --max-memory SIZE and --max-cost N, the resource limits every tool that runs or compiles a
// model takes (its Args must list both keys); absent: the defaults. Their usage lines are
// OCTET_CLI_LIMITS_USAGE, a string literal so that a tool's raw-literal usage text can
// concatenate it.
ResourceLimits resource_limits(const Args& args);
#define OCTET_CLI_LIMITS_USAGE                                                                     \
  "  --max-memory SIZE     refuse a model whose planned memory (weights, activations, scratch;\n" \
  "                        the live tensors under --reference) exceeds SIZE: 512M, 2G, ...\n"    \
  "                        (default 1G)\n"                                                         \
  "  --max-cost N          refuse a model costing more than N multiply-accumulates or\n"          \
  "                        comparisons per image (default 1e12)\n"

// The main() of a tool: `parse` reads the arguments (an exception there is a usage error:
// "<name>: <message> (see --help)", exit 2); an Options with `help` set prints `usage`;
// otherwise `run`'s result is the exit status, and an exception is "<name>: error: ...", exit 1.
template <typename Options>
int tool_main(const char* name, const char* usage, int argc, char** argv, Options (*parse)(int, char**),
              int (*run)(const Options&)) {
  Options opt;
  try {
    opt = parse(argc, argv);
  } catch (const std::exception& e) {
    const std::string what = e.what();
    std::fprintf(stderr, "%s: %s%s\n", name, what.c_str(), what.find("see --help") == std::string::npos ? " (see --help)" : "");
    return 2;
  }
  if (opt.help) {
    std::fputs(usage, stdout);
    return 0;
  }
  try {
    return run(opt);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: error: %s\n", name, e.what());
    return 1;
  }
}

}  // namespace octet::cli
