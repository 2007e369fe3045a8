#include "engine/runtime/resource_limits.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace octet {

namespace {

// "; the biggest: buffer 'a' 2.0 GiB, buffer 'b' 1.0 GiB"
std::string biggest(std::vector<Consumer> consumers, std::string (*format)(double),
                    const std::string& title = "the biggest") {
  std::sort(consumers.begin(), consumers.end(), [](const Consumer& a, const Consumer& b) { return a.amount > b.amount; });
  std::string out;
  for (size_t i = 0; i < consumers.size() && i < 3; ++i)
    out += (i ? ", " : "") + consumers[i].what + " " + format(consumers[i].amount);
  return out.empty() ? out : "; " + title + ": " + out;
}

double total(const std::vector<Consumer>& consumers) {
  double sum = 0;
  for (const Consumer& c : consumers) sum += c.amount;
  return sum;
}

std::string format_cost(double cost) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3g", cost);
  return text;
}

}  // namespace

std::string format_bytes(double bytes) {
  static const char* const units[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  size_t u = 0;
  while (bytes >= 1024 && u + 1 < std::size(units)) bytes /= 1024, ++u;
  char text[48];
  std::snprintf(text, sizeof text, u == 0 ? "%.0f %s" : "%.1f %s", bytes, units[u]);
  return text;
}

void check_memory_budget(const std::vector<Consumer>& consumers, uint64_t max_memory_bytes, const std::string& context,
                         const std::vector<Consumer>& details, const std::string& details_title) {
  const double sum = total(consumers);
  if (sum <= static_cast<double>(max_memory_bytes)) return;
  throw ResourceLimitError(context + " needs " + format_bytes(sum) + ", over the memory limit of " +
                           format_bytes(static_cast<double>(max_memory_bytes)) + " (--max-memory, max_memory_bytes)" +
                           biggest(consumers, format_bytes) + biggest(details, format_bytes, details_title));
}

void check_cost_budget(const std::vector<Consumer>& consumers, double max_cost_per_image, int64_t batch,
                       const std::string& context) {
  const double sum = total(consumers), limit = max_cost_per_image * static_cast<double>(std::max<int64_t>(1, batch));
  if (sum <= limit) return;
  throw ResourceLimitError(context + " costs " + format_cost(sum) + " multiply-accumulates or comparisons" +
                           (batch > 1 ? " for " + std::to_string(batch) + " images" : std::string(" per image")) +
                           ", over the cost limit of " + format_cost(max_cost_per_image) +
                           " per image (--max-cost, max_cost_per_image)" + biggest(consumers, format_cost));
}

uint64_t parse_byte_size(const std::string& text, const std::string& flag) {
  auto bad = [&] { return Error(flag + ": '" + text + "' is not a size such as 512M, 2G or 1073741824"); };
  size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  if (digits == 0 || digits > 15) throw bad();
  std::string unit = text.substr(digits);
  for (char& c : unit) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  int shift = 0;
  if (unit.empty() || unit == "B") shift = 0;
  else if (unit == "K" || unit == "KB" || unit == "KIB") shift = 10;
  else if (unit == "M" || unit == "MB" || unit == "MIB") shift = 20;
  else if (unit == "G" || unit == "GB" || unit == "GIB") shift = 30;
  else if (unit == "T" || unit == "TB" || unit == "TIB") shift = 40;
  else throw bad();
  const uint64_t value = std::strtoull(text.substr(0, digits).c_str(), nullptr, 10);
  if (value == 0 || value > (UINT64_MAX >> shift)) throw bad();
  return value << shift;
}

double parse_cost(const std::string& text, const std::string& flag) {
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(value) || value <= 0)
    throw Error(flag + ": '" + text + "' is not a positive number such as 1e12");
  return value;
}

}  // namespace octet
