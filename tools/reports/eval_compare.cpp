#include "tools/reports/eval_compare.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "engine/compile.h"
#include "engine/runtime/session.h"
#include "tools/reports/quant_error.h"

namespace octet {

std::vector<int> predict(const Plan& plan, const CifarSet& set, ImageLayout layout, int batch, int threads,
                         EvalCounts* counts, double* seconds) {
  if (plan.inputs.size() != 1 || plan.outputs.empty() || plan.outputs[0].floats_per_image() != kCifarClasses)
    throw Error("the model must take one image input and give 10 scores per image");
  Session session(plan, SessionOptions{threads, batch});
  std::vector<float> scores(static_cast<size_t>(batch) * kCifarClasses);
  std::vector<std::vector<float>> extra_outputs;
  for (size_t o = 1; o < plan.outputs.size(); ++o)
    extra_outputs.emplace_back(static_cast<size_t>(batch * plan.outputs[o].floats_per_image()));
  std::vector<float*> outs{scores.data()};
  for (auto& e : extra_outputs) outs.push_back(e.data());
  std::vector<int> predictions;
  predictions.reserve(set.size());
  for (size_t start = 0; start < set.size(); start += static_cast<size_t>(batch)) {
    const size_t count = std::min(static_cast<size_t>(batch), set.size() - start);
    Tensor in = make_cifar_input(set, start, count, layout);
    const float* x = in.data<float>();
    auto t0 = std::chrono::steady_clock::now();
    session.run(static_cast<int>(count), std::span<const float* const>(&x, 1), outs);
    if (seconds) *seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    for (size_t i = 0; i < count; ++i) {
      const int p = argmax(scores.data() + i * kCifarClasses, kCifarClasses);
      predictions.push_back(p);
      if (counts) counts->add(set.labels[start + i], p);
    }
  }
  return predictions;
}

std::vector<VariantResult> compare_schemes(const ComparisonInput& in) {
  std::vector<VariantResult> results;
  auto run_variant = [&](const std::string& label, const Plan& plan, uint64_t bytes) {
    VariantResult v;
    v.label = label;
    v.model_bytes = bytes;
    for (const CifarSet* set : in.sets) {
      EvalCounts counts;
      double seconds = 0;
      v.predictions.push_back(predict(plan, *set, in.layout, in.batch, in.threads, &counts, &seconds));
      v.files.push_back(counts);
      v.seconds.push_back(seconds);
    }
    results.push_back(std::move(v));
  };
  Model fp32 = *in.model;
  run_variant("fp32", fp32.plan(), in.fp32_model_bytes);
  // Every (scheme, granularity, method) to run; per-channel weights need a symmetric-weight
  // scheme (quant::weights_symmetric), so uint8 is per tensor only.
  struct Variant {
    quant::Scheme scheme;
    bool per_channel;
    quant::MethodOptions method;
  };
  std::vector<Variant> variants;
  for (quant::Scheme scheme : in.schemes)
    for (bool per_channel : in.per_channel)
      if (!per_channel || quant::weights_symmetric(scheme))
        for (const quant::MethodOptions& method : in.methods) variants.push_back({scheme, per_channel, method});
  for (const auto& [scheme, per_channel, method] : variants) {
    const std::string scheme_label(quant::scheme_name(scheme)), method_label = quant::method_label(method);
    const std::string granularity = per_channel ? "per-channel" : "per-tensor";
    if (in.on_variant)
      in.on_variant(std::to_string(results.size()) + "/" + std::to_string(variants.size()),
                    scheme_label + " " + granularity + " " + method_label);
    Model q = in.model->quantize(*in.calibration, {scheme, method, per_channel});
    run_variant(scheme_label, q.plan(), in.model_bytes ? in.model_bytes(q) : 0);
    VariantResult& v = results.back();
    v.granularity = granularity;
    v.method = method_label;
    if (in.sqnr_images) {
      // The plan before epilogue fusion, as octet-quantize's report: it also stores a
      // residual block's conv output (tools/reports/quant_error.h).
      const std::vector<TensorError> errors =
          quantization_error(in.calibration->base, compile_plan(q.graph()), *in.sqnr_images, in.layout, false);
      for (const TensorError& e : errors)
        if (!v.worst_sqnr_db || e.sqnr_db() < *v.worst_sqnr_db) v.worst_sqnr_db = e.sqnr_db(), v.worst_tensor = e.value;
    }
  }
  return results;
}

std::optional<double> agreement(const std::vector<int>& a, const std::vector<int>& b) {
  if (a.size() != b.size()) throw Error("agreement of prediction lists of different lengths");
  if (a.empty()) return std::nullopt;
  size_t same = 0;
  for (size_t i = 0; i < a.size(); ++i) same += a[i] == b[i];
  return double(same) / double(a.size());
}

namespace {

std::string percent(std::optional<double> v, bool sign = false) {
  if (!v) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, sign ? "%+.2f %%" : "%.2f %%", *v * 100);
  return buf;
}

std::string kilobytes(uint64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f KB", double(bytes) / 1000.0);
  return buf;
}

}  // namespace

std::string comparison_text(const std::vector<std::string>& file_labels, const std::vector<VariantResult>& variants) {
  std::string out;
  if (variants.empty()) return out;
  const VariantResult& base = variants[0];
  char cell[160];
  std::snprintf(cell, sizeof cell, "%-7s %-11s %-16s %10s %10s", "scheme", "granularity", "method", "size",
                "worst SQNR");
  out += cell;
  for (size_t f = 0; f < file_labels.size(); ++f) {
    const std::string n = "#" + std::to_string(f + 1);
    std::snprintf(cell, sizeof cell, " | %19s %9s %10s", (n + " accuracy").c_str(), "vs fp32", "agreement");
    out += cell;
  }
  out += "\n";
  for (const VariantResult& v : variants) {
    std::string sqnr = "-";
    if (v.worst_sqnr_db) {
      std::snprintf(cell, sizeof cell, "%.1f dB", *v.worst_sqnr_db);
      sqnr = cell;
    }
    std::snprintf(cell, sizeof cell, "%-7s %-11s %-16s %10s %10s", v.label.c_str(), v.granularity.c_str(),
                  v.method.c_str(), v.model_bytes ? kilobytes(v.model_bytes).c_str() : "-", sqnr.c_str());
    out += cell;
    for (size_t f = 0; f < file_labels.size(); ++f) {
      const EvalCounts& c = v.files[f];
      std::optional<double> acc = c.accuracy();
      std::optional<double> delta;
      if (acc && base.files[f].accuracy()) delta = *acc - *base.files[f].accuracy();
      std::optional<double> agree = agreement(v.predictions[f], base.predictions[f]);
      char acc_text[64];
      std::snprintf(acc_text, sizeof acc_text, "%s (%lld/%lld)", percent(acc).c_str(),
                    static_cast<long long>(c.correct()), static_cast<long long>(c.total()));
      std::snprintf(cell, sizeof cell, " | %19s %9s %10s", acc_text, &v == &base ? "-" : percent(delta, true).c_str(),
                    &v == &base ? "-" : percent(agree).c_str());
      out += cell;
    }
    out += "\n";
  }
  for (size_t f = 0; f < file_labels.size(); ++f) out += "#" + std::to_string(f + 1) + ": " + file_labels[f] + "\n";
  if (std::any_of(variants.begin(), variants.end(), [](const VariantResult& v) { return v.worst_sqnr_db.has_value(); }))
    out += "worst SQNR: the lowest SQNR against FP32 of any quantized tensor (--json names it)\n";
  return out;
}

std::string comparison_json(const std::vector<std::string>& file_labels, const std::vector<VariantResult>& variants) {
  std::string out = "{\"files\": [";
  for (size_t f = 0; f < file_labels.size(); ++f) out += (f ? ", " : "") + json_string(file_labels[f]);
  out += "], \"variants\": [";
  for (size_t i = 0; i < variants.size(); ++i) {
    const VariantResult& v = variants[i];
    out += (i ? ", " : "") + std::string("{\"label\": ") + json_string(v.label) +
           ", \"granularity\": " + json_string(v.granularity) + ", \"method\": " + json_string(v.method) +
           ", \"model_bytes\": " + std::to_string(v.model_bytes) +
           ", \"worst_sqnr_db\": " + json_number(v.worst_sqnr_db ? *v.worst_sqnr_db : NAN) +
           ", \"worst_tensor\": " + json_string(v.worst_tensor) + ", \"files\": [";
    for (size_t f = 0; f < v.files.size(); ++f) {
      const EvalCounts& c = v.files[f];
      std::optional<double> acc = c.accuracy(), base = variants[0].files[f].accuracy();
      std::optional<double> agree = agreement(v.predictions[f], variants[0].predictions[f]);
      out += (f ? ", " : "") + std::string("{\"accuracy\": ") + json_number(acc ? *acc : NAN) +
             ", \"correct\": " + std::to_string(c.correct()) + ", \"total\": " + std::to_string(c.total()) +
             ", \"delta_vs_fp32\": " + json_number(acc && base ? *acc - *base : NAN) +
             ", \"agreement_with_fp32\": " + json_number(agree ? *agree : NAN) + "}";
    }
    out += "]}";
  }
  return out + "]}";
}

}  // namespace octet
