// A Session over a Model's plan that takes and gives named tensors: what a binding's
// `Session(model, threads, max_batch).run({name: array})` calls. It allocates the outputs on
// each run; engine/session.h is the allocation-free interface underneath.
#pragma once
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/pipeline/model.h"
#include "engine/runtime/session.h"
#include "graph/tensor.h"

namespace octet {

struct NamedTensor {
  std::string name;
  Tensor tensor;
};

// An input as a caller holds it, not copied: float32, dense, row-major, of shape `dims` (a
// binding's NumPy array). The views must outlive the run.
struct InputView {
  std::string_view name;
  std::span<const int64_t> dims;
  const float* data = nullptr;
};

// Inputs checked against the model: the batch and the data in the model's input order, as
// run(batch, inputs, outputs) takes them.
struct BoundInputs {
  int batch = 0;
  std::vector<const float*> data;
};

class ModelSession {
 public:
  // Runs model.plan() (compiling an ONNX model with the default options if it is not yet
  // compiled); the plan stays alive as long as the session does. `limits`: as Session's.
  ModelSession(Model& model, SessionOptions options, const ResourceLimits& limits = {});

  // One float32 tensor per model input, by name, in any order, each [batch, the input's other
  // dims], one batch for all. Returns every output, in the model's output order, [batch, ...].
  // Throws octet::Error naming the input for a missing, unknown, duplicated or mis-shaped one,
  // and for a batch outside [1, max_batch].
  std::vector<NamedTensor> run(const std::vector<NamedTensor>& inputs);

  // The allocation-light path a binding takes: bind() checks the inputs by name and shape (the
  // same errors as run() above), the caller allocates each output of output_dims(o, batch),
  // then run() fills them. run() allocates nothing and touches no caller object but the
  // buffers, so a binding may run it with its interpreter lock released; one run at a time.
  BoundInputs bind(std::span<const InputView> inputs) const;
  std::vector<int64_t> output_dims(size_t output, int batch) const;
  void run(int batch, std::span<const float* const> inputs, std::span<float* const> outputs);

  const Plan& plan() const { return *plan_; }
  // The session underneath, for what only it offers (Session::enable_profile, step_seconds).
  Session& session() { return session_; }
  // From another thread: the run in progress throws InterruptedError (Session::interrupt).
  void interrupt() { session_.interrupt(); }

 private:
  std::shared_ptr<const Plan> plan_;
  Session session_;
};

}  // namespace octet
