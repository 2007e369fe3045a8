// docs/quantization.md writes down the arithmetic of a quantized convolution (ONNX Runtime's:
// integer accumulation, float requantisation). This test computes convolution outputs from
// that text alone, in plain integers and single float operations written out here (no octet
// kernel, reference kernel or requantisation helper), and compares them with what the int8
// kernels produce, bit for bit, on every int8 ISA this CPU runs:
// - every convolution of ResNet8 quantized the way octet does it (uint8, int8 and u8s8;
//   calibrated here on one image per class to stay cheap), at every output position and
//   channel of two test images: the plain convs (with and without a merged Relu, 3x3 and 1x1,
//   stride 1 and 2, the border pixels reading padding) and the residual convs whose epilogue
//   rounds the conv output first and then adds the shortcut, from the graph's float weights
//   and scales;
// - a synthetic conv whose scales are exactly 1/2, so that every odd sum is a tie: it pins the
//   rounding mode (round half to even, as ONNX Runtime's vcvtps2dq) and checks that half up
//   or half away from zero would have been caught.
#include <gtest/gtest.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdint>
#include <map>
#include <random>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "engine/pipeline/stages.h"
#include "engine/runtime/plan.h"
#include "engine/runtime/session.h"
#include "engine/runtime/steps/all.h"
#include "kernels/registry.h"
#include "quant/scheme.h"
#include "tools/datasets/cifar.h"
#include "tools/datasets/cifar_calibration.h"

namespace octet {
namespace {

// ---- docs/quantization.md, written out -------------------------------------------------

int64_t floor_div(int64_t v, int64_t d) { return v >= 0 ? v / d : -((-v + d - 1) / d); }
int64_t clamp64(int64_t v, int64_t lo, int64_t hi) { return v < lo ? lo : v > hi ? hi : v; }
// "Round half to even" of a float (the default rounding mode of nearbyint).
int64_t round_even(float v) { return static_cast<int64_t>(std::nearbyint(double(v))); }

// "Quantizing a float": q = clamp(round_half_even(r / scale) + zero_point, qmin, qmax), the
// division in float32; a bias: round_half_even(b / (s_in * s_w)) in float32, saturated to int32.
int64_t quantize_float(float r, float scale, int32_t zero_point, int64_t qmin, int64_t qmax) {
  return clamp64(static_cast<int64_t>(std::nearbyint(double(r / scale))) + zero_point, qmin, qmax);
}

// One convolution of the quantized graph, everything in the scheme's own storage types
// (int8 activations are int8 here, uint8 weights uint8), the residual Add included: its float
// roundings happen on the graph's own codes, as in ONNX Runtime's QLinearAdd.
struct DocConv {
  std::string name;
  int64_t in_c = 0, in_h = 0, in_w = 0, out_c = 0, out_h = 0, out_w = 0, kh = 0, kw = 0;
  int64_t stride_h = 1, stride_w = 1, pad_top = 0, pad_left = 0, dil_h = 1, dil_w = 1;
  int64_t act_min = 0, act_max = 255;   // the activation storage type's range
  int64_t zx = 0, zw = 0, zy = 0, lo = 0, hi = 255;
  bool relu = false;           // a Relu merged into the output's range
  std::vector<int64_t> w;      // [out_c][in_c][kh][kw], codes
  std::vector<int64_t> bias;   // [out_c]
  float scale = 0;             // float(float(s_in * s_w) / s_out), or / s_c with a residual
  bool residual = false;       // round first to c, then add r
  bool residual_first = false; // r is the Add's first input
  int64_t zc = 0, zr = 0;
  float ratio_a = 0, ratio_b = 0, fixed = 0;   // the Add's, A its first input

  // y at (co, oh, ow); x and r are storage codes in [c][h][w] order.
  int64_t output(const std::vector<int64_t>& x, const std::vector<int64_t>& r, int64_t co, int64_t oh,
                 int64_t ow) const {
    int64_t acc = bias[static_cast<size_t>(co)];
    for (int64_t ci = 0; ci < in_c; ++ci)
      for (int64_t i = 0; i < kh; ++i)
        for (int64_t j = 0; j < kw; ++j) {
          const int64_t ih = oh * stride_h - pad_top + i * dil_h, iw = ow * stride_w - pad_left + j * dil_w;
          if (ih < 0 || ih >= in_h || iw < 0 || iw >= in_w) continue;   // padding: nothing
          acc += (x[static_cast<size_t>((ci * in_h + ih) * in_w + iw)] - zx) *
                 (w[static_cast<size_t>(((co * in_c + ci) * kh + i) * kw + j)] - zw);
        }
    const float v = static_cast<float>(acc) * scale;   // acc is far inside int32 here
    if (!residual) return clamp64(zy + round_even(v), lo, hi);
    const int64_t c = clamp64(zc + round_even(v), act_min, act_max);
    const int64_t rv = r[static_cast<size_t>((co * out_h + oh) * out_w + ow)];
    const float cf = static_cast<float>(c), rf = static_cast<float>(rv);
    const float a = residual_first ? rf : cf, b = residual_first ? cf : rf;
    float t = std::fma(b, ratio_b, fixed);
    t = std::fma(a, ratio_a, t);
    return clamp64(round_even(t), lo, hi);
  }
};

// Nodes on the longest path from a graph input to `value` (the doc: of two convs feeding a
// residual Add, the deeper one, the block's main path, takes the Add into its epilogue).
int depth(const Graph& g, int value) {
  for (const Node& n : g.nodes)
    for (int o : n.outputs)
      if (o == value) {
        int d = 0;
        for (int i : n.inputs)
          if (i != kNoValue && !g.value(i).constant) d = std::max(d, depth(g, i));
        return d + 1;
      }
  return 0;
}
const Node* only_reader(const Graph& g, int value, OpKind op) {
  const Node* found = nullptr;
  int readers = 0;
  for (const Node& n : g.nodes)
    for (int i : n.inputs)
      if (i == value) ++readers, found = &n;
  return readers == 1 && found->op == op ? found : nullptr;
}

// The conv named `name` of the quantized graph `q` (before epilogue fusion), read as the doc
// describes it: weights and bias quantized from the float constants and their parameters, a
// following Add (other operand = residual) and Relu from the graph.
DocConv read_conv(const Graph& q, const std::string& name) {
  const Node* n = nullptr;
  for (const Node& m : q.nodes)
    if (m.op == OpKind::Conv && m.name == name) n = &m;
  if (n == nullptr) throw std::runtime_error("no Conv named " + name);
  const QuantParams& xq = *q.value(n->inputs[0]).quant;
  const QuantParams& wq = *q.value(n->inputs[1]).quant;
  const Tensor& wt = *q.value(n->inputs[1]).constant;
  const Shape& xs = q.value(n->inputs[0]).shape;   // [N, C, H, W]
  const Shape& ys = q.value(n->outputs[0]).shape;
  DocConv d;
  d.name = name;
  d.in_c = xs.dims[1].value, d.in_h = xs.dims[2].value, d.in_w = xs.dims[3].value;
  d.out_c = ys.dims[1].value, d.out_h = ys.dims[2].value, d.out_w = ys.dims[3].value;
  d.kh = wt.dims[2], d.kw = wt.dims[3];
  const auto strides = n->attr_ints("strides", {1, 1}), pads = n->attr_ints("pads", {0, 0, 0, 0}),
             dil = n->attr_ints("dilations", {1, 1});
  d.stride_h = strides[0], d.stride_w = strides[1], d.pad_top = pads[0], d.pad_left = pads[1];
  d.dil_h = dil[0], d.dil_w = dil[1];
  d.act_min = xq.dtype == DType::Int8 ? -128 : 0;
  d.act_max = d.act_min + 255;
  d.zx = xq.zero_point;
  d.zw = wq.zero_point;
  const int64_t wmin = wq.dtype == DType::Int8 ? -128 : 0;
  for (float v : wt.values<float>()) d.w.push_back(quantize_float(v, wq.scale, wq.zero_point, wmin, wmin + 255));
  const float bias_scale = xq.scale * wq.scale;
  d.bias.assign(static_cast<size_t>(d.out_c), 0);
  if (n->has_input(2)) {
    const auto b = q.value(n->inputs[2]).constant->values<float>();
    for (size_t i = 0; i < d.bias.size(); ++i)
      d.bias[i] = quantize_float(b[i], bias_scale, 0, INT32_MIN, INT32_MAX);
  }
  // What follows the conv: an Add of another tensor (the residual), then maybe a Relu.
  int y = n->outputs[0];
  const QuantParams& cq = *q.value(y).quant;
  const Node* add = only_reader(q, y, OpKind::Add);
  const int r = add == nullptr ? kNoValue : add->inputs[0] == y ? add->inputs[1] : add->inputs[0];
  auto scale_to = [&](float out_scale) {
    const float product = xq.scale * wq.scale;
    return product / out_scale;
  };
  if (add != nullptr && depth(q, y) > depth(q, r)) {
    d.residual = true;
    d.residual_first = add->inputs[0] == r;
    const QuantParams& rq = *q.value(r).quant;
    y = add->outputs[0];
    const QuantParams& yq = *q.value(y).quant;
    d.zc = cq.zero_point;
    d.zr = rq.zero_point;
    d.scale = scale_to(cq.scale);
    // The Add (A its first input): ratio = s / s_y; fixed = z_y - fma(ratio_a, z_a, ratio_b * z_b),
    // the graph's zero points.
    const float sa = d.residual_first ? rq.scale : cq.scale, sb = d.residual_first ? cq.scale : rq.scale;
    const int64_t za = d.residual_first ? d.zr : d.zc, zb = d.residual_first ? d.zc : d.zr;
    d.ratio_a = sa / yq.scale;
    d.ratio_b = sb / yq.scale;
    const float part_b = d.ratio_b * static_cast<float>(zb);
    d.fixed = static_cast<float>(yq.zero_point) - std::fma(d.ratio_a, static_cast<float>(za), part_b);
  } else {
    d.scale = scale_to(cq.scale);
  }
  // A merged Relu: lo = zy, the code of 0.0 (its input and output carry the same parameters).
  d.zy = q.value(y).quant->zero_point;
  d.relu = only_reader(q, y, OpKind::Relu) != nullptr;
  d.lo = d.relu ? d.zy : d.act_min;
  d.hi = d.act_max;
  return d;
}

// ---- the kernels' side -----------------------------------------------------------------

// A uint8 NHWC buffer of the plan as the scheme's storage codes in [c][h][w] order: the doc's
// "an int8 activation is stored as q8 + 128".
std::vector<int64_t> storage_codes(const std::vector<uint8_t>& nhwc, int64_t c, int64_t h, int64_t w, int64_t offset) {
  std::vector<int64_t> out(nhwc.size());
  for (int64_t ci = 0; ci < c; ++ci)
    for (int64_t i = 0; i < h * w; ++i)
      out[static_cast<size_t>(ci * h * w + i)] = int64_t{nhwc[static_cast<size_t>(i * c + ci)]} - offset;
  return out;
}

struct ConvRun {   // one QConv step on one image, as the runtime saw it
  std::string name, kernel;
  kernels::QConvParams params;
  std::vector<uint8_t> input, residual, output;
};

// Runs `plan` on `images` layer by layer and keeps each QConv step's input, residual and output.
std::vector<std::vector<ConvRun>> observe_convs(const Plan& plan, const Tensor& images, int count) {
  std::vector<std::map<int, std::vector<uint8_t>>> latest(static_cast<size_t>(count));   // buffer -> bytes
  std::vector<std::vector<ConvRun>> runs(static_cast<size_t>(count));
  Session session(plan, SessionOptions{1, count});
  session.set_step_observer([&](size_t si, int image, const void* out) {
    const Step& st = plan.steps[si];
    const Buffer& b = plan.buffers[static_cast<size_t>(st.output)];
    if (!b.uint8) return;
    const auto* p = static_cast<const uint8_t*>(out);
    std::vector<uint8_t> bytes(p, p + b.elements_per_image);
    auto& mine = latest[static_cast<size_t>(image)];
    if (const auto* q = st.params_if<QConvStep>()) {
      ConvRun r{st.name, q->kernel->name, q->conv, mine.at(st.input), {}, bytes};
      if (st.input2 >= 0) r.residual = mine.at(st.input2);
      runs[static_cast<size_t>(image)].push_back(std::move(r));
    }
    mine[st.output] = std::move(bytes);
  });
  std::vector<float> probs(static_cast<size_t>(count) * 10);
  const float* x = images.data<float>();
  float* y = probs.data();
  session.run(count, std::span<const float* const>(&x, 1), std::span<float* const>(&y, 1));
  return runs;
}

struct Isa {
  kernels::KernelIsa cap;     // CompileOptions::int8_isa
  const char* kernel;         // the conv variant the plan must then use
};
constexpr Isa kIsas[] = {{kernels::KernelIsa::Scalar, "qu8_conv_nhwc_scalar"},
                         {kernels::KernelIsa::Avx2, "qu8_conv_nhwc_direct_avx2"},
                         {kernels::KernelIsa::Vnni, "qu8_conv_nhwc_direct_vnni"}};

TEST(QuantFormula, EveryResNet8ConvMatchesTheDocumentedFormulaBitForBit) {
  const Graph base = quantization_base(load_reference_graph(OCTET_DATA_DIR "/resnet8.onnx"));
  const CifarSet train = read_cifar_file(OCTET_DATA_DIR "/cifar10-train-subset.bin");
  const auto ranges = calibrate_on_cifar(base, cifar_select(train, calibration_indices(train, 1)), ImageLayout::NHWC);
  const CifarSet test = read_cifar_file(OCTET_DATA_DIR "/cifar10-test-first1000.bin");
  constexpr int kImages = 2;
  const Tensor images = make_cifar_input(test, 0, kImages, ImageLayout::NHWC);

  for (quant::Scheme scheme : {quant::Scheme::Uint8, quant::Scheme::Int8, quant::Scheme::U8S8}) {
    SCOPED_TRACE(quant::scheme_name(scheme));
    const Graph q = quantize_model(base, ranges, scheme);
    const int64_t offset = quant::activation_dtype(scheme) == DType::Int8 ? 128 : 0;
    int isas_run = 0;
    for (const Isa& isa : kIsas) {
      if (!kernels::cpu_runs(isa.cap)) continue;
      SCOPED_TRACE(kernels::isa_name(isa.cap));
      ++isas_run;
      CompileOptions options;
      options.int8_isa = isa.cap;
      const Plan plan = compile_for_runtime(q, options);
      const auto runs = observe_convs(plan, images, kImages);
      int residual_convs = 0, relu_convs = 0, border_checks = 0;
      for (int image = 0; image < kImages; ++image) {
        ASSERT_EQ(runs[static_cast<size_t>(image)].size(), 9u);   // ResNet8's nine convolutions
        for (const ConvRun& run : runs[static_cast<size_t>(image)]) {
          SCOPED_TRACE(run.name);
          EXPECT_STREQ(run.kernel.c_str(), isa.kernel);
          const DocConv d = read_conv(q, run.name);
          // The doc's multipliers are the plan's.
          const kernels::QConvParams& p = run.params;
          EXPECT_EQ(p.round_before_residual, d.residual);
          EXPECT_EQ(p.scale, d.scale);
          if (d.residual) {
            EXPECT_EQ(p.residual_is_first, d.residual_first);
            EXPECT_EQ(p.residual_add.ratio_a, d.ratio_a);
            EXPECT_EQ(p.residual_add.ratio_b, d.ratio_b);
            EXPECT_EQ(p.residual_add.fixed, d.fixed);
          }
          residual_convs += d.residual;
          relu_convs += d.relu;
          const auto x = storage_codes(run.input, d.in_c, d.in_h, d.in_w, offset);
          const auto r = d.residual ? storage_codes(run.residual, d.out_c, d.out_h, d.out_w, offset) : std::vector<int64_t>{};
          const auto y = storage_codes(run.output, d.out_c, d.out_h, d.out_w, offset);
          int mismatches = 0;
          for (int64_t co = 0; co < d.out_c; ++co)
            for (int64_t oh = 0; oh < d.out_h; ++oh)
              for (int64_t ow = 0; ow < d.out_w; ++ow) {
                const int64_t want = d.output(x, r, co, oh, ow);
                const int64_t got = y[static_cast<size_t>((co * d.out_h + oh) * d.out_w + ow)];
                const bool border = oh * d.stride_h < d.pad_top || ow * d.stride_w < d.pad_left ||
                                    (oh * d.stride_h - d.pad_top + (d.kh - 1) * d.dil_h) >= d.in_h ||
                                    (ow * d.stride_w - d.pad_left + (d.kw - 1) * d.dil_w) >= d.in_w;
                border_checks += border;
                if (want != got && ++mismatches <= 3)
                  ADD_FAILURE() << "image " << image << " channel " << co << " pixel (" << oh << "," << ow
                                << "): formula " << want << ", kernel " << got;
              }
          EXPECT_EQ(mismatches, 0);
        }
      }
      // ResNet8: three residual blocks, a Relu after every conv but the two 1x1 shortcuts.
      EXPECT_EQ(residual_convs, 3 * kImages);
      EXPECT_EQ(relu_convs, 7 * kImages);
      EXPECT_GT(border_checks, 0);
    }
    EXPECT_GE(isas_run, 1);
  }
}

// ---- the rounding mode, pinned on ties ----------------------------------------------------

// A 3x3 conv whose scales are exactly 1/2: every odd sum lands on .5. The kernels are called
// directly, through the registry, for every int8 conv variant this CPU runs.
TEST(QuantFormula, TiesRoundHalfToEvenInBothEpilogues) {
  for (bool round_first : {false, true}) {
    SCOPED_TRACE(round_first ? "conv, round to c, add residual" : "plain conv");
    kernels::QConvParams p;
    p.shape.in_h = p.shape.in_w = p.shape.out_h = p.shape.out_w = 6;
    p.shape.in_c = 8;
    p.shape.out_c = 16;
    p.shape.kernel_h = p.shape.kernel_w = 3;
    p.shape.pad_top = p.shape.pad_left = 1;
    p.input_zero_point = 100;
    p.weight_zero_point = round_first ? 0 : 3;   // a uint8-scheme weight zero point on the plain one
    p.output_zero_point = 128;
    p.scale = 0.5f;
    if (round_first) {   // y = 128 + ((c - 120) + (r - 90)) / 2, every float step exact
      p.round_before_residual = true;
      p.conv_zero_point = 120;
      p.residual_zero_point = 90;
      p.residual_add.ratio_a = p.residual_add.ratio_b = 0.5f;
      p.residual_add.fixed = 128.f - (60.f + 45.f);
    }
    const auto& s = p.shape;
    const size_t in_n = size_t(s.in_h) * s.in_w * s.in_c, out_n = size_t(s.out_h) * s.out_w * s.out_c;
    std::mt19937 rng(7);
    auto pick = [&](int lo, int hi) { return lo + static_cast<int>(rng() % uint32_t(hi - lo + 1)); };
    std::vector<uint8_t> in(in_n), res(out_n), out(out_n);
    std::vector<int8_t> w(size_t(s.out_c) * s.in_c * 9);
    std::vector<int32_t> bias(size_t(s.out_c));
    for (auto& v : in) v = static_cast<uint8_t>(p.input_zero_point + pick(-2, 2));
    for (auto& v : res) v = static_cast<uint8_t>(p.residual_zero_point + pick(-20, 20));
    for (auto& v : w) v = static_cast<int8_t>(p.weight_zero_point + pick(-1, 1));
    for (auto& v : bias) v = pick(-5, 5);

    // The doc's formula, with the rounding as a parameter: 0 half up, 1 half to even
    // (documented; zy = 128 is even, so adding it after rounding changes nothing), 2 half away
    // from zero.
    auto formula = [&](int mode, int64_t v2) {   // v2 = 2 * value, so a tie is an odd v2
      const int64_t fl = floor_div(v2, 2);
      if (v2 % 2 == 0) return fl;
      if (mode == 0) return fl + 1;
      if (mode == 1) return fl % 2 == 0 ? fl : fl + 1;
      return v2 > 0 ? fl + 1 : fl;
    };
    auto expected = [&](int mode, size_t o, int64_t* ties) {
      const int64_t co = int64_t(o % size_t(s.out_c)), pix = int64_t(o / size_t(s.out_c));
      const int64_t oh = pix / s.out_w, ow = pix % s.out_w;
      int64_t acc = bias[size_t(co)];
      for (int64_t ci = 0; ci < s.in_c; ++ci)
        for (int64_t i = 0; i < 3; ++i)
          for (int64_t j = 0; j < 3; ++j) {
            const int64_t ih = oh - 1 + i, iw = ow - 1 + j;
            if (ih < 0 || ih >= s.in_h || iw < 0 || iw >= s.in_w) continue;
            acc += (int64_t{in[size_t((ih * s.in_w + iw) * s.in_c + ci)]} - p.input_zero_point) *
                   (int64_t{w[size_t(((co * s.in_c + ci) * 3 + i) * 3 + j)]} - p.weight_zero_point);
          }
      *ties += acc % 2 != 0;
      if (!round_first) return clamp64(p.output_zero_point + formula(mode, acc), 0, 255);
      const int64_t c = clamp64(p.conv_zero_point + formula(mode, acc), 0, 255);
      const int64_t sum = (c - p.conv_zero_point) + (int64_t{res[o]} - p.residual_zero_point);
      *ties += sum % 2 != 0;
      return clamp64(p.output_zero_point + formula(mode, sum), 0, 255);
    };

    int variants = 0;
    for (const kernels::KernelVariant& v : kernels::kernel_variants()) {
      if (v.family != kernels::KernelFamily::ConvQU8 || !v.supported()) continue;
      SCOPED_TRACE(v.name);
      ++variants;
      ASSERT_TRUE(v.qconv->supports(p));
      AlignedBytes packed(v.qconv->packed_bytes(p) + 4), work(v.qconv->workspace_bytes(p) + 4);
      v.qconv->pack(p, w.data(), bias.data(), packed.data());
      v.qconv->run(p, packed.data(), in.data(), round_first ? res.data() : nullptr, out.data(), work.data(), 0, s.out_h);
      int64_t ties = 0, differs_up = 0, differs_away = 0, mismatches = 0;
      for (size_t o = 0; o < out_n; ++o) {
        int64_t unused = 0;
        const int64_t want = expected(1, o, &ties);
        mismatches += want != out[o];
        differs_up += expected(0, o, &unused) != out[o];
        differs_away += expected(2, o, &unused) != out[o];
      }
      EXPECT_EQ(mismatches, 0);
      // The data has ties, and the other two rounding modes would have failed this test.
      EXPECT_GT(ties, int64_t(out_n / 4));
      EXPECT_GT(differs_up, 0);
      EXPECT_GT(differs_away, 0);
    }
    EXPECT_GE(variants, 1);
  }
}

}  // namespace
}  // namespace octet
