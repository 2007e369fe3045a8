#include "engine/runtime/steps/reference_node.h"

#include "engine/runtime/error.h"
#include "engine/runtime/step_type_impl.h"

namespace octet {

void ReferenceNodeStep::run(const ReferenceNodeStep& p, const StepContext& c, int32_t, int32_t) {
  p.node->run(c.in<float>(), c.in2<float>(), c.out<float>());
}

std::string ReferenceNodeStep::describe(const Step&, const ReferenceNodeStep& p) {
  return p.kernel + "  " + (p.node ? p.node->describe() : std::string("(no node)")) +
         "  (reference executor: no optimised kernel yet)";
}

void ReferenceNodeStep::refuse_file(const ReferenceNodeStep& p) {
  if (p.node)
    throw Error("step " + p.kernel + " (" + p.node->describe() +
                ") runs the reference executor, which a .octet file cannot hold; load the ONNX model instead");
  refuse_model_file("step type reference_node cannot be stored in a file");
}

void ReferenceNodeStep::validate(PlanChecker& c, const Step& s, const ReferenceNodeStep& p) {
  c.require(p.node != nullptr, "reference step without a node");
  c.buffer(s.input, p.node->input_elements(0), false, "input");
  if (s.input2 >= 0) c.buffer(s.input2, p.node->input_elements(1), false, "second input");
  c.buffer(s.output, p.node->output_elements(), false, "output");
}

const StepType ReferenceNodeStep::kType = make_step_type<ReferenceNodeStep>(21, "reference_node", false);

}  // namespace octet
