// Any float operator that the optimised runtime has no kernel for, run inside the compiled
// plan by the reference executor (engine/reference/), so that a model that imports compiles
// instead of being refused. The step sees its one or two activation inputs and its output in
// the plan's row-major (NCHW) order, per image; constant inputs, attributes and the call into
// the reference executor live in a HostedNode, which the compiler builds
// (engine/compile_reference_node.cpp): the runtime itself includes no IR, so it only holds the
// interface. The fallback is visible: the kernel name is "reference_" + the ONNX op in lower
// case ("reference_transpose") in octet-inspect --plan, in profiles and in the C API's
// model description.
//
// Its costs, the price of running anything: the reference executor allocates its tensors
// (a plan with such a step allocates in Session::run), and a .octet file cannot hold the
// step (writing such a plan is refused, naming the node): compile from the ONNX file instead.
// One image per call; not split across threads.
#pragma once
#include <memory>
#include <string>

#include "engine/runtime/step_type.h"

namespace octet {

// One node's computation over one image (implemented outside the runtime).
class HostedNode {
 public:
  virtual ~HostedNode() = default;
  // Reads input_elements(i) floats from each activation input and writes output_elements()
  // floats. Throws octet::Error naming the node when the reference executor refuses the data.
  virtual void run(const float* input, const float* input2, float* output) const = 0;
  virtual int64_t input_elements(int i) const = 0;   // i = 0, 1; 0 when absent
  virtual int64_t output_elements() const = 0;
  virtual std::string describe() const = 0;           // "Transpose [1,2,3,4] -> [1,3,2,4]"
};

struct ReferenceNodeStep final : StepParams {
  std::string kernel;                       // "reference_transpose"
  std::shared_ptr<const HostedNode> node;   // never null in a compiled plan

  static const StepType kType;
  static void run(const ReferenceNodeStep& p, const StepContext& c, int32_t row_begin, int32_t row_end);
  static const char* kernel_name(const ReferenceNodeStep& p) { return p.kernel.c_str(); }
  static std::string describe(const Step&, const ReferenceNodeStep& p);
  // A .octet file cannot hold the step: writing refuses with the node's name, and a file that
  // claims the step's id is invalid.
  template <typename IO, typename S>
  static void fields(IO&, S& p) {
    refuse_file(p);
  }
  static void validate(PlanChecker&, const Step&, const ReferenceNodeStep&);

 private:
  [[noreturn]] static void refuse_file(const ReferenceNodeStep& p);
};

}  // namespace octet
