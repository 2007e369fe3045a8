// The boundaries of an int8 region: float -> uint8 (Quantize) and uint8 -> float (Dequantize),
// real = scale * (q - zero_point) with the zero point in the uint8 domain.
#pragma once
#include "engine/runtime/step_type.h"

namespace octet {

struct QuantizeStep final : StepParams {
  int64_t elements = 0;   // per image
  float scale = 1.f;
  int32_t zero_point = 0;

  static const StepType kType;
  static void run(const QuantizeStep&, const StepContext&, int32_t row_begin, int32_t row_end);
  static std::string describe(const Step&, const QuantizeStep&);
  static std::string summary(const QuantizeStep&) { return "quantize"; }
  template <typename IO, typename S>
  static void fields(IO& io, S& p) {
    io(p.elements), io(p.scale), io(p.zero_point);
  }
  static void validate(PlanChecker&, const Step&, const QuantizeStep&);
};

struct DequantizeStep final : StepParams {
  int64_t elements = 0;   // per image
  float scale = 1.f;
  int32_t zero_point = 0;

  static const StepType kType;
  static void run(const DequantizeStep&, const StepContext&, int32_t row_begin, int32_t row_end);
  static std::string describe(const Step&, const DequantizeStep&);
  template <typename IO, typename S>
  static void fields(IO& io, S& p) {
    io(p.elements), io(p.scale), io(p.zero_point);
  }
  static void validate(PlanChecker&, const Step&, const DequantizeStep&);
};

}  // namespace octet
