#include "tools/reports/run_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "engine/runtime/error.h"
#include "tools/reports/eval_report.h"

namespace octet {
namespace {

// Nearest rank: the smallest time with at least a fraction p of the runs at or below it.
double percentile(const std::vector<double>& sorted, double p) {
  const auto rank = static_cast<size_t>(std::ceil(p * static_cast<double>(sorted.size())));
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

std::string format(const char* fmt, double a) {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, a);
  return buf;
}

}  // namespace

RunTiming summarize_runs(std::vector<double> run_us, int64_t warmup, int64_t batch) {
  if (run_us.empty()) throw Error("summarize_runs: no timed run");
  std::sort(run_us.begin(), run_us.end());
  RunTiming t;
  t.runs = static_cast<int64_t>(run_us.size());
  t.warmup = warmup;
  t.batch = batch;
  const size_t n = run_us.size();
  t.median_us = n % 2 ? run_us[n / 2] : (run_us[n / 2 - 1] + run_us[n / 2]) / 2;
  t.p10_us = percentile(run_us, 0.10);
  t.p90_us = percentile(run_us, 0.90);
  t.images_per_second = t.median_us > 0 ? static_cast<double>(batch) * 1e6 / t.median_us : 0;
  return t;
}

std::string timing_text(const RunTiming& t) {
  return std::to_string(t.runs) + " runs of batch " + std::to_string(t.batch) + " after " + std::to_string(t.warmup) +
         " warm-up: median " + format("%.1f", t.median_us) + " us, p10 " + format("%.1f", t.p10_us) + " us, p90 " +
         format("%.1f", t.p90_us) + " us, " + format("%.0f", t.images_per_second) + " images/s";
}

std::string timing_json(const RunTiming& t) {
  return "{\"runs\": " + std::to_string(t.runs) + ", \"warmup\": " + std::to_string(t.warmup) +
         ", \"batch\": " + std::to_string(t.batch) + ", \"median_us\": " + json_number(t.median_us) +
         ", \"p10_us\": " + json_number(t.p10_us) + ", \"p90_us\": " + json_number(t.p90_us) +
         ", \"images_per_second\": " + json_number(t.images_per_second) + "}";
}

std::string step_profile_text(const Plan& plan, std::span<const double> step_seconds, int64_t images) {
  const double total = std::accumulate(step_seconds.begin(), step_seconds.end(), 0.0);
  std::string out = "step kernel                                    us/image  share  GMAC/s  node\n";
  for (size_t i = 0; i < plan.steps.size() && i < step_seconds.size(); ++i) {
    const Step& s = plan.steps[i];
    const double us = step_seconds[i] / static_cast<double>(images) * 1e6;
    char line[512];
    std::snprintf(line, sizeof line, "%4zu %-40s %9.2f %5.1f%% %7.2f  %s\n", i, s.kernel_name(), us,
                  total > 0 ? 100 * step_seconds[i] / total : 0.0, s.macs && us > 0 ? s.macs / us / 1e3 : 0.0,
                  s.name.c_str());
    out += line;
  }
  char line[128];
  std::snprintf(line, sizeof line, "     %-40s %9.2f\n", "total", total / static_cast<double>(images) * 1e6);
  return out + line;
}

std::string step_profile_json(const Plan& plan, std::span<const double> step_seconds, int64_t images) {
  const double total = std::accumulate(step_seconds.begin(), step_seconds.end(), 0.0);
  std::string out = "[";
  for (size_t i = 0; i < plan.steps.size() && i < step_seconds.size(); ++i) {
    const Step& s = plan.steps[i];
    out += std::string(i ? ", " : "") + "{\"step\": " + std::to_string(i) + ", \"kernel\": " + json_string(s.kernel_name()) +
           ", \"node\": " + json_string(s.name) +
           ", \"us_per_image\": " + json_number(step_seconds[i] / static_cast<double>(images) * 1e6) +
           ", \"share\": " + json_number(total > 0 ? step_seconds[i] / total : 0) + "}";
  }
  return out + "]";
}

}  // namespace octet
