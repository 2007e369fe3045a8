// The boundaries of an int8 region: float -> uint8 (Quantize) and uint8 -> float (Dequantize),
// real = scale * (q - zero_point) with the zero point in the uint8 domain. Two step types,
// one template: kQuantize picks the direction.
#pragma once
#include "engine/runtime/step_type.h"

namespace octet {

template <bool kQuantize>
struct QuantizationStep final : StepParams {
  int64_t elements = 0;   // per image
  float scale = 1.f;
  int32_t zero_point = 0;

  static const StepType kType;
  // quantize's tails are masked loads or a copy of the last elements (a graph input may be read
  // in place, StepType::reads_input_exactly); dequantize reads codes, never a graph input.
  static constexpr bool kReadsInputExactly = kQuantize;
  static void run(const QuantizationStep&, const StepContext&, int32_t row_begin, int32_t row_end);
  static std::string describe(const Step&, const QuantizationStep&);
  template <typename IO, typename S>
  static void fields(IO& io, S& p) {
    io(p.elements), io(p.scale), io(p.zero_point);
  }
  static void validate(PlanChecker&, const Step&, const QuantizationStep&);
};

using QuantizeStep = QuantizationStep<true>;
using DequantizeStep = QuantizationStep<false>;
template <>
const StepType QuantizeStep::kType;   // quantize.cpp
template <>
const StepType DequantizeStep::kType;

}  // namespace octet
