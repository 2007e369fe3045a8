#include "tools/reports/progress.h"

#include <algorithm>
#include <unistd.h>

namespace octet {

bool stdout_is_terminal() { return isatty(STDOUT_FILENO) == 1; }

ProgressBar::ProgressBar(std::string label, size_t total, bool enabled, std::FILE* out)
    : label_(std::move(label)), total_(total), enabled_(enabled), out_(out) {}

ProgressBar::~ProgressBar() { finish(); }

std::string ProgressBar::render(const std::string& label, size_t done, size_t total, int width) {
  done = std::min(done, total);
  const auto w = static_cast<size_t>(std::max(width, 1));
  const size_t filled = total ? done * w / total : w;
  std::string total_s = std::to_string(total), done_s = std::to_string(done);
  return label + " [" + std::string(filled, '#') + std::string(w - filled, '-') + "] " +
         std::string(total_s.size() - std::min(total_s.size(), done_s.size()), ' ') + done_s + "/" + total_s;
}

void ProgressBar::update(size_t done) {
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  if (drawn_ && done < total_ && now - last_ < std::chrono::milliseconds(100)) return;
  last_ = now;
  std::fprintf(out_, "\r%s", render(label_, done, total_).c_str());
  std::fflush(out_);
  drawn_ = true;
}

void ProgressBar::finish() {
  if (!enabled_ || !drawn_) return;
  std::fprintf(out_, "\r\033[K");   // carriage return + erase to end of line
  std::fflush(out_);
  drawn_ = false;
}

}  // namespace octet
