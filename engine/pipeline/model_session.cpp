#include "engine/pipeline/model_session.h"

#include <algorithm>
#include <limits>

#include "engine/runtime/error.h"

namespace octet {
namespace {

std::string port_names(const std::vector<Port>& ports) {
  std::string out;
  for (const Port& p : ports) out += (out.empty() ? "'" : ", '") + p.name + "'";
  return out;
}

// The batch `dims` holds for `port`; throws naming the input when the shape is wrong.
int64_t batch_of(std::span<const int64_t> dims, const Port& port) {
  const bool shape_ok = dims.size() == port.dims.size() && !dims.empty() &&
                        std::equal(dims.begin() + 1, dims.end(), port.dims.begin() + 1);
  if (!shape_ok)
    throw Error("input '" + port.name + "' has shape " + dims_to_string(dims) + "; the model takes " +
                dims_to_string(port.dims) + " (-1: any batch)");
  return dims[0];
}

}  // namespace

ModelSession::ModelSession(Model& model, SessionOptions options, const ResourceLimits& limits)
    : plan_(model.shared_plan()), session_(*plan_, options, limits) {}

BoundInputs ModelSession::bind(std::span<const InputView> inputs) const {
  const std::vector<Port>& ports = plan_->inputs;
  for (const InputView& in : inputs) {
    const auto n = std::count_if(inputs.begin(), inputs.end(), [&](const InputView& o) { return o.name == in.name; });
    if (n > 1) throw Error("input '" + std::string(in.name) + "' given " + std::to_string(n) + " times");
    if (std::none_of(ports.begin(), ports.end(), [&](const Port& p) { return p.name == in.name; }))
      throw Error("the model has no input '" + std::string(in.name) + "' (its inputs: " + port_names(ports) + ")");
  }
  BoundInputs bound;
  int64_t batch = -1;
  for (const Port& port : ports) {
    const auto it = std::find_if(inputs.begin(), inputs.end(), [&](const InputView& t) { return t.name == port.name; });
    if (it == inputs.end()) throw Error("input '" + port.name + "' not given (the model's inputs: " + port_names(ports) + ")");
    const int64_t b = batch_of(it->dims, port);
    if (batch >= 0 && b != batch)
      throw Error("input '" + port.name + "' holds a batch of " + std::to_string(b) + ", the inputs before it " +
                  std::to_string(batch));
    batch = b;
    bound.data.push_back(it->data);
  }
  // The session checks the batch against [1, max_batch]; here only that it fits an int.
  if (batch > std::numeric_limits<int>::max()) throw Error("a batch of " + std::to_string(batch) + " images is too large");
  bound.batch = static_cast<int>(batch);
  return bound;
}

std::vector<int64_t> ModelSession::output_dims(size_t output, int batch) const {
  std::vector<int64_t> dims = plan_->outputs.at(output).dims;
  dims.at(0) = batch;
  return dims;
}

void ModelSession::run(int batch, std::span<const float* const> inputs, std::span<float* const> outputs) {
  session_.run(batch, inputs, outputs);
}

std::vector<NamedTensor> ModelSession::run(const std::vector<NamedTensor>& inputs) {
  std::vector<InputView> views;
  for (const NamedTensor& in : inputs) {
    if (in.tensor.dtype != DType::Float32)
      throw Error("input '" + in.name + "' is " + dtype_name(in.tensor.dtype) + "; the model takes float32");
    views.push_back({in.name, in.tensor.dims, in.tensor.data<float>()});
  }
  const BoundInputs bound = bind(views);
  std::vector<NamedTensor> outputs;
  std::vector<float*> out_ptrs;
  for (size_t o = 0; o < plan_->outputs.size(); ++o)
    outputs.push_back({plan_->outputs[o].name, Tensor(DType::Float32, output_dims(o, bound.batch))});
  for (NamedTensor& o : outputs) out_ptrs.push_back(o.tensor.data<float>());
  session_.run(bound.batch, bound.data, out_ptrs);
  return outputs;
}

}  // namespace octet
