#include "engine/pipeline/model_session.h"

#include <algorithm>

#include "engine/runtime/error.h"

namespace octet {
namespace {

std::string port_names(const std::vector<Port>& ports) {
  std::string out;
  for (const Port& p : ports) out += (out.empty() ? "'" : ", '") + p.name + "'";
  return out;
}

// The batch `t` holds for `port`; throws naming the input when its type or shape is wrong.
int64_t batch_of(const Tensor& t, const Port& port) {
  if (t.dtype != DType::Float32)
    throw Error("input '" + port.name + "' is " + dtype_name(t.dtype) + "; the model takes float32");
  const bool shape_ok = t.dims.size() == port.dims.size() && !t.dims.empty() &&
                        std::equal(t.dims.begin() + 1, t.dims.end(), port.dims.begin() + 1);
  if (!shape_ok)
    throw Error("input '" + port.name + "' has shape " + dims_to_string(t.dims) + "; the model takes " +
                dims_to_string(port.dims) + " (-1: any batch)");
  return t.dims[0];
}

}  // namespace

ModelSession::ModelSession(Model& model, SessionOptions options, const ResourceLimits& limits)
    : plan_(model.shared_plan()), session_(*plan_, options, limits) {}

std::vector<NamedTensor> ModelSession::run(const std::vector<NamedTensor>& inputs) {
  const std::vector<Port>& ports = plan_->inputs;
  for (const NamedTensor& in : inputs) {
    const auto n = std::count_if(inputs.begin(), inputs.end(), [&](const NamedTensor& o) { return o.name == in.name; });
    if (n > 1) throw Error("input '" + in.name + "' given " + std::to_string(n) + " times");
    if (std::none_of(ports.begin(), ports.end(), [&](const Port& p) { return p.name == in.name; }))
      throw Error("the model has no input '" + in.name + "' (its inputs: " + port_names(ports) + ")");
  }
  std::vector<const float*> in_ptrs;
  int64_t batch = -1;
  for (const Port& port : ports) {
    const auto it = std::find_if(inputs.begin(), inputs.end(), [&](const NamedTensor& t) { return t.name == port.name; });
    if (it == inputs.end()) throw Error("input '" + port.name + "' not given (the model's inputs: " + port_names(ports) + ")");
    const int64_t b = batch_of(it->tensor, port);
    if (batch >= 0 && b != batch)
      throw Error("input '" + port.name + "' holds a batch of " + std::to_string(b) + ", the inputs before it " +
                  std::to_string(batch));
    batch = b;
    in_ptrs.push_back(it->tensor.data<float>());
  }
  std::vector<NamedTensor> outputs;
  std::vector<float*> out_ptrs;
  for (const Port& port : plan_->outputs) {
    std::vector<int64_t> dims = port.dims;
    dims.at(0) = batch;
    outputs.push_back({port.name, Tensor(DType::Float32, dims)});
  }
  for (NamedTensor& o : outputs) out_ptrs.push_back(o.tensor.data<float>());
  session_.run(static_cast<int>(batch), in_ptrs, out_ptrs);
  return outputs;
}

}  // namespace octet
