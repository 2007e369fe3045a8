#include "tools/reports/eval_report.h"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "engine/runtime/error.h"

namespace octet {

int argmax(const float* scores, int n) {
  int best = -1;
  for (int k = 0; k < n; ++k) {
    if (std::isnan(scores[k])) continue;
    if (best < 0 || scores[k] > scores[best]) best = k;
  }
  return best;
}

void EvalCounts::add(int label, int predicted) {
  if (label < 0 || label >= kCifarClasses) throw Error("label " + std::to_string(label) + " out of range 0..9");
  if (predicted < 0 || predicted >= kCifarClasses) {
    ++unpredicted[label];
    return;
  }
  ++confusion[label][predicted];
}

void EvalCounts::merge(const EvalCounts& other) {
  for (int t = 0; t < kCifarClasses; ++t) {
    unpredicted[t] += other.unpredicted[t];
    for (int p = 0; p < kCifarClasses; ++p) confusion[t][p] += other.confusion[t][p];
  }
}

int64_t EvalCounts::class_total(int label) const {
  int64_t n = unpredicted[label];
  for (int64_t c : confusion[label]) n += c;
  return n;
}

int64_t EvalCounts::total() const {
  int64_t n = 0;
  for (int t = 0; t < kCifarClasses; ++t) n += class_total(t);
  return n;
}

int64_t EvalCounts::correct() const {
  int64_t n = 0;
  for (int t = 0; t < kCifarClasses; ++t) n += confusion[t][t];
  return n;
}

std::optional<double> EvalCounts::accuracy() const {
  int64_t n = total();
  if (n == 0) return std::nullopt;
  return static_cast<double>(correct()) / static_cast<double>(n);
}

std::optional<double> EvalCounts::class_accuracy(int label) const {
  int64_t n = class_total(label);
  if (n == 0) return std::nullopt;
  return static_cast<double>(class_correct(label)) / static_cast<double>(n);
}

EvalCounts EvalReport::combined() const {
  EvalCounts all;
  for (const FileEval& f : files) all.merge(f.counts);
  return all;
}

double EvalReport::seconds() const {
  double s = 0;
  for (const FileEval& f : files) s += f.seconds;
  return s;
}

std::optional<double> images_per_second(int64_t images, double seconds) {
  if (!(seconds > 0) || !std::isfinite(seconds)) return std::nullopt;
  return static_cast<double>(images) / seconds;
}

// ---------------------------------------------------------------- text

namespace {

std::string fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

std::string percent(std::optional<double> frac) { return frac ? fmt("%6.2f %%", *frac * 100.0) : "     n/a"; }

void text_results(std::string& out, const EvalCounts& c, double seconds) {
  out += "  accuracy  " + percent(c.accuracy()) + "  (" + std::to_string(c.correct()) + "/" + std::to_string(c.total()) + ")";
  if (auto ips = images_per_second(c.total(), seconds)) out += ", " + fmt("%.1f", *ips) + " images/s";
  out += "\n";
  int64_t unpredicted = 0;
  for (int64_t u : c.unpredicted) unpredicted += u;
  if (unpredicted) out += "  " + std::to_string(unpredicted) + " images had no prediction (all scores NaN)\n";
  out += "  per class:\n";
  for (int t = 0; t < kCifarClasses; ++t) {
    char name[32];
    std::snprintf(name, sizeof name, "    %-10s ", std::string(kCifarClassNames[t]).c_str());
    out += name + percent(c.class_accuracy(t)) + "  (" + std::to_string(c.class_correct(t)) + "/" +
           std::to_string(c.class_total(t)) + ")\n";
  }
  out += "  confusion matrix (rows: true class, columns: predicted class):\n" + std::string(15, ' ');
  for (int p = 0; p < kCifarClasses; ++p) {
    char head[16];
    std::snprintf(head, sizeof head, "%6.5s", std::string(kCifarClassNames[p]).c_str());
    out += head;
  }
  out += "\n";
  for (int t = 0; t < kCifarClasses; ++t) {
    char name[32];
    std::snprintf(name, sizeof name, "    %-10s ", std::string(kCifarClassNames[t]).c_str());
    out += name;
    for (int p = 0; p < kCifarClasses; ++p) {
      char cell[32];
      std::snprintf(cell, sizeof cell, "%6lld", static_cast<long long>(c.confusion[t][p]));
      out += cell;
    }
    out += "\n";
  }
}

}  // namespace

std::string report_text(const EvalReport& r) {
  std::string out = "model   " + r.model_path + " (" + std::to_string(r.model_bytes) + " bytes), input '" + r.input_name +
                    "' " + r.input_layout + ", batch " + std::to_string(r.batch) + ", " + r.executor + " executor, " +
                    std::to_string(r.threads_used) + " thread" + (r.threads_used == 1 ? "" : "s") + "\n";
  for (const FileEval& f : r.files) {
    out += "data    " + f.path + " (" + f.format + ", " + std::to_string(f.counts.total()) + " images)\n";
    text_results(out, f.counts, f.seconds);
  }
  if (r.files.size() > 1) {
    out += "combined (" + std::to_string(r.files.size()) + " files)\n";
    text_results(out, r.combined(), r.seconds());
  }
  return out;
}

// ---------------------------------------------------------------- JSON

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += ch;   // UTF-8 passes through
        }
    }
  }
  return out + "\"";
}

std::string json_number(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, res.ptr);
}

namespace {

std::string json_opt(std::optional<double> v) { return v ? json_number(*v) : "null"; }

template <typename F>
std::string json_array(int n, F&& item) {
  std::string out = "[";
  for (int k = 0; k < n; ++k) out += (k ? "," : "") + item(k);
  return out + "]";
}

// The result keys shared by the top level and each file.
std::string json_results(const EvalCounts& c, double seconds) {
  auto i64 = [](int64_t v) { return std::to_string(v); };
  int64_t unpredicted = 0;
  for (int64_t u : c.unpredicted) unpredicted += u;
  std::string out;
  out += "\"accuracy\":" + json_opt(c.accuracy());
  out += ",\"correct\":" + i64(c.correct());
  out += ",\"total\":" + i64(c.total());
  out += ",\"per_class\":" + json_array(kCifarClasses, [&](int t) { return json_opt(c.class_accuracy(t)); });
  out += ",\"per_class_correct\":" + json_array(kCifarClasses, [&](int t) { return i64(c.class_correct(t)); });
  out += ",\"per_class_total\":" + json_array(kCifarClasses, [&](int t) { return i64(c.class_total(t)); });
  out += ",\"confusion\":" + json_array(kCifarClasses, [&](int t) {
    return json_array(kCifarClasses, [&](int p) { return i64(c.confusion[t][p]); });
  });
  out += ",\"unpredicted\":" + i64(unpredicted);
  out += ",\"seconds\":" + json_number(seconds);
  out += ",\"images_per_second\":" + json_opt(images_per_second(c.total(), seconds));
  return out;
}

}  // namespace

std::string report_json(const EvalReport& r) {
  std::string out = "{";
  out += "\"model\":" + json_string(r.model_path);
  out += ",\"model_bytes\":" + std::to_string(r.model_bytes);
  out += ",\"input\":" + json_string(r.input_name);
  out += ",\"layout\":" + json_string(r.input_layout);
  out += ",\"batch\":" + std::to_string(r.batch);
  out += ",\"threads_requested\":" + std::to_string(r.threads_requested);
  out += ",\"threads_used\":" + std::to_string(r.threads_used);
  out += ",\"executor\":" + json_string(r.executor);
  out += ",\"class_names\":" +
         json_array(kCifarClasses, [](int t) { return json_string(std::string(kCifarClassNames[t])); });
  out += "," + json_results(r.combined(), r.seconds());
  out += ",\"files\":[";
  for (size_t k = 0; k < r.files.size(); ++k) {
    const FileEval& f = r.files[k];
    out += (k ? ",{" : "{");
    out += "\"path\":" + json_string(f.path) + ",\"format\":" + json_string(f.format) + ",";
    out += json_results(f.counts, f.seconds) + "}";
  }
  return out + "]}";
}

}  // namespace octet
