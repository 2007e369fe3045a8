// The limits a run is checked against before it starts: planned memory and estimated cost.
// Both executors, the compiler, the tools (--max-memory, --max-cost) and the C and C++ APIs
// share these defaults and these messages (docs/limits.md).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "engine/runtime/error.h"

namespace octet {

// Default memory budget: 1 GiB of planned bytes (arena, scratch and weights for a compiled
// plan; live tensors and constants for the reference executor). ResNet50 at batch 8 plans
// about 0.3 GB (100 MB of weights, 8 x 25 MB for its largest activations) on either executor,
// so every real CNN octet targets fits; a hostile model is refused before it allocates.
inline constexpr uint64_t kDefaultMaxMemoryBytes = uint64_t{1} << 30;
// Default cost budget per image: 1e12 multiply-accumulates or comparisons, 250 times
// ResNet50's 4.1e9 and about a minute of one core's scalar arithmetic.
inline constexpr double kDefaultMaxCostPerImage = 1e12;

struct ResourceLimits {
  uint64_t max_memory_bytes = kDefaultMaxMemoryBytes;
  double max_cost_per_image = kDefaultMaxCostPerImage;
};

// A run refused by a limit: the message names the biggest consumers and the limit.
class ResourceLimitError : public Error {
 public:
  using Error::Error;
};

// A run stopped by Session::interrupt() (or the reference executor's interrupt flag).
class InterruptedError : public Error {
 public:
  using Error::Error;
};

// One consumer of a budget, for messages: "buffer 'conv1_out'" and its bytes or cost.
struct Consumer {
  std::string what;
  double amount = 0;
};

// Throws ResourceLimitError when the consumers' sum exceeds max_memory_bytes, naming the three
// biggest and the limit, then the three biggest of `details` (the buffers inside an arena, say)
// if given. `context` says what is planned ("the session").
void check_memory_budget(const std::vector<Consumer>& consumers, uint64_t max_memory_bytes, const std::string& context,
                         const std::vector<Consumer>& details = {}, const std::string& details_title = {});
// The same for cost (`batch` images against batch x max_cost_per_image).
void check_cost_budget(const std::vector<Consumer>& consumers, double max_cost_per_image, int64_t batch,
                       const std::string& context);

// "2G", "512M", "64K", "1073741824" (powers of 1024; G, GB, GiB alike). Throws octet::Error
// naming `flag` on anything else or zero.
uint64_t parse_byte_size(const std::string& text, const std::string& flag);
// "1e12", "5000000": a positive finite number. Throws octet::Error naming `flag` otherwise.
double parse_cost(const std::string& text, const std::string& flag);
// 1610612736 -> "1.5 GiB"
std::string format_bytes(double bytes);

}  // namespace octet
