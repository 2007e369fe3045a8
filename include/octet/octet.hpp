// octet runtime: the C++ API, a header-only layer over the C API (octet/octet.h), so that the
// library's binary interface is C alone. Errors throw octet::runtime::Error in the caller's
// code; nothing throws across the library boundary.
//
//   auto model = octet::runtime::Model::load("resnet8.octet");
//   octet::runtime::Session session(model, {.threads = 2});
//   std::vector<float> probs(model.outputs()[0].elements());
//   session.run(1, pixels.data(), probs.data());
//
// A Model is cheap to copy (shared, immutable) and safe to use from any thread; a Session
// runs one call at a time (concurrent calls on one Session are serialised), so give each
// thread its own Session for parallel inference; interrupt() is the one call that another
// thread may make during a run.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "octet/octet.h"

namespace octet::runtime {

class Error : public std::runtime_error {
 public:
  Error(octet_status status, const std::string& message) : std::runtime_error(message), status_(status) {}
  octet_status status() const { return status_; }

 private:
  octet_status status_;
};

namespace detail {
inline void check(octet_status s) {
  if (s != OCTET_OK) throw Error(s, std::string(octet_status_string(s)) + ": " + octet_last_error());
}
}  // namespace detail

enum class DType { Float32 = OCTET_FLOAT32 };

struct TensorInfo {
  std::string name;
  std::vector<int64_t> shape;   // shape[0] is the batch, -1 when free
  DType dtype = DType::Float32;
  // Elements of one image: the product of shape[1..].
  size_t elements() const {
    size_t n = 1;
    for (size_t i = 1; i < shape.size(); ++i) n *= static_cast<size_t>(shape[i]);
    return n;
  }
};

class Model {
 public:
  static Model load(const std::string& path) {
    octet_model* m = nullptr;
    detail::check(octet_model_load_file(path.c_str(), &m));
    return Model(m);
  }
  // The bytes are copied.
  static Model load(const void* data, size_t size) {
    octet_model* m = nullptr;
    detail::check(octet_model_load_bytes(data, size, &m));
    return Model(m);
  }

  const std::vector<TensorInfo>& inputs() const { return inputs_; }
  const std::vector<TensorInfo>& outputs() const { return outputs_; }
  std::string description() const { return octet_model_description(handle_.get()); }
  const octet_model* handle() const { return handle_.get(); }

 private:
  explicit Model(octet_model* m) : handle_(m, &octet_model_free) {
    for (size_t i = 0; i < octet_model_input_count(m); ++i) inputs_.push_back(info(i, true));
    for (size_t i = 0; i < octet_model_output_count(m); ++i) outputs_.push_back(info(i, false));
  }
  TensorInfo info(size_t i, bool input) const {
    const octet_model* m = handle_.get();
    TensorInfo t;
    t.name = input ? octet_model_input_name(m, i) : octet_model_output_name(m, i);
    size_t rank = 0;
    auto shape = input ? &octet_model_input_shape : &octet_model_output_shape;
    detail::check(shape(m, i, nullptr, 0, &rank));
    t.shape.resize(rank);
    detail::check(shape(m, i, t.shape.data(), rank, &rank));
    octet_dtype d = OCTET_FLOAT32;
    detail::check(input ? octet_model_input_dtype(m, i, &d) : octet_model_output_dtype(m, i, &d));
    t.dtype = static_cast<DType>(d);
    return t;
  }

  std::shared_ptr<octet_model> handle_;
  std::vector<TensorInfo> inputs_, outputs_;
};

struct SessionOptions {
  int threads = 1;     // including the calling thread
  int max_batch = 1;   // largest batch one run takes
  uint64_t max_memory_bytes = 0;   // planned arena, scratch and weights; 0: the default, 1 GiB
  double max_cost_per_image = 0;   // multiply-accumulates per image; 0: the default, 1e12
};

class Session {
 public:
  explicit Session(const Model& model, SessionOptions options = {}) : session_(nullptr, &octet_session_free) {
    const octet_session_options o{options.threads, options.max_batch, options.max_memory_bytes,
                                  options.max_cost_per_image};
    octet_session* s = nullptr;
    detail::check(octet_session_create(model.handle(), &o, &s));
    session_.reset(s);
  }

  // inputs[i]: batch x model.inputs()[i].elements() floats (caller-owned), outputs likewise.
  void run(int batch, const std::vector<const float*>& inputs, const std::vector<float*>& outputs) {
    detail::check(octet_session_run(session_.get(), batch, inputs.data(), inputs.size(), outputs.data(), outputs.size()));
  }
  // One input, one output (a classifier).
  void run(int batch, const float* input, float* output) {
    detail::check(octet_session_run(session_.get(), batch, &input, 1, &output, 1));
  }
  // From another thread: the run in progress throws Error with status() OCTET_INTERRUPTED
  // within milliseconds; the session stays usable.
  void interrupt() { detail::check(octet_session_interrupt(session_.get())); }

 private:
  std::unique_ptr<octet_session, void (*)(octet_session*)> session_;
};

}  // namespace octet::runtime
