// The one exception type octet throws. Messages name what failed (node, op, opset, file)
// so that a user can act on them without a debugger.
#pragma once
#include <stdexcept>
#include <string>

namespace octet {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

}  // namespace octet
