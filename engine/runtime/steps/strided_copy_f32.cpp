#include "engine/runtime/steps/strided_copy_f32.h"

#include "engine/runtime/step_type_impl.h"

namespace octet {

const StepType StridedCopyF32Step::kType = make_step_type<StridedCopyF32Step>(22, "strided_copy", false);

}  // namespace octet
