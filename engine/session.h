// Runs a compiled Plan. A Session owns what one run mutates (the activation arena, per-thread
// scratch, the thread pool), all allocated here once: run() allocates nothing. One Plan can
// serve many Sessions; a Session runs one call at a time.
#pragma once
#include <functional>
#include <span>
#include <vector>

#include "engine/plan.h"
#include "engine/thread_pool.h"

namespace octet {

struct SessionOptions {
  int threads = 1;
  int max_batch = 1;   // the arena holds this many images
};

class Session {
 public:
  Session(const Plan& plan, SessionOptions options);

  // inputs[i]: batch × plan.inputs[i].floats_per_image() floats in the layout the model
  // declares; outputs[i] likewise for plan.outputs[i]. Throws octet::Error if batch is
  // outside [1, max_batch] or the pointer counts are wrong.
  void run(int batch, std::span<const float* const> inputs, std::span<float* const> outputs);
  // The same with sizes: also throws octet::Error, naming the input or output, when a span
  // does not hold exactly batch × floats_per_image floats. Allocates nothing either.
  void run(int batch, std::span<const std::span<const float>> inputs, std::span<const std::span<float>> outputs);

  // Bytes of activation memory (min(max_batch, threads) copies of the plan's per-image arena)
  // and of scratch.
  size_t arena_bytes() const { return arena_.size() * sizeof(float); }
  size_t workspace_bytes() const { return workspace_.size() * sizeof(float); }
  const Plan& plan() const { return plan_; }
  int threads() const { return pool_.size(); }

  // Optional: called after each step with the step's index, an image of the batch, and that
  // image's output buffer (float, or uint8 when Plan::buffers[step.output].uint8). Runs the
  // plan layer by layer. For error reports (octet-quantize's per-layer SQNR); off by default.
  using StepObserver = std::function<void(size_t step, int image, const void* output)>;
  void set_step_observer(StepObserver observer) { observer_ = std::move(observer); }

  // Optional per-step timing (seconds, accumulated over runs) for profiles; off by default.
  void enable_profile(bool on);
  const std::vector<double>& step_seconds() const { return step_seconds_; }

 private:
  float* buffer(int id, int slot);
  void load_image(int image, int slot);    // the run's inputs of `image` into arena slot `slot`
  void store_image(int image, int slot);   // and its outputs back
  void run_layers(int first, int count);
  void run_step(const Step& s, int slot, int32_t row_begin, int32_t row_end, int thread);
  void run_int8_step(const Step& s, const float* in, const float* in2, float* out, int32_t row_begin,
                     int32_t row_end, int thread);
  void run_images(int first, int last, int thread);

  const Plan& plan_;
  SessionOptions options_;
  int slots_ = 1;
  AlignedFloats arena_;
  AlignedFloats workspace_;
  ThreadPool pool_;
  bool profile_ = false;
  StepObserver observer_;
  std::span<const float* const> inputs_;   // of the current run()
  std::span<float* const> outputs_;
  std::vector<double> step_seconds_;
};

}  // namespace octet
