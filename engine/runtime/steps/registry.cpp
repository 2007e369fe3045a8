// The registration list of step types: every kind a plan can hold, each with the stable id
// its .octet files store (StepType::id, set in the type's file). A new step type gets a file
// in this folder and a line here, with the next unused id; an id is never reused or
// renumbered (old files would read as another kind). Retired: 16, reference_unary (the
// standalone activations on scalar kernels, replaced by f32_activation, 30).
// tests/test_step_types.cpp checks that the ids are distinct and every type's table is complete.
#include "engine/runtime/steps/all.h"

namespace octet {

namespace {
const StepType* const kStepTypes[] = {
    &ConvF32Step::kType,        &AveragePoolF32Step::kType, &MaxPoolF32Step::kType, &GlobalAverageF32Step::kType,
    &GemmF32Step::kType,        &SoftmaxStep::kType,        &AddF32Step::kType,     &NchwToNhwcStep::kType,
    &NhwcToNchwStep::kType,     &QConvStep::kType,          &QGlobalAverageStep::kType,
    &QAveragePoolStep::kType,   &QAddStep::kType,           &QuantizeStep::kType,   &DequantizeStep::kType,
    &DwConvF32Step::kType,      &GroupedConvF32Step::kType,
    &ConcatSliceF32Step::kType, &BinaryF32Step::kType,      &ReferenceNodeStep::kType,
    &StridedCopyF32Step::kType, &GlobalMaxF32Step::kType,   &QConvChannelStep::kType,
    &ActivationF32Step::kType,
    &QDwConvStep::kType,
    &ConvChainF32Step::kType,   &ConvPlanarF32Step::kType,
    &QLookupStep::kType,        &QMulStep::kType,
    &QMaxPoolStep::kType,       &QConcatSliceStep::kType,   &QStridedCopyStep::kType,
    &ConvPoolF32Step::kType,    &QuantizePlanesStep::kType, &QGemmF32Step::kType,
};
}  // namespace

std::span<const StepType* const> step_types() { return kStepTypes; }

const StepType* find_step_type(uint8_t id) {
  for (const StepType* t : kStepTypes)
    if (t->id == id) return t;
  return nullptr;
}

}  // namespace octet
