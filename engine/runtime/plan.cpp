#include "engine/runtime/plan.h"

#include <cstdlib>
#include <new>
#include <sstream>

namespace octet {

AlignedBytes::AlignedBytes(size_t bytes) : size_(bytes) {
  // One spare line past the end: SIMD tails may read (never use) up to a vector past the data.
  void* p = std::aligned_alloc(kPlanAlignment, align_up(bytes) + kPlanAlignment);
  if (p == nullptr) throw std::bad_alloc();
  data_.reset(static_cast<uint8_t*>(p));
}

void AlignedBytes::Free::operator()(uint8_t* p) const { std::free(p); }

int64_t Port::floats_per_image() const {
  int64_t n = 1;
  for (size_t i = 1; i < dims.size(); ++i) n *= dims[i];
  return n;
}

const char* Step::kernel_name() const {
  const char* k = type->kernel(*params);
  return k ? k : type->name;
}

int64_t Plan::macs_per_image() const {
  int64_t total = 0;
  for (const Step& s : steps) total += s.macs;
  return total;
}

bool Plan::has_int8_steps() const {
  for (const Step& s : steps)
    if (s.type->int8) return true;
  return false;
}

std::string Plan::describe() const {
  std::ostringstream out;
  out << "plan: " << steps.size() << " steps, isa " << isa << (qvector ? " (int8)" : "") << ", arena "
      << arena_bytes_per_image << " bytes per image, workspace " << workspace_bytes << " bytes per thread, weights "
      << weights.size() << " bytes\n";
  for (size_t i = 0; i < steps.size(); ++i) {
    const Step& s = steps[i];
    out << "  " << i << "  " << s.type->describe(s) << "  (" << s.name << ")";
    if (s.macs) out << "  " << s.macs << " MACs";
    out << "\n";
  }
  return out.str();
}

}  // namespace octet
