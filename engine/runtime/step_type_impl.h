// make_step_type<P>(): the StepType table of a parameter struct P, for the step files
// (engine/runtime/steps/*.cpp) only. P derives from StepParams and provides
//   static const StepType kType;                 // = make_step_type<P>(id, name, int8)
//   static void run(const P&, const StepContext&, int32_t row_begin, int32_t row_end);
//   static std::string describe(const Step&, const P&);
//   template <typename IO, typename S> static void fields(IO&, S&);   // S is P or const P
//   static void validate(PlanChecker&, const Step&, const P&);
// and, when it has them,
//   static RowSplit rows(const P&);             // else one row
//   static const char* kernel_name(const P&);   // else nullptr (a fixed routine)
//   static std::string summary(const P&);       // else the kernel name
//   static constexpr bool kReadsInputExactly;   // else false (StepType::reads_input_exactly)
// The table's functions cast the StepParams back to P: the session's dispatch is one
// indirect call per step and row range.
#pragma once
#include <memory>
#include <string>

#include "engine/runtime/model_file_io.h"
#include "engine/runtime/plan.h"
#include "engine/runtime/plan_checker.h"
#include "engine/runtime/step_type.h"

namespace octet {

template <typename P>
constexpr StepType make_step_type(uint8_t id, const char* name, bool int8) {
  return StepType{
      id,
      name,
      int8,
      [](const StepParams& p, const StepContext& c, int32_t begin, int32_t end) {
        P::run(static_cast<const P&>(p), c, begin, end);
      },
      [](const StepParams& p) -> RowSplit {
        if constexpr (requires(const P& q) { P::rows(q); })
          return P::rows(static_cast<const P&>(p));
        else
          return RowSplit{};
      },
      [](const StepParams& p) -> const char* {
        if constexpr (requires(const P& q) { P::kernel_name(q); })
          return P::kernel_name(static_cast<const P&>(p));
        else
          return nullptr;
      },
      [](const Step& s) { return P::describe(s, static_cast<const P&>(*s.params)); },
      [](const StepParams& p) -> std::string {
        if constexpr (requires(const P& q) { P::summary(q); })
          return P::summary(static_cast<const P&>(p));
        else if constexpr (requires(const P& q) { P::kernel_name(q); })
          return P::kernel_name(static_cast<const P&>(p));
        else
          return P::kType.name;
      },
      []() -> std::unique_ptr<StepParams> { return std::make_unique<P>(); },
      [](ModelFileWriter& w, const StepParams& p) { P::fields(w, static_cast<const P&>(p)); },
      [](ModelFileReader& r, StepParams& p) { P::fields(r, static_cast<P&>(p)); },
      [](PlanChecker& c, const Step& s) { P::validate(c, s, static_cast<const P&>(*s.params)); },
      [] {
        if constexpr (requires { P::kReadsInputExactly; })
          return P::kReadsInputExactly;
        else
          return false;
      }(),
  };
}

}  // namespace octet
