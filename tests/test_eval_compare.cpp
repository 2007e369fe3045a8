// octet-eval --quantize's comparison (tools/reports/eval_compare.h) and the --method /
// --percentile flags the tools share (tools/reports/calibration_flags.h): the table has a row
// per scheme x granularity x method with each data file's accuracy, change and agreement, and
// the flags refuse what they cannot mean.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/runtime/error.h"
#include "tools/reports/calibration_flags.h"
#include "tools/reports/eval_compare.h"

namespace octet {
namespace {

using quant::Method;

// The command line "tool WORDS..." parsed with the method keys.
cli::Args args_of(std::vector<std::string> words) {
  words.insert(words.begin(), "tool");
  std::vector<char*> argv;
  for (std::string& w : words) argv.push_back(w.data());
  return cli::Args(static_cast<int>(argv.size()), argv.data(), {}, kMethodKeys);
}

MethodFlags parse(std::vector<std::string> words, bool several) { return method_flags(args_of(std::move(words)), several); }

TEST(MethodFlags, DefaultListAllAndPercentile) {
  EXPECT_EQ(parse({}, false).methods, std::vector<Method>{Method::MinMax});
  EXPECT_EQ(parse({"--method", "entropy,mse"}, true).methods, (std::vector<Method>{Method::Entropy, Method::Mse}));
  EXPECT_EQ(parse({"--method", "all"}, true).methods.size(), 4u);
  const MethodFlags p = parse({"--method", "percentile", "--percentile", "99.9"}, false);
  EXPECT_EQ(p.only().method, Method::Percentile);
  EXPECT_EQ(p.only().percentile, 99.9);
}

TEST(MethodFlags, RefusesWhatItCannotMean) {
  EXPECT_THROW(parse({"--method", "kl"}, true), Error);
  EXPECT_THROW(parse({"--method", "entropy,mse"}, false), Error);   // one method only
  EXPECT_THROW(parse({"--method", "all"}, false), Error);
  EXPECT_THROW(parse({"--percentile", "99"}, false), Error);        // not the percentile method
  EXPECT_THROW(parse({"--method", "percentile", "--percentile", "0"}, false), Error);
  EXPECT_THROW(parse({"--method", "percentile", "--percentile", "99x"}, false), Error);
  const cli::Args args = args_of({"--method", "mse"});
  EXPECT_THROW(refuse_method_without_quantizing(args, false, "--quantize"), Error);
  EXPECT_NO_THROW(refuse_method_without_quantizing(args, true, "--quantize"));
}

VariantResult variant(const std::string& scheme, const std::string& method, std::vector<int> predictions) {
  VariantResult v;
  v.label = scheme;
  v.granularity = method == "-" ? "-" : "per-tensor";
  v.method = method;
  EvalCounts counts;
  for (int p : predictions) counts.add(0, p);   // every image is of class 0
  v.files.push_back(counts);
  v.predictions.push_back(std::move(predictions));
  return v;
}

TEST(ComparisonText, OneRowPerVariantWithAccuracyChangeAndAgreement) {
  std::vector<VariantResult> rows{variant("fp32", "-", {0, 0, 0, 1}), variant("u8s8", "entropy", {0, 0, 1, 1})};
  rows[1].worst_sqnr_db = 22.75;
  const std::string text = comparison_text({"test.bin (4 images)"}, rows);
  EXPECT_NE(text.find("granularity"), std::string::npos) << text;
  const size_t row = text.find("u8s8    per-tensor  entropy");
  ASSERT_NE(row, std::string::npos) << text;
  const std::string line = text.substr(row, text.find('\n', row) - row);
  EXPECT_NE(line.find("22.8 dB"), std::string::npos) << line;
  EXPECT_NE(line.find("50.00 % (2/4)"), std::string::npos) << line;
  EXPECT_NE(line.find("-25.00 %"), std::string::npos) << line;   // 50 % against FP32's 75 %
  EXPECT_NE(line.find("75.00 %"), std::string::npos) << line;    // 3 of 4 predictions agree
  EXPECT_NE(text.find("#1: test.bin (4 images)"), std::string::npos) << text;
}

}  // namespace
}  // namespace octet
