// Runs a compiled Plan. A Session owns what one run mutates (the activation arena, per-thread
// scratch, the thread pool), all allocated here once: run() allocates nothing. One Plan can
// serve many Sessions; a Session runs one call at a time.
#pragma once
#include <atomic>
#include <functional>
#include <span>
#include <vector>

#include "engine/runtime/plan.h"
#include "engine/runtime/resource_limits.h"
#include "engine/runtime/thread_pool.h"

namespace octet {

struct SessionOptions {
  int threads = 1;
  int max_batch = 1;   // the arena holds this many images
};

class Session {
 public:
  // `limits` are checked here, before anything is allocated: the planned bytes (arena,
  // scratch, weights) against max_memory_bytes and the plan's MACs per image against
  // max_cost_per_image; ResourceLimitError names the biggest buffers or steps and the limit.
  Session(const Plan& plan, SessionOptions options, const ResourceLimits& limits = {});

  // inputs[i]: batch × plan.inputs[i].floats_per_image() floats in the layout the model
  // declares; outputs[i] likewise for plan.outputs[i]. An input whose images start on
  // kPlanAlignment (64-byte) boundaries is read where it is, when no step writes its buffer,
  // every step reading it reads no byte past its elements (StepType::reads_input_exactly) and
  // it is no output; any other is copied into the arena first (a 224x224 RGB image is
  // 600 KB: the copy cost 2-4% of a MobileNet's run). Either way the inputs are only read. Throws octet::Error if batch is
  // outside [1, max_batch] or the pointer counts are wrong, InterruptedError when interrupt()
  // stopped it (the session stays usable; the outputs are then unspecified).
  void run(int batch, std::span<const float* const> inputs, std::span<float* const> outputs);
  // The same with sizes: also throws octet::Error, naming the input or output, when a span
  // does not hold exactly batch × floats_per_image floats. Allocates nothing either.
  void run(int batch, std::span<const std::span<const float>> inputs, std::span<const std::span<float>> outputs);

  // Bytes of activation memory (min(max_batch, threads) copies of the plan's per-image arena)
  // and of scratch.
  size_t arena_bytes() const { return arena_.size(); }
  size_t workspace_bytes() const { return workspace_.size(); }
  const Plan& plan() const { return plan_; }
  // Makes the run in progress, on another thread, stop within milliseconds and throw
  // InterruptedError: every thread checks between steps and between chunks of a step's rows
  // (each chunk about kInterruptCheckMacs MACs, tens of microseconds with AVX-512, or the
  // step type's RowSplit::min_chunk rows where that is more: a conv whose weights exceed the
  // caches, such as Winograd's transformed ones on ResNet50's 14x14x256 layers, reads them
  // once per call). Thread-safe and lock-free; without a run in progress it has no effect
  // (each run starts uninterrupted).
  void interrupt() { interrupted_.store(true, std::memory_order_relaxed); }
  static constexpr int64_t kInterruptCheckMacs = int64_t{1} << 22;
  int threads() const { return pool_.size(); }
  // Whether input i may be read in place (run() above): then it is, for images on 64-byte
  // boundaries.
  bool input_read_in_place(size_t i) const {
    return in_place_port_[static_cast<size_t>(plan_.inputs.at(i).buffer)] >= 0;
  }

  // Optional: called after each step with the step's index, an image of the batch, and that
  // image's output buffer (float, or uint8 when Plan::buffers[step.output].uint8). Runs the
  // plan layer by layer. For error reports (octet-quantize's per-layer SQNR); off by default.
  using StepObserver = std::function<void(size_t step, int image, const void* output)>;
  void set_step_observer(StepObserver observer) { observer_ = std::move(observer); }

  // Optional per-step timing (seconds, accumulated over runs) for profiles; off by default.
  void enable_profile(bool on);
  const std::vector<double>& step_seconds() const { return step_seconds_; }

 private:
  uint8_t* buffer(int id, int slot);
  // What a step reads for buffer `id`: the caller's image when load_image left it in place.
  const uint8_t* read_buffer(int id, int slot);
  // Throws octet::Error for a batch outside [1, max_batch] or wrong port counts.
  void check_run(int batch, size_t inputs, size_t outputs) const;
  void load_image(int image, int slot);    // the run's inputs of `image` into arena slot `slot`
  void store_image(int image, int slot);   // and its outputs back
  void run_layers(int first, int count);
  // Output rows [row_begin, row_end) of step s on the image in arena slot `slot`, through the
  // step's type (engine/runtime/step_type.h): one indirect call.
  // Split into chunks of chunk_rows_[step] rows, checking interrupted_ between them.
  void run_step(size_t step, int slot, int32_t row_begin, int32_t row_end, int thread);
  bool interrupted() const { return interrupted_.load(std::memory_order_relaxed); }
  void run_images(int first, int last, int thread);

  const Plan& plan_;
  SessionOptions options_;
  int slots_ = 1;
  size_t workspace_stride_ = 0;   // bytes between threads' scratch (kPlanAlignment multiple)
  AlignedBytes arena_;
  AlignedBytes workspace_;
  ThreadPool pool_;
  bool profile_ = false;
  StepObserver observer_;
  std::span<const float* const> inputs_;   // of the current run()
  std::span<float* const> outputs_;
  std::vector<double> step_seconds_;
  std::vector<RowSplit> splits_;   // each step's type->rows(), asked once here rather than per run
  std::vector<int32_t> chunk_rows_;   // rows per interrupt check, a multiple of the step's tile
  // Inputs read in place: in_place_port_[buffer id] is the input port whose buffer it is when
  // that input may be read from the caller's memory (no step writes it, it is no output),
  // else -1; in_place_[slot * inputs + port] is this run's image in slot `slot`, or nullptr
  // when load_image copied it into the arena.
  std::vector<int> in_place_port_;
  std::vector<const uint8_t*> in_place_;
  std::atomic<bool> interrupted_{false};
};

}  // namespace octet
