// Bias correction in the quantization pass (quant/quantize_graph.h): after it, a conv with
// its weights rounded to the scheme's grid has the same per-channel output mean as the float
// conv over the calibration inputs; without it, it does not.
#include <gtest/gtest.h>

#include "optimize_test_util.h"
#include "quant/calibrate.h"
#include "quant/quantize_graph.h"

namespace octet {
namespace {

using namespace opt_test;

// The graph with each annotated weight replaced by its quantized-then-dequantized values.
Graph with_rounded_weights(Graph g) {
  for (Value& v : g.values) {
    if (!v.constant || !v.quant || v.quant->dtype == DType::Int32) continue;
    for (float& x : std::span<float>(v.constant->data<float>(), static_cast<size_t>(v.constant->numel())))
      x = quant::dequantize_value(quant::quantize_value(x, *v.quant), *v.quant);
  }
  return g;
}

std::vector<double> channel_means(const Tensor& y) {
  const int64_t n = y.dims[0], c = y.dims[1], inner = y.numel() / (n * c);
  std::vector<double> m(static_cast<size_t>(c), 0.0);
  for (int64_t b = 0; b < n; ++b)
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t i = 0; i < inner; ++i) m[static_cast<size_t>(ch)] += y.data<float>()[(b * c + ch) * inner + i];
  for (double& x : m) x /= double(n * inner);
  return m;
}

// Largest |mean shift| of the output channels between the float graph and the graph with
// rounded weights, on `input`.
double worst_mean_shift(const Graph& fp32, const Graph& quantized, const Tensor& input) {
  const Tensor want = ReferenceExecutor(fp32).run(std::span<const Tensor>(&input, 1))[0];
  const Tensor got = ReferenceExecutor(with_rounded_weights(quantized)).run(std::span<const Tensor>(&input, 1))[0];
  const std::vector<double> a = channel_means(want), b = channel_means(got);
  double worst = 0;
  for (size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::fabs(a[i] - b[i]));
  return worst;
}

TEST(BiasCorrection, RemovesTheMeanShiftOfWeightRounding) {
  for (quant::Scheme scheme : {quant::Scheme::Uint8, quant::Scheme::U8S8}) {
    SCOPED_TRACE(quant::scheme_name(scheme));
    Builder b;
    const int x = b.input("x", {-1, 3, 8, 8});
    // Stride 2 and asymmetric padding: border taps read padding, which the correction counts.
    const int y = b.conv("conv", x, 5, 3, 3, 11, {{"pads", ints({1, 0, 0, 1})}, {"strides", ints({2, 2})}});
    b.output(y);
    const Graph g = b.prepared();
    // Inputs with a large positive mean (raw pixels), where the shift is largest.
    const Tensor calib = random_tensor({16, 3, 8, 8}, 7, 0.f, 255.f);
    quant::Calibrator cal(g);
    cal.observe(calib);
    Graph corrected = g, plain = g;
    quant::quantize_graph(corrected, cal.ranges(), scheme);
    quant::quantize_graph(plain, cal.ranges(), scheme, quant::QuantizeOptions{false, {}});
    const double before = worst_mean_shift(g, plain, calib);
    const double after = worst_mean_shift(g, corrected, calib);
    EXPECT_GT(before, 1e-3);
    EXPECT_LT(after, before * 1e-3 + 1e-4) << "before " << before;
    // The weights themselves are not changed; only the bias.
    EXPECT_EQ(corrected.value(corrected.nodes[0].inputs[1]).constant->bytes, g.value(g.nodes[0].inputs[1]).constant->bytes);
  }
}

}  // namespace
}  // namespace octet
