// The C API (include/octet/octet.h) over the model file loader and Session. Every entry point
// catches everything: no exception crosses the C boundary.
#include <cstring>
#include <memory>
#include <mutex>
#include <new>
#include <string>

#include "engine/runtime/model_file.h"
#include "engine/runtime/resource_limits.h"
#include "engine/runtime/session.h"
#include "engine/runtime/error.h"
#include "octet/octet.h"
#include "octet/version.h"

struct octet_model {
  std::shared_ptr<const octet::Plan> plan;
  std::string description;
};

struct octet_session {
  std::shared_ptr<const octet::Plan> plan;   // keeps the plan alive after octet_model_free
  std::unique_ptr<octet::Session> session;
  std::mutex mutex;                          // one run at a time
};

namespace {

thread_local std::string g_last_error;

octet_status fail(octet_status status, const std::string& message) {
  g_last_error = message;
  return status;
}

// Runs f, turning any exception into a status and the thread's last error.
template <typename F>
octet_status guarded(F&& f) {
  try {
    return f();
  } catch (const octet::UnsupportedCpuError& e) {
    return fail(OCTET_UNSUPPORTED_CPU, e.what());
  } catch (const octet::ModelFileIoError& e) {
    return fail(OCTET_IO_ERROR, e.what());
  } catch (const octet::ResourceLimitError& e) {
    return fail(OCTET_RESOURCE_LIMIT, e.what());
  } catch (const octet::InterruptedError& e) {
    return fail(OCTET_INTERRUPTED, e.what());
  } catch (const octet::Error& e) {
    return fail(OCTET_INVALID_MODEL, e.what());
  } catch (const std::bad_alloc&) {
    return fail(OCTET_OUT_OF_MEMORY, "out of memory");
  } catch (const std::exception& e) {
    return fail(OCTET_INTERNAL_ERROR, e.what());
  } catch (...) {
    return fail(OCTET_INTERNAL_ERROR, "unknown error");
  }
}

std::string describe(const octet::Plan& plan, const octet::ModelFileMeta& meta) {
  std::string kernels;
  for (const octet::Step& s : plan.steps)
    if (s.has_kernel()) {
      const std::string k = s.kernel_name();
      if (kernels.find(k) == std::string::npos) kernels += (kernels.empty() ? "" : ",") + k;
    }
  return "scheme " + (meta.scheme.empty() ? std::string("?") : meta.scheme) + ", isa " + plan.isa + ", " +
         std::to_string(plan.steps.size()) + " steps, " + std::to_string(plan.weights.size()) +
         " bytes of weights, arena " + std::to_string(plan.arena_bytes_per_image) +
         " bytes per image, kernels " + kernels + (meta.producer.empty() ? "" : ", by " + meta.producer) +
         (meta.source.empty() ? "" : " from " + meta.source);
}

octet_status make_model(octet::Plan plan, const octet::ModelFileMeta& meta, octet_model** out) {
  auto m = std::make_unique<octet_model>();
  m->description = describe(plan, meta);
  m->plan = std::make_shared<const octet::Plan>(std::move(plan));
  *out = m.release();
  return OCTET_OK;
}

const octet::Port* port(const octet_model* m, size_t index, bool input) {
  if (m == nullptr) return nullptr;
  const auto& ports = input ? m->plan->inputs : m->plan->outputs;
  return index < ports.size() ? &ports[index] : nullptr;
}

octet_status shape(const octet_model* m, size_t index, bool input, int64_t* dims, size_t capacity, size_t* rank) {
  const octet::Port* p = port(m, index, input);
  if (p == nullptr || rank == nullptr || (capacity > 0 && dims == nullptr))
    return fail(OCTET_INVALID_ARGUMENT, std::string(input ? "input" : "output") + " shape: bad model, index or pointer");
  *rank = p->dims.size();
  for (size_t i = 0; i < capacity && i < p->dims.size(); ++i) dims[i] = p->dims[i];
  return OCTET_OK;
}

octet_status dtype(const octet_model* m, size_t index, bool input, octet_dtype* out) {
  if (port(m, index, input) == nullptr || out == nullptr)
    return fail(OCTET_INVALID_ARGUMENT, std::string(input ? "input" : "output") + " dtype: bad model, index or pointer");
  *out = OCTET_FLOAT32;   // the runtime's ports are float32 (int8 models quantize inside)
  return OCTET_OK;
}

}  // namespace

extern "C" {

const char* octet_status_string(octet_status status) {
  switch (status) {
    case OCTET_OK: return "ok";
    case OCTET_INVALID_ARGUMENT: return "invalid argument";
    case OCTET_IO_ERROR: return "i/o error";
    case OCTET_INVALID_MODEL: return "invalid model";
    case OCTET_UNSUPPORTED_CPU: return "unsupported cpu";
    case OCTET_OUT_OF_MEMORY: return "out of memory";
    case OCTET_INTERNAL_ERROR: return "internal error";
    case OCTET_RESOURCE_LIMIT: return "resource limit";
    case OCTET_INTERRUPTED: return "interrupted";
  }
  return "unknown status";
}

const char* octet_last_error(void) { return g_last_error.c_str(); }

const char* octet_version(void) { return OCTET_VERSION; }

octet_status octet_model_load_file(const char* path, octet_model** model) {
  if (model) *model = nullptr;
  if (path == nullptr || model == nullptr) return fail(OCTET_INVALID_ARGUMENT, "octet_model_load_file: NULL argument");
  return guarded([&] {
    octet::ModelFileMeta meta;
    octet::Plan plan = octet::read_model_file(path, {}, &meta);
    return make_model(std::move(plan), meta, model);
  });
}

octet_status octet_model_load_bytes(const void* data, size_t size, octet_model** model) {
  if (model) *model = nullptr;
  if ((data == nullptr && size > 0) || model == nullptr)
    return fail(OCTET_INVALID_ARGUMENT, "octet_model_load_bytes: NULL argument");
  return guarded([&] {
    octet::ModelFileMeta meta;
    octet::Plan plan = octet::load_model_file({static_cast<const uint8_t*>(data), size}, {}, &meta);
    return make_model(std::move(plan), meta, model);
  });
}

void octet_model_free(octet_model* model) { delete model; }

size_t octet_model_input_count(const octet_model* m) { return m ? m->plan->inputs.size() : 0; }
size_t octet_model_output_count(const octet_model* m) { return m ? m->plan->outputs.size() : 0; }
const char* octet_model_input_name(const octet_model* m, size_t i) {
  const octet::Port* p = port(m, i, true);
  return p ? p->name.c_str() : nullptr;
}
const char* octet_model_output_name(const octet_model* m, size_t i) {
  const octet::Port* p = port(m, i, false);
  return p ? p->name.c_str() : nullptr;
}
octet_status octet_model_input_shape(const octet_model* m, size_t i, int64_t* dims, size_t capacity, size_t* rank) {
  return shape(m, i, true, dims, capacity, rank);
}
octet_status octet_model_output_shape(const octet_model* m, size_t i, int64_t* dims, size_t capacity, size_t* rank) {
  return shape(m, i, false, dims, capacity, rank);
}
octet_status octet_model_input_dtype(const octet_model* m, size_t i, octet_dtype* d) { return dtype(m, i, true, d); }
octet_status octet_model_output_dtype(const octet_model* m, size_t i, octet_dtype* d) { return dtype(m, i, false, d); }
size_t octet_model_input_elements(const octet_model* m, size_t i) {
  const octet::Port* p = port(m, i, true);
  return p ? static_cast<size_t>(p->floats_per_image()) : 0;
}
size_t octet_model_output_elements(const octet_model* m, size_t i) {
  const octet::Port* p = port(m, i, false);
  return p ? static_cast<size_t>(p->floats_per_image()) : 0;
}
const char* octet_model_description(const octet_model* m) { return m ? m->description.c_str() : ""; }

octet_status octet_session_create(const octet_model* model, const octet_session_options* options,
                                  octet_session** session) {
  if (session) *session = nullptr;
  if (model == nullptr || session == nullptr) return fail(OCTET_INVALID_ARGUMENT, "octet_session_create: NULL argument");
  octet::SessionOptions o;
  octet::ResourceLimits limits;
  if (options) {
    o.threads = options->threads;
    o.max_batch = options->max_batch;
    if (options->max_memory_bytes != 0) limits.max_memory_bytes = options->max_memory_bytes;
    if (options->max_cost_per_image != 0) limits.max_cost_per_image = options->max_cost_per_image;
    if (!(limits.max_cost_per_image > 0))
      return fail(OCTET_INVALID_ARGUMENT, "octet_session_create: max_cost_per_image must be positive or 0 (the default)");
  }
  return guarded([&] {
    auto s = std::make_unique<octet_session>();
    s->plan = model->plan;
    try {
      s->session = std::make_unique<octet::Session>(*s->plan, o, limits);
    } catch (const octet::ResourceLimitError& e) {
      return fail(OCTET_RESOURCE_LIMIT, e.what());
    } catch (const octet::Error& e) {
      return fail(OCTET_INVALID_ARGUMENT, e.what());
    }
    *session = s.release();
    return OCTET_OK;
  });
}

void octet_session_free(octet_session* session) { delete session; }

octet_status octet_session_run(octet_session* session, int batch, const float* const* inputs, size_t input_count,
                               float* const* outputs, size_t output_count) {
  if (session == nullptr) return fail(OCTET_INVALID_ARGUMENT, "octet_session_run: NULL session");
  const octet::Plan& plan = *session->plan;
  if (input_count != plan.inputs.size() || output_count != plan.outputs.size())
    return fail(OCTET_INVALID_ARGUMENT, "octet_session_run: the model takes " + std::to_string(plan.inputs.size()) +
                                            " inputs and " + std::to_string(plan.outputs.size()) + " outputs");
  for (size_t i = 0; i < input_count; ++i)
    if (inputs == nullptr || inputs[i] == nullptr) return fail(OCTET_INVALID_ARGUMENT, "octet_session_run: NULL input");
  for (size_t i = 0; i < output_count; ++i)
    if (outputs == nullptr || outputs[i] == nullptr) return fail(OCTET_INVALID_ARGUMENT, "octet_session_run: NULL output");
  return guarded([&] {
    std::lock_guard<std::mutex> lock(session->mutex);
    try {
      session->session->run(batch, std::span<const float* const>(inputs, input_count),
                            std::span<float* const>(outputs, output_count));
    } catch (const octet::InterruptedError& e) {
      return fail(OCTET_INTERRUPTED, e.what());
    } catch (const octet::Error& e) {
      return fail(OCTET_INVALID_ARGUMENT, e.what());   // batch out of range
    }
    return OCTET_OK;
  });
}

octet_status octet_session_interrupt(octet_session* session) {
  if (session == nullptr) return fail(OCTET_INVALID_ARGUMENT, "octet_session_interrupt: NULL session");
  session->session->interrupt();   // an atomic store: no lock, so it never waits for the run
  return OCTET_OK;
}

}  // extern "C"
