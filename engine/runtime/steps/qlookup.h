// int8 activation by table lookup: y = table[x] over uint8 codes, the 256-entry table built at
// compile time (engine/compile_qlookup.cpp) from the input and output quantization parameters
// and the float function (Sigmoid, HardSigmoid, HardSwish, Tanh, LeakyRelu, or SiLU written as
// Mul(x, Sigmoid(x))), on the int8 vector kernels' lookup. Exact on every ISA by construction:
// the table is the whole computation.
#pragma once
#include "engine/runtime/step_type.h"

namespace octet {

struct QLookupStep final : StepParams {
  int64_t elements = 0;      // per image
  size_t table_offset = 0;   // 256 bytes in Plan::weights
  std::string function;      // what the table computes, for the plan printer ("sigmoid")

  static const StepType kType;
  static void run(const QLookupStep&, const StepContext&, int32_t row_begin, int32_t row_end);
  static std::string describe(const Step&, const QLookupStep& p) { return "qu8_lookup " + p.function; }
  static std::string summary(const QLookupStep& p) { return p.function + " (table)"; }
  template <typename IO, typename S>
  static void fields(IO& io, S& p) {
    io(p.elements), io(p.table_offset), io(p.function);
  }
  static void validate(PlanChecker&, const Step&, const QLookupStep&);
};

}  // namespace octet
