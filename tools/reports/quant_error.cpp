#include "tools/reports/quant_error.h"

#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <optional>
#include <span>

#include "engine/executor.h"
#include "engine/runtime/session.h"
#include "engine/runtime/error.h"
#include "quant/scheme.h"
#include "tools/reports/progress.h"

namespace octet {

namespace {

// The only node reading `value`, or nullptr.
const Node* sole_reader(const Graph& g, int value) {
  const Node* found = nullptr;
  for (const Node& n : g.nodes)
    for (int in : n.inputs)
      if (in == value) {
        if (found != nullptr && found != &n) return nullptr;
        found = &n;
      }
  return found;
}

}  // namespace

double TensorError::sqnr_db() const {
  if (noise == 0) return std::numeric_limits<double>::infinity();
  return 10.0 * std::log10(signal / noise);
}

double TensorError::weights_only_sqnr_db() const {
  if (weight_noise == 0) return std::numeric_limits<double>::infinity();
  return 10.0 * std::log10(signal / weight_noise);
}

Graph weights_only_graph(const Graph& quantized) {
  Graph g = quantized;
  for (Value& v : g.values) {
    if (v.quant && v.constant && v.constant->dtype == DType::Float32) {
      float* x = v.constant->data<float>();
      for (int64_t i = 0; i < v.constant->numel(); ++i) {
        const QuantParams p = quant::element_params(*v.quant, v.constant->dims, i);
        x[i] = quant::dequantize_value(quant::quantize_value(x[i], p), p);
      }
    }
    v.quant.reset();
  }
  return g;
}

std::vector<TensorError> quantization_error(const Graph& fp32, const Plan& int8, const CifarSet& images,
                                            ImageLayout layout, bool progress, const Graph* quantized) {
  // The uint8 step outputs, in plan order, and the graph values they correspond to.
  std::vector<TensorError> errors;
  std::map<size_t, size_t> error_of_step;   // step index -> errors index
  std::map<std::string, int> value_ids;
  for (size_t i = 0; i < fp32.values.size(); ++i) value_ids[fp32.values[i].name] = static_cast<int>(i);
  std::map<int, size_t> wanted;   // value id -> errors index
  for (size_t si = 0; si < int8.steps.size(); ++si) {
    const Step& st = int8.steps[si];
    const Buffer& b = int8.buffers[static_cast<size_t>(st.output)];
    auto it = value_ids.find(b.value_name);
    if (!b.uint8 || b.elements_per_image == 0 || it == value_ids.end()) continue;
    int id = it->second;
    std::string layer = st.type->summary(*st.params);
    // A Relu/Clip merged into this range: the codes are its output, so compare with that.
    const Node* reader = sole_reader(fp32, id);
    if (reader != nullptr && (reader->op == OpKind::Relu || reader->op == OpKind::Clip)) {
      id = reader->outputs[0];
      layer += reader->op == OpKind::Relu ? " + relu" : " + clip";
    } else if (reader != nullptr && reader->op == OpKind::Add) {
      layer += ", into an add";
    }
    error_of_step[si] = errors.size();
    wanted[id] = errors.size();
    errors.push_back(TensorError{fp32.values[static_cast<size_t>(id)].name, st.name, layer, b.scale, b.zero_point});
  }

  // The weights-only model: its own value ids, matched by name.
  std::optional<Graph> weights_only;
  std::map<int, size_t> weights_only_wanted;
  if (quantized != nullptr) {
    weights_only = weights_only_graph(*quantized);
    for (size_t i = 0; i < weights_only->values.size(); ++i)
      for (size_t e = 0; e < errors.size(); ++e)
        if (weights_only->values[i].name == errors[e].value) weights_only_wanted[static_cast<int>(i)] = e;
    for (TensorError& e : errors) e.weight_noise = 0;
  }

  constexpr int kBatch = 25;
  ReferenceExecutor exec(fp32);
  Session session(int8, SessionOptions{1, kBatch});
  std::vector<std::vector<float>> reference(errors.size());   // per error: the batch's FP32 values
  std::vector<float> sink(static_cast<size_t>(kBatch) * static_cast<size_t>(int8.outputs.at(0).floats_per_image()));
  ProgressBar bar("error report", images.size(), progress);
  for (size_t start = 0; start < images.size(); start += kBatch) {
    const size_t count = std::min<size_t>(kBatch, images.size() - start);
    Tensor in = make_cifar_input(images, start, count, layout);
    exec.run(std::span<const Tensor>(&in, 1), [&](int id, const Tensor& t) {
      auto it = wanted.find(id);
      if (it != wanted.end() && t.dtype == DType::Float32)
        reference[it->second].assign(t.values<float>().begin(), t.values<float>().end());
    });
    if (weights_only) {
      ReferenceExecutor(*weights_only).run(std::span<const Tensor>(&in, 1), [&](int id, const Tensor& t) {
        auto it = weights_only_wanted.find(id);
        if (it == weights_only_wanted.end() || t.dtype != DType::Float32) return;
        const std::vector<float>& ref = reference[it->second];
        const auto v = t.values<float>();
        if (v.size() != ref.size()) return;
        double& noise = errors[it->second].weight_noise;
        for (size_t i = 0; i < v.size(); ++i) noise += double(ref[i] - v[i]) * (ref[i] - v[i]);
      });
    }
    session.set_step_observer([&](size_t si, int image, const void* out) {
      auto it = error_of_step.find(si);
      if (it == error_of_step.end()) return;
      TensorError& e = errors[it->second];
      const Buffer& b = int8.buffers[static_cast<size_t>(int8.steps[si].output)];
      const std::vector<float>& ref = reference[it->second];
      const int64_t n = b.elements_per_image;
      if (ref.size() != static_cast<size_t>(n) * count) return;   // a shape the names do not match
      const auto* q = static_cast<const uint8_t*>(out);
      const float* x = ref.data() + static_cast<size_t>(image) * static_cast<size_t>(n);
      // An NHWC buffer of a [C,H,W] value: channels innermost, the reference is planar.
      int64_t channels = 1, hw = n;
      if (b.nhwc) {
        const Shape& s = fp32.value(value_ids.at(e.value)).shape;
        channels = s.dims[1].value;
        hw = n / channels;
      }
      for (int64_t i = 0; i < n; ++i) {
        const float real = e.scale * float(int32_t(q[i]) - e.zero_point);
        const float ref_value = b.nhwc ? x[(i % channels) * hw + i / channels] : x[i];
        e.signal += double(ref_value) * ref_value;
        e.noise += double(ref_value - real) * (ref_value - real);
        ++e.elements;
      }
    });
    const float* xp = in.data<float>();
    float* yp = sink.data();
    std::vector<float*> outs{yp};
    std::vector<std::vector<float>> extra;
    for (size_t o = 1; o < int8.outputs.size(); ++o) {
      extra.emplace_back(static_cast<size_t>(kBatch * int8.outputs[o].floats_per_image()));
      outs.push_back(extra.back().data());
    }
    session.run(static_cast<int>(count), std::span<const float* const>(&xp, 1), outs);
    bar.update(start + count);
  }
  bar.finish();
  return errors;
}

std::string quantization_error_text(const std::vector<TensorError>& errors) {
  std::string out = "per-tensor error against FP32 (SQNR, higher is better)\n";
  char line[256];
  std::snprintf(line, sizeof line, "  %-50s %12s %5s %10s\n", "tensor", "scale", "zp", "SQNR dB");
  out += line;
  for (const TensorError& e : errors) {
    std::snprintf(line, sizeof line, "  %-50s %12.6g %5d %10.2f\n", e.value.c_str(), double(e.scale), e.zero_point,
                  e.sqnr_db());
    out += line;
  }
  return out;
}

std::string quantization_error_markdown(const std::vector<SchemeErrors>& schemes) {
  if (schemes.empty()) throw Error("no scheme to tabulate");
  auto find = [](const SchemeErrors& s, const std::string& value) -> const TensorError* {
    for (const TensorError& e : s.errors)
      if (e.value == value) return &e;
    return nullptr;
  };
  // Weights-only columns when every scheme measured them.
  bool weights_only = true;
  for (const SchemeErrors& s : schemes)
    for (const TensorError& e : s.errors) weights_only = weights_only && e.weight_noise >= 0;
  std::string out = "| tensor | written by | scale |";
  std::string rule = "|---|---|---|";
  for (const SchemeErrors& s : schemes) {
    out += " " + s.scheme + " SQNR dB |";
    rule += "---|";
  }
  for (size_t i = 0; weights_only && i < schemes.size(); ++i) {
    out += " " + schemes[i].scheme + " weights only |";
    rule += "---|";
  }
  out += "\n" + rule + "\n";
  auto number = [](double db) {
    if (std::isinf(db)) return std::string(" exact |");
    char text[32];
    std::snprintf(text, sizeof text, " %.2f |", db);
    return std::string(text);
  };
  char cell[64];
  for (const TensorError& row : schemes[0].errors) {
    // The activation scale comes from the calibrated range alone, so it is the same in every
    // scheme (uint8 and int8 grids differ only by the zero point).
    bool same_scale = true;
    for (const SchemeErrors& s : schemes) {
      const TensorError* e = find(s, row.value);
      same_scale = same_scale && (e == nullptr || e->scale == row.scale);
    }
    std::snprintf(cell, sizeof cell, "%.4g", double(row.scale));
    out += "| `" + row.value + "` | " + row.layer + " | " + (same_scale ? std::string(cell) : "differs") + " |";
    for (const SchemeErrors& s : schemes) {
      const TensorError* e = find(s, row.value);
      out += e == nullptr ? " – |" : number(e->sqnr_db());
    }
    for (size_t i = 0; weights_only && i < schemes.size(); ++i) {
      const TensorError* e = find(schemes[i], row.value);
      out += e == nullptr ? " – |" : number(e->weights_only_sqnr_db());
    }
    out += "\n";
  }
  return out;
}

std::string replace_sqnr_block(const std::string& doc, const std::string& block, const std::string& doc_name) {
  const std::string begin = "<!-- sqnr:begin -->\n", end = "<!-- sqnr:end -->";
  const size_t b = doc.find(begin), e = doc.find(end);
  if (b == std::string::npos || e == std::string::npos)
    throw Error(doc_name + ": no '<!-- sqnr:begin -->' / '<!-- sqnr:end -->' marker lines to put the table between");
  if (e < b + begin.size() || doc.find(begin, b + 1) != std::string::npos || doc.find(end, e + 1) != std::string::npos)
    throw Error(doc_name + ": the sqnr markers must appear once each, begin before end");
  return doc.substr(0, b + begin.size()) + block + doc.substr(e);
}

}  // namespace octet
