#include "engine/runtime/session.h"

#include <algorithm>
#include <chrono>
#include <cstring>

#include "engine/runtime/error.h"
#include "graph/tensor.h"

namespace octet {

namespace {
// Bytes for `count` copies of `per_copy` bytes, refused (octet::Error) past 2^31 floats
// (octet's tensor limit) before anything is allocated, so an absurd max_batch or thread count
// cannot overflow or ask the allocator for terabytes.
size_t checked_bytes(size_t per_copy, int count, const char* what) {
  const size_t n = static_cast<size_t>(std::max(1, count));
  const size_t limit = static_cast<size_t>(kMaxTensorElements) * sizeof(float);
  if (per_copy != 0 && n > limit / per_copy)
    throw Error(std::string(what) + " of " + std::to_string(n) + " x " + std::to_string(per_copy) +
                " bytes exceeds octet's limit of 2^31 elements");
  return per_copy * n;
}

// The plan's planned bytes for these options against the memory limit, naming the biggest
// buffers of the arena when it is refused, and its MACs per image against the cost limit.
void check_budgets(const Plan& plan, const SessionOptions& o, const ResourceLimits& limits) {
  const int slots = std::min(o.max_batch, o.threads);
  const double arena = static_cast<double>(plan.arena_bytes_per_image) * slots;
  const double scratch = static_cast<double>(align_up(std::max<size_t>(1, plan.workspace_bytes))) * o.threads;
  const std::vector<Consumer> parts{{"weights", static_cast<double>(plan.weights.size())},
                                    {"scratch (" + std::to_string(o.threads) + " threads)", scratch},
                                    {"activation arena (" + std::to_string(slots) + " images)", arena}};
  std::vector<Consumer> buffers;
  for (const Buffer& b : plan.buffers) buffers.push_back({"'" + b.value_name + "'", static_cast<double>(b.bytes_per_image)});
  check_memory_budget(parts, limits.max_memory_bytes, "the session", buffers, "its biggest buffers per image");
  std::vector<Consumer> costs;
  for (const Step& s : plan.steps)
    if (s.macs > 0)
      costs.push_back({"step '" + s.name + "' (" + s.kernel_name() + ")", static_cast<double>(s.macs)});
  check_cost_budget(costs, limits.max_cost_per_image, 1, "the plan");
}

// Checked first (options_ is initialised before the arena and pool are built from it).
SessionOptions validated(const Plan& plan, SessionOptions o, const ResourceLimits& limits) {
  if (o.max_batch < 1) throw Error("max_batch must be at least 1");
  if (o.threads < 1 || o.threads > 1024)
    throw Error("threads must be in [1, 1024], given " + std::to_string(o.threads));
  check_budgets(plan, o, limits);
  return o;
}

// Rows per interrupt check: about Session::kInterruptCheckMacs MACs, at least the type's
// min_chunk, whole tiles.
int32_t chunk_rows(const Step& s, const RowSplit& split) {
  if (s.macs <= 0 || split.rows <= 0) return std::max<int32_t>(1, split.rows);
  const int64_t macs_per_row = std::max<int64_t>(1, s.macs / split.rows);
  const int64_t rows = std::max<int64_t>({1, Session::kInterruptCheckMacs / macs_per_row, split.min_chunk});
  const int64_t tiles = (rows + split.tile - 1) / split.tile;
  return static_cast<int32_t>(std::min<int64_t>(split.rows, tiles * split.tile));
}
}  // namespace

Session::Session(const Plan& plan, SessionOptions options, const ResourceLimits& limits)
    : plan_(plan),
      options_(validated(plan, options, limits)),
      slots_(std::min(options_.max_batch, options_.threads)),
      workspace_stride_(align_up(std::max<size_t>(1, plan.workspace_bytes))),
      arena_(checked_bytes(plan.arena_bytes_per_image, slots_, "activation arena")),
      workspace_(checked_bytes(workspace_stride_, options_.threads, "scratch")),
      pool_(options_.threads),
      step_seconds_(plan.steps.size(), 0.0),
      in_place_port_(plan.buffers.size(), -1),
      in_place_(static_cast<size_t>(slots_) * plan.inputs.size(), nullptr) {
  for (size_t i = 0; i < plan.inputs.size(); ++i) {
    const int id = plan.inputs[i].buffer;
    // The caller's array has none of the arena's slack past the data (plan.h, AlignedBytes),
    // so every step that reads the input must read exactly its elements.
    bool read_only = id >= 0 && static_cast<size_t>(id) < plan.buffers.size();
    for (const Step& s : plan.steps) {
      read_only = read_only && s.output != id;
      if (s.input == id || s.input2 == id) read_only = read_only && s.type->reads_input_exactly;
    }
    for (const Port& o : plan.outputs) read_only = read_only && o.buffer != id;
    if (read_only) in_place_port_[static_cast<size_t>(id)] = static_cast<int>(i);
  }
  splits_.reserve(plan.steps.size());
  chunk_rows_.reserve(plan.steps.size());
  for (const Step& s : plan.steps) {
    splits_.push_back(s.type->rows(*s.params));
    chunk_rows_.push_back(chunk_rows(s, splits_.back()));
  }
}

void Session::enable_profile(bool on) {
  profile_ = on;
  std::fill(step_seconds_.begin(), step_seconds_.end(), 0.0);
}

// The session holds min(max_batch, threads) copies ("slots") of the per-image arena the memory
// plan laid out: a thread running whole images reuses its own slot for each of them, so its
// activations stay in cache from one image to the next and memory does not grow with the batch;
// the layer-by-layer path runs up to `slots_` images at a time, one per slot.
uint8_t* Session::buffer(int id, int slot) {
  return arena_.data() + static_cast<size_t>(slot) * plan_.arena_bytes_per_image +
         plan_.buffers[static_cast<size_t>(id)].offset;
}

const uint8_t* Session::read_buffer(int id, int slot) {
  const int port = in_place_port_[static_cast<size_t>(id)];
  const uint8_t* caller =
      port < 0 ? nullptr : in_place_[static_cast<size_t>(slot) * plan_.inputs.size() + static_cast<size_t>(port)];
  return caller != nullptr ? caller : buffer(id, slot);
}

void Session::load_image(int image, int slot) {
  for (size_t i = 0; i < plan_.inputs.size(); ++i) {
    const Port& p = plan_.inputs[i];
    const size_t n = static_cast<size_t>(p.floats_per_image());
    const float* src = inputs_[i] + static_cast<size_t>(image) * n;
    const bool in_place = in_place_port_[static_cast<size_t>(p.buffer)] >= 0 &&
                          reinterpret_cast<uintptr_t>(src) % kPlanAlignment == 0;
    in_place_[static_cast<size_t>(slot) * plan_.inputs.size() + i] = in_place ? reinterpret_cast<const uint8_t*>(src) : nullptr;
    if (!in_place) std::memcpy(buffer(p.buffer, slot), src, n * sizeof(float));
  }
}

void Session::store_image(int image, int slot) {
  for (size_t i = 0; i < plan_.outputs.size(); ++i) {
    const Port& p = plan_.outputs[i];
    const size_t n = static_cast<size_t>(p.floats_per_image());
    std::memcpy(outputs_[i] + static_cast<size_t>(image) * n, buffer(p.buffer, slot), n * sizeof(float));
  }
}

void Session::run_step(size_t step, int slot, int32_t row_begin, int32_t row_end, int thread) {
  const Step& s = plan_.steps[step];
  const StepContext context{s.input >= 0 ? read_buffer(s.input, slot) : nullptr,
                            s.input2 >= 0 ? read_buffer(s.input2, slot) : nullptr,
                            buffer(s.output, slot),
                            plan_.weights.data(),
                            workspace_.data() + static_cast<size_t>(thread) * workspace_stride_,
                            plan_.vector,
                            plan_.qvector};
  const int32_t chunk = chunk_rows_[step];
  for (int32_t begin = row_begin; begin < row_end && !interrupted(); begin += chunk)
    s.type->run(*s.params, context, begin, std::min(row_end, begin + chunk));
}

void Session::run_images(int first, int last, int thread) {
  for (int i = first; i < last; ++i) {
    load_image(i, thread);
    for (size_t si = 0; si < plan_.steps.size() && !interrupted(); ++si) run_step(si, thread, 0, splits_[si].rows, thread);
    if (interrupted()) return;
    store_image(i, thread);
  }
}

// Layer by layer for images [first, first + count), count <= slots_: each layer's rows split
// across threads (batch-1 latency), with per-step timing and observers.
void Session::run_layers(int first, int count) {
  for (int j = 0; j < count; ++j) load_image(first + j, j);
  const int threads = pool_.size();
  for (size_t si = 0; si < plan_.steps.size() && !interrupted(); ++si) {
    const Step& s = plan_.steps[si];
    const int32_t rows = splits_[si].rows, tile = splits_[si].tile;
    const int32_t tiles = (rows + tile - 1) / tile;
    const int32_t chunks = std::min<int32_t>(tiles, threads);
    auto t0 = std::chrono::steady_clock::now();
    auto task = [&](int64_t t, int thread) {
      const int slot = static_cast<int>(t / chunks);
      const int32_t c = static_cast<int32_t>(t % chunks);
      const int32_t begin = std::min(rows, (tiles * c / chunks) * tile);
      const int32_t end = std::min(rows, (tiles * (c + 1) / chunks) * tile);
      if (begin < end) run_step(si, slot, begin, end, thread);
    };
    pool_.parallel_for(int64_t{count} * chunks, task);
    if (profile_) step_seconds_[si] += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (observer_)
      for (int j = 0; j < count; ++j) observer_(si, first + j, buffer(s.output, j));
  }
  if (interrupted()) return;
  for (int j = 0; j < count; ++j) store_image(first + j, j);
}

void Session::check_run(int batch, size_t inputs, size_t outputs) const {
  if (batch < 1 || batch > options_.max_batch)
    throw Error("batch " + std::to_string(batch) + " is outside this session's range [1, " +
                std::to_string(options_.max_batch) + "]");
  if (inputs != plan_.inputs.size() || outputs != plan_.outputs.size())
    throw Error("run() takes " + std::to_string(plan_.inputs.size()) + " inputs and " +
                std::to_string(plan_.outputs.size()) + " outputs");
}

void Session::run(int batch, std::span<const float* const> inputs, std::span<float* const> outputs) {
  check_run(batch, inputs.size(), outputs.size());
  inputs_ = inputs;
  outputs_ = outputs;
  interrupted_.store(false, std::memory_order_relaxed);
  const int threads = pool_.size();
  if (profile_ || observer_ || batch < threads) {
    for (int first = 0; first < batch && !interrupted(); first += slots_) run_layers(first, std::min(slots_, batch - first));
  } else {
    // Whole images per thread: no barrier between layers, activations stay in cache.
    auto task = [&](int64_t t, int thread) {
      const int first = static_cast<int>(batch * t / threads);
      const int last = static_cast<int>(batch * (t + 1) / threads);
      run_images(first, last, thread);
    };
    pool_.parallel_for(threads, task);
  }
  if (interrupted()) throw InterruptedError("the run was interrupted");
}

void Session::run(int batch, std::span<const std::span<const float>> inputs,
                  std::span<const std::span<float>> outputs) {
  check_run(batch, inputs.size(), outputs.size());
  auto check = [&](const char* what, const Port& p, size_t size) {
    const size_t want = static_cast<size_t>(batch) * static_cast<size_t>(p.floats_per_image());
    if (size != want)
      throw Error(std::string(what) + " '" + p.name + "': batch " + std::to_string(batch) + " of shape " +
                  dims_to_string(p.dims) + " needs " + std::to_string(want) + " floats, given " +
                  std::to_string(size));
  };
  // The pointer lists live on the stack for the usual handful of ports, so that a checked run
  // allocates no more than an unchecked one.
  constexpr size_t kStackPorts = 8;
  const float* in_ptrs[kStackPorts];
  float* out_ptrs[kStackPorts];
  std::vector<const float*> in_heap;
  std::vector<float*> out_heap;
  if (inputs.size() > kStackPorts) in_heap.resize(inputs.size());
  if (outputs.size() > kStackPorts) out_heap.resize(outputs.size());
  const float** in = inputs.size() > kStackPorts ? in_heap.data() : in_ptrs;
  float** out = outputs.size() > kStackPorts ? out_heap.data() : out_ptrs;
  for (size_t i = 0; i < inputs.size(); ++i) {
    check("input", plan_.inputs[i], inputs[i].size());
    in[i] = inputs[i].data();
  }
  for (size_t i = 0; i < outputs.size(); ++i) {
    check("output", plan_.outputs[i], outputs[i].size());
    out[i] = outputs[i].data();
  }
  run(batch, std::span<const float* const>(in, inputs.size()), std::span<float* const>(out, outputs.size()));
}

}  // namespace octet
