// Minimal command-line reading shared by the tools: --flag, --key value, --key=value.
#pragma once
#include <optional>
#include <string>
#include <vector>

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

}  // namespace octet::cli
