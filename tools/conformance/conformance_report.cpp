// Tables of conformance results: aligned plain text for a terminal, or Markdown for the docs.
#include <algorithm>
#include <map>

#include "tools/conformance/conformance.h"

namespace octet::conformance {

namespace {

std::string result_text(const TestResult& r) {
  switch (r.outcome) {
    case Outcome::Pass:
      return r.stale_skip ? "pass (but listed as skipped: remove it from conformance_skips.cpp)" : "pass";
    case Outcome::Fail: return "FAIL: " + r.detail;
    case Outcome::Skipped: return "skipped: " + r.detail;
  }
  return "?";
}

std::string md_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out;
}

// Rows of cells as a table: Markdown, or plain text with columns padded to their widest cell.
std::string table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows,
                  bool markdown) {
  std::string out;
  if (markdown) {
    auto line = [&](const std::vector<std::string>& cells) {
      out += "|";
      for (const auto& c : cells) out += " " + md_escape(c) + " |";
      out += "\n";
    };
    line(header);
    out += "|";
    for (size_t i = 0; i < header.size(); ++i) out += "---|";
    out += "\n";
    for (const auto& r : rows) line(r);
    return out;
  }
  std::vector<size_t> width(header.size());
  for (size_t i = 0; i < header.size(); ++i) width[i] = header[i].size();
  for (const auto& r : rows)
    for (size_t i = 0; i + 1 < r.size(); ++i) width[i] = std::max(width[i], r[i].size());   // last column ragged
  auto line = [&](const std::vector<std::string>& cells) {
    std::string l;
    for (size_t i = 0; i < cells.size(); ++i) {
      l += cells[i];
      if (i + 1 < cells.size()) l += std::string(width[i] - cells[i].size() + 2, ' ');
    }
    while (!l.empty() && l.back() == ' ') l.pop_back();
    out += l + "\n";
  };
  line(header);
  for (const auto& r : rows) line(r);
  return out;
}

void count(OpCounts& c, const TestResult& r) {
  switch (r.outcome) {
    case Outcome::Pass: ++c.pass; break;
    case Outcome::Fail: ++c.fail; break;
    case Outcome::Skipped: ++c.skipped; break;
  }
}

}  // namespace

std::vector<OpCounts> per_op_counts(const Report& report) {
  std::map<std::string, OpCounts> by_op;
  for (const TestResult& r : report.results) {
    OpCounts& c = by_op[r.op];
    c.op = r.op;
    count(c, r);
  }
  std::vector<OpCounts> out;
  for (auto& [op, c] : by_op) out.push_back(c);
  return out;
}

OpCounts total_counts(const Report& report) {
  OpCounts total{"total"};
  for (const TestResult& r : report.results) count(total, r);
  return total;
}

std::string format_results(const Report& report, bool markdown) {
  std::vector<std::vector<std::string>> rows;
  for (const TestResult& r : report.results) rows.push_back({r.name, r.op, result_text(r)});
  return table({"test", "op", "result"}, rows, markdown);
}

std::string format_summary(const Report& report, bool markdown) {
  std::vector<std::vector<std::string>> rows;
  auto row = [](const OpCounts& c) {
    return std::vector<std::string>{c.op, std::to_string(c.pass), std::to_string(c.fail), std::to_string(c.skipped)};
  };
  for (const OpCounts& c : per_op_counts(report)) rows.push_back(row(c));
  rows.push_back(row(total_counts(report)));
  std::string out = table({"op", "pass", "fail", "skipped"}, rows, markdown);
  out += (markdown ? "\n" : "") + std::to_string(report.out_of_scope_tests) + " tests of " +
         std::to_string(report.out_of_scope_ops.size()) + " other operators not in scope.\n";
  for (const TestResult& r : report.results)
    if (r.stale_skip) out += "note: " + r.name + " passes but is listed in conformance_skips.cpp\n";
  return out;
}

}  // namespace octet::conformance
