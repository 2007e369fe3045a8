// A one-line progress bar for long tool runs. It draws on stderr, and only when stdout is a
// terminal: piped or redirected output (scripts, --json, CI logs) stays free of it.
#pragma once
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <string>

namespace octet {

bool stdout_is_terminal();

class ProgressBar {
 public:
  // `enabled` false makes every call a no-op; pass stdout_is_terminal() (and not --json).
  ProgressBar(std::string label, size_t total, bool enabled, std::FILE* out = stderr);
  ~ProgressBar();   // clears the line if still drawn
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  void update(size_t done);   // redraws at most ~10 times a second, and always at the end
  void finish();              // erases the bar

  // The text of the bar for `done` of `total` (no carriage return), e.g.
  // "test.bin [##########----------]  500/1000". Exposed for testing.
  static std::string render(const std::string& label, size_t done, size_t total, int width = 30);

 private:
  std::string label_;
  size_t total_;
  bool enabled_;
  bool drawn_ = false;
  std::FILE* out_;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace octet
