// Evaluation report: argmax, counts on a small synthetic set (accuracy, per-class,
// confusion), text output, and JSON that parses with the expected keys and numbers.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/runtime/error.h"
#include "tools/reports/eval_report.h"
#include "tools/reports/progress.h"

namespace octet {
namespace {

// A strict little JSON parser, enough to check that the report is valid JSON and to read it back.
struct Json {
  enum class T { Null, Bool, Num, Str, Arr, Obj } t = T::Null;
  double num = 0;
  bool b = false;
  std::string str;
  std::vector<Json> arr;
  std::map<std::string, Json> obj;

  const Json& operator[](const std::string& k) const {
    auto it = obj.find(k);
    if (t != T::Obj || it == obj.end()) throw std::runtime_error("no key " + k);
    return it->second;
  }
  const Json& operator[](size_t i) const { return arr.at(i); }
};

class JsonParser {
 public:
  explicit JsonParser(const std::string& s) : s_(s) {}
  Json parse() {
    Json v = value();
    ws();
    if (p_ != s_.size()) bad("trailing characters");
    return v;
  }

 private:
  [[noreturn]] void bad(const std::string& why) { throw std::runtime_error("invalid JSON at " + std::to_string(p_) + ": " + why); }
  void ws() {
    while (p_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[p_]))) ++p_;
  }
  bool eat(const std::string& lit) {
    if (s_.compare(p_, lit.size(), lit) != 0) return false;
    p_ += lit.size();
    return true;
  }
  Json value() {
    ws();
    if (p_ >= s_.size()) bad("end of input");
    Json v;
    char c = s_[p_];
    if (c == '{') {
      v.t = Json::T::Obj;
      ++p_;
      ws();
      if (eat("}")) return v;
      do {
        ws();
        if (p_ >= s_.size() || s_[p_] != '"') bad("key");
        std::string k = string();
        ws();
        if (!eat(":")) bad("colon");
        if (v.obj.count(k)) bad("duplicate key " + k);
        v.obj[k] = value();
        ws();
      } while (eat(","));
      if (!eat("}")) bad("object end");
    } else if (c == '[') {
      v.t = Json::T::Arr;
      ++p_;
      ws();
      if (eat("]")) return v;
      do v.arr.push_back(value());
      while ((ws(), eat(",")));
      ws();
      if (!eat("]")) bad("array end");
    } else if (c == '"') {
      v.t = Json::T::Str;
      v.str = string();
    } else if (eat("null")) {
    } else if (eat("true") || eat("false")) {
      v.t = Json::T::Bool;
      v.b = s_[p_ - 1] == 'e' && s_[p_ - 2] == 'u';
    } else {
      // JSON number grammar: -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?
      size_t start = p_;
      eat("-");
      if (eat("0")) {
      } else if (p_ < s_.size() && s_[p_] >= '1' && s_[p_] <= '9') {
        while (p_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[p_]))) ++p_;
      } else {
        bad("value");
      }
      if (eat(".")) {
        if (p_ >= s_.size() || !std::isdigit(static_cast<unsigned char>(s_[p_]))) bad("fraction");
        while (p_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[p_]))) ++p_;
      }
      if (eat("e") || eat("E")) {
        if (!eat("+")) eat("-");
        if (p_ >= s_.size() || !std::isdigit(static_cast<unsigned char>(s_[p_]))) bad("exponent");
        while (p_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[p_]))) ++p_;
      }
      v.t = Json::T::Num;
      v.num = std::stod(s_.substr(start, p_ - start));
    }
    return v;
  }
  std::string string() {
    ++p_;   // opening quote
    std::string out;
    while (p_ < s_.size() && s_[p_] != '"') {
      char c = s_[p_++];
      if (static_cast<unsigned char>(c) < 0x20) bad("control character in string");
      if (c != '\\') {
        out += c;
        continue;
      }
      if (p_ >= s_.size()) bad("escape");
      char e = s_[p_++];
      switch (e) {
        case '"': case '\\': case '/': out += e; break;
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'u':
          if (p_ + 4 > s_.size()) bad("\\u");
          out += static_cast<char>(std::stoi(s_.substr(p_, 4), nullptr, 16));   // tests only use < 0x80
          p_ += 4;
          break;
        default: bad("escape");
      }
    }
    if (p_ >= s_.size()) bad("unterminated string");
    ++p_;
    return out;
  }
  const std::string& s_;
  size_t p_ = 0;
};

Json parse_json(const std::string& s) { return JsonParser(s).parse(); }

TEST(Argmax, FirstMaximumAndNaN) {
  const float a[] = {0.1f, 0.7f, 0.2f, 0.7f};
  EXPECT_EQ(argmax(a, 4), 1);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float b[] = {nan, 0.1f, 0.3f, nan};
  EXPECT_EQ(argmax(b, 4), 2);
  const float c[] = {nan, nan};
  EXPECT_EQ(argmax(c, 2), -1);
  const float d[] = {-3.f, -1.f, -2.f};
  EXPECT_EQ(argmax(d, 3), 1);
}

// 10 images: labels / predictions chosen so every number below is known by hand.
EvalCounts synthetic() {
  const int labels[] = {0, 0, 0, 0, 1, 1, 3, 3, 3, 9};
  const int preds[] = {0, 0, 0, 2, 1, 0, 3, 5, -1, 9};
  EvalCounts c;
  for (int k = 0; k < 10; ++k) c.add(labels[k], preds[k]);
  return c;
}

TEST(EvalCounts, AccuracyPerClassAndConfusion) {
  EvalCounts c = synthetic();
  EXPECT_EQ(c.total(), 10);
  EXPECT_EQ(c.correct(), 6);
  EXPECT_DOUBLE_EQ(*c.accuracy(), 0.6);
  EXPECT_EQ(c.class_total(0), 4);
  EXPECT_DOUBLE_EQ(*c.class_accuracy(0), 0.75);
  EXPECT_DOUBLE_EQ(*c.class_accuracy(1), 0.5);
  EXPECT_DOUBLE_EQ(*c.class_accuracy(3), 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(*c.class_accuracy(9), 1.0);
  EXPECT_FALSE(c.class_accuracy(2).has_value());   // no images of class 2
  EXPECT_EQ(c.confusion[0][0], 3);
  EXPECT_EQ(c.confusion[0][2], 1);
  EXPECT_EQ(c.confusion[1][0], 1);
  EXPECT_EQ(c.confusion[3][5], 1);
  EXPECT_EQ(c.confusion[3][3], 1);
  EXPECT_EQ(c.unpredicted[3], 1);
  int64_t sum = 0;
  for (const auto& row : c.confusion)
    for (int64_t v : row) sum += v;
  EXPECT_EQ(sum, 9);   // the unpredicted image is in no cell
  EXPECT_THROW(c.add(10, 0), Error);
  EXPECT_THROW(c.add(-1, 0), Error);
  EXPECT_FALSE(EvalCounts{}.accuracy().has_value());
}

TEST(EvalCounts, MergeAddsUp) {
  EvalCounts a = synthetic(), b = synthetic();
  b.add(2, 2);
  a.merge(b);
  EXPECT_EQ(a.total(), 21);
  EXPECT_EQ(a.correct(), 13);
  EXPECT_EQ(a.confusion[0][0], 6);
  EXPECT_EQ(a.unpredicted[3], 2);
  EXPECT_DOUBLE_EQ(*a.class_accuracy(2), 1.0);
}

TEST(EvalReportJson, NumbersAndStrings) {
  EXPECT_EQ(json_number(0.5), "0.5");
  EXPECT_EQ(json_number(88.1), "88.1");
  EXPECT_EQ(json_number(3), "3");
  EXPECT_EQ(json_number(std::nan("")), "null");
  EXPECT_EQ(json_number(std::numeric_limits<double>::infinity()), "null");
  EXPECT_EQ(parse_json(json_number(1.0 / 3.0)).num, 1.0 / 3.0);   // round-trips exactly
  EXPECT_EQ(parse_json(json_number(1e-300)).num, 1e-300);
  EXPECT_EQ(json_string("a\"b\\c\n\x01"), "\"a\\\"b\\\\c\\n\\u0001\"");
  EXPECT_EQ(parse_json(json_string("tab\there \"q\" \x1f")).str, "tab\there \"q\" \x1f");
  EXPECT_FALSE(images_per_second(100, 0).has_value());
  EXPECT_DOUBLE_EQ(*images_per_second(100, 2.0), 50.0);
}

EvalReport two_file_report() {
  EvalReport r;
  r.model_path = "/models/\"odd\" name.onnx";
  r.model_bytes = 322099;
  r.input_name = "input_1";
  r.input_layout = "NHWC";
  r.batch = 32;
  r.threads_requested = 4;
  r.threads_used = 1;
  FileEval a{"a.bin", "binary", synthetic(), 0.5};
  FileEval b{"b.pkl", "pickle", {}, 0.0};
  b.counts.add(2, 2);
  b.counts.add(2, 7);
  r.files = {a, b};
  return r;
}

TEST(EvalReportJson, ParsesWithTheExpectedKeysAndValues) {
  const std::string text = report_json(two_file_report());
  EXPECT_EQ(text.find('\n'), std::string::npos);
  Json j = parse_json(text);
  EXPECT_EQ(j["model"].str, "/models/\"odd\" name.onnx");
  EXPECT_EQ(j["model_bytes"].num, 322099);
  EXPECT_EQ(j["batch"].num, 32);
  EXPECT_EQ(j["threads_requested"].num, 4);
  EXPECT_EQ(j["threads_used"].num, 1);
  EXPECT_EQ(j["layout"].str, "NHWC");
  ASSERT_EQ(j["class_names"].arr.size(), 10u);
  EXPECT_EQ(j["class_names"][9].str, "truck");
  // Combined: 12 images, 7 correct.
  EXPECT_EQ(j["total"].num, 12);
  EXPECT_EQ(j["correct"].num, 7);
  EXPECT_DOUBLE_EQ(j["accuracy"].num, 7.0 / 12.0);
  ASSERT_EQ(j["per_class"].arr.size(), 10u);
  EXPECT_DOUBLE_EQ(j["per_class"][0].num, 0.75);
  EXPECT_DOUBLE_EQ(j["per_class"][2].num, 0.5);
  EXPECT_EQ(j["per_class"][4].t, Json::T::Null);   // no images of class 4
  EXPECT_EQ(j["per_class_total"][3].num, 3);
  EXPECT_EQ(j["confusion"][2][7].num, 1);
  EXPECT_EQ(j["confusion"][0][2].num, 1);
  EXPECT_EQ(j["unpredicted"].num, 1);
  EXPECT_DOUBLE_EQ(j["images_per_second"].num, 12 / 0.5);
  EXPECT_DOUBLE_EQ(j["seconds"].num, 0.5);
  ASSERT_EQ(j["files"].arr.size(), 2u);
  const Json& fa = j["files"][0];
  EXPECT_EQ(fa["path"].str, "a.bin");
  EXPECT_EQ(fa["format"].str, "binary");
  EXPECT_EQ(fa["total"].num, 10);
  EXPECT_DOUBLE_EQ(fa["accuracy"].num, 0.6);
  EXPECT_DOUBLE_EQ(fa["images_per_second"].num, 20);
  const Json& fb = j["files"][1];
  EXPECT_EQ(fb["format"].str, "pickle");
  EXPECT_DOUBLE_EQ(fb["accuracy"].num, 0.5);
  EXPECT_EQ(fb["images_per_second"].t, Json::T::Null);   // no time measured: null, not inf
  EXPECT_EQ(fb["per_class"][0].t, Json::T::Null);
}

TEST(EvalReportJson, EmptyReportIsStillValid) {
  EvalReport r;
  Json j = parse_json(report_json(r));
  EXPECT_EQ(j["total"].num, 0);
  EXPECT_EQ(j["accuracy"].t, Json::T::Null);
  EXPECT_EQ(j["files"].arr.size(), 0u);
}

TEST(EvalReportText, PerFileAndCombinedSections) {
  EvalReport r = two_file_report();
  std::string text = report_text(r);
  EXPECT_NE(text.find("accuracy   60.00 %  (6/10), 20.0 images/s"), std::string::npos) << text;
  EXPECT_NE(text.find("accuracy   58.33 %  (7/12)"), std::string::npos) << text;
  EXPECT_NE(text.find("combined (2 files)"), std::string::npos);
  EXPECT_NE(text.find("    airplane    75.00 %  (3/4)"), std::string::npos) << text;
  EXPECT_NE(text.find("    deer            n/a  (0/0)"), std::string::npos) << text;
  EXPECT_NE(text.find("1 images had no prediction"), std::string::npos);
  EXPECT_NE(text.find("322099 bytes"), std::string::npos);
  r.files.pop_back();
  EXPECT_EQ(report_text(r).find("combined"), std::string::npos);   // no combined section for one file
}

TEST(ProgressBar, Render) {
  EXPECT_EQ(ProgressBar::render("x", 5, 10, 10), "x [#####-----]  5/10");
  EXPECT_EQ(ProgressBar::render("x", 10, 10, 4), "x [####] 10/10");
  EXPECT_EQ(ProgressBar::render("x", 0, 0, 4), "x [####] 0/0");
  EXPECT_EQ(ProgressBar::render("x", 50, 10, 4), "x [####] 10/10");   // clamped
  ProgressBar disabled("x", 10, false);
  disabled.update(5);   // draws nothing; must not crash
}

}  // namespace
}  // namespace octet
