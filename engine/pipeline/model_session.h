// A Session over a Model's plan that takes and gives named tensors: what a binding's
// `Session(model, threads, max_batch).run({name: array})` calls. It allocates the outputs on
// each run; engine/session.h is the allocation-free interface underneath.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "engine/pipeline/model.h"
#include "engine/runtime/session.h"
#include "graph/tensor.h"

namespace octet {

struct NamedTensor {
  std::string name;
  Tensor tensor;
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
