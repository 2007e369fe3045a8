#include "tools/common/quant_error.h"

#include <cmath>
#include <cstdio>
#include <limits>
#include <map>

#include "engine/executor.h"
#include "engine/session.h"
#include "tools/common/progress.h"

namespace octet {

double TensorError::sqnr_db() const {
  if (noise == 0) return std::numeric_limits<double>::infinity();
  return 10.0 * std::log10(signal / noise);
}

std::vector<TensorError> quantization_error(const Graph& fp32, const Plan& int8, const CifarSet& images,
                                            ImageLayout layout, bool progress) {
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
    error_of_step[si] = errors.size();
    wanted[it->second] = errors.size();
    errors.push_back(TensorError{b.value_name, st.name, b.scale, b.zero_point});
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
        const Shape& s = fp32.value(value_ids.at(b.value_name)).shape;
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
  std::snprintf(line, sizeof line, "  %-40s %12s %5s %10s\n", "tensor", "scale", "zp", "SQNR dB");
  out += line;
  for (const TensorError& e : errors) {
    std::snprintf(line, sizeof line, "  %-40s %12.6g %5d %10.2f\n", e.value.c_str(), double(e.scale), e.zero_point,
                  e.sqnr_db());
    out += line;
  }
  return out;
}

}  // namespace octet
