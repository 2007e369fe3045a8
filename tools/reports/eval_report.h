// Classification results of an evaluation run: counts, accuracy, per-class accuracy and
// the confusion matrix, printed as text for people or as one JSON object for scripts.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tools/datasets/cifar.h"

namespace octet {

// Index of the largest of `n` scores (the first on ties); NaN scores are skipped. -1 when
// every score is NaN, i.e. the model made no prediction.
int argmax(const float* scores, int n);

struct EvalCounts {
  // confusion[true label][predicted label]
  std::array<std::array<int64_t, kCifarClasses>, kCifarClasses> confusion{};
  std::array<int64_t, kCifarClasses> unpredicted{};   // per true label: rows with no prediction (all NaN)

  // `predicted` outside 0..9 (e.g. -1 from argmax) counts as wrong and goes to `unpredicted`.
  // Throws octet::Error on a label outside 0..9.
  void add(int label, int predicted);
  void merge(const EvalCounts& other);

  int64_t total() const;
  int64_t correct() const;
  int64_t class_total(int label) const;
  int64_t class_correct(int label) const { return confusion[label][label]; }
  // correct / total; nullopt when there were no images (of that class).
  std::optional<double> accuracy() const;
  std::optional<double> class_accuracy(int label) const;
};

// One --data file's results.
struct FileEval {
  std::string path;
  std::string format;   // "binary" / "pickle"
  EvalCounts counts;
  double seconds = 0;   // time spent running the model
};

struct EvalReport {
  std::string model_path;
  uint64_t model_bytes = 0;
  std::string input_name;
  std::string input_layout;   // "NHWC" / "NCHW"
  int64_t batch = 0;
  int64_t threads_requested = 1;
  int64_t threads_used = 1;
  std::string executor = "reference";
  std::vector<FileEval> files;

  EvalCounts combined() const;
  double seconds() const;
};

// Images per second, nullopt when no time was measured.
std::optional<double> images_per_second(int64_t images, double seconds);

// The report for people: per file (and combined when there is more than one file)
// accuracy, per-class accuracy, the confusion matrix and throughput.
std::string report_text(const EvalReport& report);

// One JSON object, no trailing newline. Top level: model, model_bytes, input, layout, batch,
// threads_requested, threads_used, executor, class_names, and the combined results
// (accuracy, correct, total, per_class, per_class_correct, per_class_total, confusion,
// unpredicted, seconds, images_per_second), then "files": one object per file with path,
// format and the same result keys. Accuracies are fractions in [0,1]; values that do not exist
// (accuracy of an empty class, throughput with no time measured) are null, never NaN.
std::string report_json(const EvalReport& report);

// JSON helpers, exposed for testing.
std::string json_string(const std::string& s);   // quoted and escaped
std::string json_number(double v);                // shortest round-trip form; "null" if not finite

}  // namespace octet
