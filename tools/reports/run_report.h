// octet-run's timing summary and per-step profile, as text and as JSON, after ONNX Runtime's
// perf_test and TensorFlow Lite's benchmark_model: warm-up runs are not timed; the timed runs
// are summarised by their median, 10th and 90th percentiles (per run, in microseconds) and
// the throughput at the median.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "engine/runtime/plan.h"

namespace octet {

struct RunTiming {
  int64_t runs = 0, warmup = 0, batch = 0;
  double median_us = 0, p10_us = 0, p90_us = 0;   // per run (a run is `batch` images)
  double images_per_second = 0;                   // batch / median
};

// The summary of `run_us` (one entry per timed run; at least one). Percentiles are nearest
// rank on the sorted times; the median of an even count is the mean of the middle two.
RunTiming summarize_runs(std::vector<double> run_us, int64_t warmup, int64_t batch);
// "200 runs of batch 1 after 10 warm-up: median 123.4 us, p10 120.1 us, p90 130.2 us, 8103 images/s"
std::string timing_text(const RunTiming& t);
// {"runs": 200, "warmup": 10, "batch": 1, "median_us": ..., "p10_us": ..., "p90_us": ..., "images_per_second": ...}
std::string timing_json(const RunTiming& t);

// One row per step of `plan`, from Session::step_seconds accumulated over `images` images:
// index, kernel, µs per image, share of the total, GMAC/s, the step's node name.
std::string step_profile_text(const Plan& plan, std::span<const double> step_seconds, int64_t images);
// The same as a JSON array of {"step", "kernel", "node", "us_per_image", "share"}.
std::string step_profile_json(const Plan& plan, std::span<const double> step_seconds, int64_t images);

}  // namespace octet
