#include "tools/cli/cli.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>

#include "engine/runtime/error.h"

namespace octet::cli {

Args::Args(int argc, char** argv, std::vector<std::string> flags, std::vector<std::string> keys) {
  auto known = [](const std::vector<std::string>& list, const std::string& s) {
    return std::find(list.begin(), list.end(), s) != list.end();
  };
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--", 0) != 0 || a == "--") {
      positional_.push_back(a);
      continue;
    }
    std::string key = a.substr(2), value;
    bool has_value = false;
    if (auto eq = key.find('='); eq != std::string::npos) {
      value = key.substr(eq + 1);
      key = key.substr(0, eq);
      has_value = true;
    }
    if (known(flags, key)) {
      if (has_value) throw Error("option --" + key + " takes no value");
      flags_set_.push_back(key);
    } else if (known(keys, key)) {
      if (!has_value) {
        if (i + 1 >= argc) throw Error("option --" + key + " needs a value");
        value = argv[++i];
      }
      kv_.emplace_back(key, value);
    } else {
      throw Error("unknown option --" + key + " (see --help)");
    }
  }
}

bool Args::flag(const std::string& name) const {
  return std::find(flags_set_.begin(), flags_set_.end(), name) != flags_set_.end();
}

std::optional<std::string> Args::get(const std::string& key) const {
  std::optional<std::string> out;
  for (const auto& [k, v] : kv_)
    if (k == key) out = v;
  return out;
}

std::vector<std::string> Args::all(const std::string& key) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : kv_)
    if (k == key) out.push_back(v);
  return out;
}

std::string Args::get_or(const std::string& key, const std::string& fallback) const {
  return get(key).value_or(fallback);
}

long long Args::get_int(const std::string& key, long long fallback, long long lo, long long hi) const {
  auto v = get(key);
  if (!v) return fallback;
  errno = 0;
  char* end = nullptr;
  long long x = std::strtoll(v->c_str(), &end, 10);
  if (v->empty() || *end != '\0' || errno != 0 || x < lo || x > hi)
    throw Error("option --" + key + " expects an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) +
                "], got '" + *v + "'");
  return x;
}

ResourceLimits resource_limits(const Args& args) {
  ResourceLimits limits;
  if (auto v = args.get("max-memory")) limits.max_memory_bytes = parse_byte_size(*v, "--max-memory");
  if (auto v = args.get("max-cost")) limits.max_cost_per_image = parse_cost(*v, "--max-cost");
  return limits;
}

}  // namespace octet::cli
