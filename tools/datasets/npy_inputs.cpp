#include "tools/datasets/npy_inputs.h"

#include <algorithm>
#include <cstring>

#include "engine/runtime/error.h"
#include "tools/datasets/npy.h"

namespace octet {
namespace {

std::string input_names(const std::vector<TensorInfo>& inputs) {
  std::string out;
  for (const TensorInfo& i : inputs) out += (out.empty() ? "'" : ", '") + i.name + "'";
  return out;
}

void check_shape(const Tensor& t, const TensorInfo& input, const std::string& what) {
  bool ok = t.dims.size() == input.dims.size() && !t.dims.empty();
  for (size_t d = 1; ok && d < t.dims.size(); ++d) ok = input.dims[d] < 0 || input.dims[d] == t.dims[d];
  if (!ok)
    throw Error(what + ": shape " + dims_to_string(t.dims) + ", but input '" + input.name + "' takes " +
                dims_to_string(input.dims) + " (the first dim is the batch: any row count; -1: any size)");
  if (t.dims[0] == 0) throw Error(what + ": the file holds no rows");
}

}  // namespace

std::vector<NpyInput> read_npy_inputs(const std::vector<TensorInfo>& inputs, const std::vector<std::string>& args,
                                      const std::string& flag) {
  std::vector<NpyInput> given;
  for (const std::string& arg : args) {
    const size_t eq = arg.find('=');
    NpyInput in;
    if (eq == std::string::npos) {
      if (inputs.size() != 1)
        throw Error(flag + " " + arg + ": the model has " + std::to_string(inputs.size()) + " inputs (" +
                    input_names(inputs) + "); name each file: " + flag + " NAME=file.npy");
      in.name = inputs[0].name;
      in.path = arg;
    } else {
      in.name = arg.substr(0, eq);
      in.path = arg.substr(eq + 1);
      if (std::none_of(inputs.begin(), inputs.end(), [&](const TensorInfo& i) { return i.name == in.name; }))
        throw Error(flag + " " + arg + ": the model has no input '" + in.name + "' (its inputs: " + input_names(inputs) + ")");
    }
    if (std::any_of(given.begin(), given.end(), [&](const NpyInput& g) { return g.name == in.name; }))
      throw Error(flag + ": input '" + in.name + "' given twice");
    given.push_back(std::move(in));
  }
  std::vector<NpyInput> out;
  for (const TensorInfo& input : inputs) {
    auto it = std::find_if(given.begin(), given.end(), [&](const NpyInput& g) { return g.name == input.name; });
    if (it == given.end())
      throw Error(flag + ": no file for input '" + input.name + "' (the model's inputs: " + input_names(inputs) + ")");
    const std::string what = flag + " " + it->path;
    it->tensor = read_npy(it->path);
    check_shape(it->tensor, input, what);
    if (!out.empty() && it->tensor.dims[0] != out[0].tensor.dims[0])
      throw Error(what + ": " + std::to_string(it->tensor.dims[0]) + " rows, but " + out[0].path + " has " +
                  std::to_string(out[0].tensor.dims[0]));
    out.push_back(std::move(*it));
  }
  return out;
}

Tensor slice_rows(const Tensor& t, int64_t first, int64_t count) {
  if (t.dims.empty() || first < 0 || count < 0 || first + count > t.dims[0])
    throw Error("slice_rows: rows [" + std::to_string(first) + ", " + std::to_string(first + count) +
                ") of a tensor of shape " + dims_to_string(t.dims));
  std::vector<int64_t> dims = t.dims;
  dims[0] = count;
  Tensor out(t.dtype, dims);
  const size_t row_bytes = t.dims[0] ? t.bytes.size() / static_cast<size_t>(t.dims[0]) : 0;
  if (!out.bytes.empty()) std::memcpy(out.bytes.data(), t.bytes.data() + static_cast<size_t>(first) * row_bytes, out.bytes.size());
  return out;
}

}  // namespace octet
