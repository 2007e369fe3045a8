// int8 NHWC convolutions (kernels/int8/conv.h) at ResNet8's layer shapes, batch 1 and 64
// (64 images per iteration, each its own buffer region, as the engine runs a batch), with a
// fused Relu clamp and, for the 3x3 stride-1 layers, also with the fused residual Add
// (".../round-first": QConvParams::round_before_residual, as ResNet8's residual blocks run);
// each with weight_zero_point 0 (int8 / u8s8 schemes) and -128 (the uint8 scheme, whose
// kernels add a window sum of the input); with zero point 0 also "/per-channel" (one requantisation
// scale per output channel, QConvParams::channel_scales). Then GEMMs as 1x1 convolutions over an m x 1 image:
// the classifier (64 -> 10, M = 1 and 64) and square sizes 64..1024. And MobileNetV2's short-K
// 1x1 convs ("/short-k/", kShortK), where the epilogue weighs, and ResNet18/50's layers
// ("/resnet/", kResNet).
//
// items_per_second counts multiply-accumulates of the direct convolution; "peak%" is that rate
// against the single-core int8 peak of the variant's ISA (bench/peak: vpdpbusd for vnni,
// vpmaddwd + vpaddd for avx2; none for scalar). Benchmarks "ref_qu8_conv/..." time the scalar
// oracle kernels/reference/qconv.h at batch 1.
#include <string>
#include <vector>

#include "bench/kernels/bench_common.h"
#include "kernels/reference/qconv.h"

namespace octet::bench {
namespace {

struct ConvShape {
  const char* name;
  int32_t in_hw, in_c, out_c, k, stride, pad_begin, pad_end;
  bool residual;
};

// ResNet8 (MLPerf Tiny): the stem, three stages, and the two 1x1 stride-2 shortcuts.
// tf2onnx pads stride-2 3x3 layers TensorFlow's "SAME" way: nothing before, one after.
const ConvShape kShapes[] = {
    {"32x32x3->16_k3s1", 32, 3, 16, 3, 1, 1, 1, false},   {"32x32x16->16_k3s1", 32, 16, 16, 3, 1, 1, 1, true},
    {"32x32x16->32_k3s2", 32, 16, 32, 3, 2, 0, 1, false}, {"32x32x16->32_k1s2", 32, 16, 32, 1, 2, 0, 0, false},
    {"16x16x32->32_k3s1", 16, 32, 32, 3, 1, 1, 1, true},  {"16x16x32->64_k3s2", 16, 32, 64, 3, 2, 0, 1, false},
    {"16x16x32->64_k1s2", 16, 32, 64, 1, 2, 0, 0, false}, {"8x8x64->64_k3s1", 8, 64, 64, 3, 1, 1, 1, true},
};

// MobileNetV2's short-K 1x1 expansions (16 -> 96, 24 -> 144): a few vpdpbusd per output
// vector, so the requantising epilogue weighs; and its projection to 24 channels (144 -> 24:
// the VNNI kernel's paired tiles, conv_direct_impl.h); batch 1, weight zero point 0, with a
// Relu clamp at output zero point 0 (a calibrated uint8 Relu output: "/zy:0") and at 5 ("/zy:5").
const ConvShape kShortK[] = {
    {"112x112x16->96_k1s1", 112, 16, 96, 1, 1, 0, 0, false},
    {"56x56x24->144_k1s1", 56, 24, 144, 1, 1, 0, 0, false},
    {"56x56x144->24_k1s1", 56, 144, 24, 1, 1, 0, 0, false},
};

struct GemmShape {
  int32_t m, n, k;
};
const GemmShape kGemms[] = {
    {1, 10, 64}, {64, 10, 64}, {64, 64, 64}, {128, 128, 128}, {256, 256, 256}, {512, 512, 512}, {1024, 1024, 1024},
};

// ResNet18's and ResNet50's layers at 224x224 ("/resnet/", batch 1, weight zero point 0, Relu;
// the residual ones also "/round-first"): the RGB stem, a 3x3 of each stage (the 7x7 one in
// tiles of 4 and 3 pixels per row), the stride-2 3x3 into 7x7, and ResNet50's 1x1
// expansions and reductions, whose short reductions weigh the residual epilogue.
const ConvShape kResNet[] = {
    {"224x224x3->64_k7s2", 224, 3, 64, 7, 2, 3, 3, false},    {"56x56x64->64_k3s1", 56, 64, 64, 3, 1, 1, 1, true},
    {"28x28x128->128_k3s1", 28, 128, 128, 3, 1, 1, 1, true},  {"14x14x256->256_k3s1", 14, 256, 256, 3, 1, 1, 1, true},
    {"7x7x512->512_k3s1", 7, 512, 512, 3, 1, 1, 1, true},     {"14x14x256->512_k3s2", 14, 256, 512, 3, 2, 1, 1, false},
    {"56x56x64->256_k1s1", 56, 64, 256, 1, 1, 0, 0, true},    {"28x28x128->512_k1s1", 28, 128, 512, 1, 1, 0, 0, true},
    {"7x7x512->2048_k1s1", 7, 512, 2048, 1, 1, 0, 0, true},   {"7x7x2048->512_k1s1", 7, 2048, 512, 1, 1, 0, 0, false},
};

std::vector<uint8_t> random_bytes(size_t n, uint32_t seed, int lo, int hi) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> d(lo, hi);
  std::vector<uint8_t> v(n);
  for (uint8_t& x : v) x = static_cast<uint8_t>(d(rng));
  return v;
}

kernels::QConvParams conv_params(const ConvShape& s, int32_t zw, bool round_first = false) {
  kernels::QConvParams q;
  kernels::ConvNhwcParams& p = q.shape;
  p.in_h = p.in_w = s.in_hw;
  p.in_c = s.in_c;
  p.out_c = s.out_c;
  p.kernel_h = p.kernel_w = s.k;
  p.stride_h = p.stride_w = s.stride;
  p.pad_top = p.pad_left = s.pad_begin;
  p.out_h = p.out_w = (s.in_hw + s.pad_begin + s.pad_end - s.k) / s.stride + 1;
  q.input_zero_point = 3;
  q.weight_zero_point = zw;
  q.output_zero_point = 5;
  q.output_min = 5;   // Relu
  q.scale = 1.f / 3000;
  q.residual_zero_point = 9;
  if (round_first) {
    q.scale = 1.f / 2000;
    q.round_before_residual = true;
    q.conv_zero_point = 120;
    q.residual_add = kernels::make_qadd_float(1.3f, q.conv_zero_point, 0.7f, q.residual_zero_point, 1.f,
                                              q.output_zero_point);
  }
  return q;
}

kernels::QConvParams gemm_params(const GemmShape& g, int32_t zw) {
  kernels::QConvParams q;
  kernels::ConvNhwcParams& p = q.shape;
  p.in_h = p.out_h = g.m;
  p.in_w = p.out_w = 1;
  p.in_c = g.k;
  p.out_c = g.n;
  q.input_zero_point = 128;
  q.weight_zero_point = zw;
  q.output_zero_point = 128;
  q.scale = 1.f / 5000;
  return q;
}

struct Aligned {   // 64-byte aligned bytes, as the engine hands packed weights and workspaces
  explicit Aligned(size_t n) : raw(n + 64) {
    const uintptr_t a = reinterpret_cast<uintptr_t>(raw.data());
    data = raw.data() + (64 - a % 64) % 64;
  }
  std::vector<uint8_t> raw;
  uint8_t* data;
};

void set_int8_counters(benchmark::State& state, double macs, double seconds, const kernels::KernelVariant* v) {
  const double work = macs * static_cast<double>(state.iterations());
  state.SetItemsProcessed(static_cast<int64_t>(work));
  if (v == nullptr || seconds <= 0) return;
  const double peak = int8_peak_gmacs(v->isa) * 1e9;
  if (peak > 0) state.counters["peak%"] = 100.0 * work / seconds / peak;
}

double macs_of(const kernels::QConvParams& q) {
  const kernels::ConvNhwcParams& p = q.shape;
  return double(p.out_h) * p.out_w * p.out_c * p.in_c * p.kernel_h * p.kernel_w;
}

// per_channel: one scale per output channel (QConvParams::channel_scales), spread over
// [s/2, s] as per-channel weight scales make them.
void bench_qconv(benchmark::State& state, const kernels::KernelVariant& v, kernels::QConvParams q, bool residual,
                 int batch, bool per_channel) {
  if (skip_unsupported(state, v)) return;
  std::vector<float> scales(size_t(q.shape.out_c));
  for (size_t c = 0; c < scales.size(); ++c) scales[c] = q.scale * float(64 - c % 32) / 64;
  if (per_channel) q.channel_scales = scales.data();
  const kernels::QConvU8Kernel& k = *v.qconv;
  const kernels::ConvNhwcParams& p = q.shape;
  const size_t in_n = size_t(p.in_h) * p.in_w * p.in_c, out_n = size_t(p.out_h) * p.out_w * p.out_c;
  const std::vector<uint8_t> w8 = random_bytes(size_t(p.out_c) * p.in_c * p.kernel_h * p.kernel_w, 2, 0, 255);
  std::vector<int32_t> bias(size_t(p.out_c), 1000);
  const std::vector<uint8_t> input = random_bytes(in_n * batch, 4, 0, 255);
  const std::vector<uint8_t> res = random_bytes(residual ? out_n * batch : 0, 5, 0, 255);
  std::vector<uint8_t> output(out_n * batch);
  Aligned packed(k.packed_bytes(q)), ws(k.workspace_bytes(q));
  k.pack(q, reinterpret_cast<const int8_t*>(w8.data()), bias.data(), packed.data);
  const double t0 = thread_seconds();
  for (auto _ : state) {
    for (int i = 0; i < batch; ++i)
      k.run(q, packed.data, input.data() + i * in_n, residual ? res.data() + i * out_n : nullptr,
            output.data() + i * out_n, ws.data, 0, p.out_h);
    benchmark::ClobberMemory();
  }
  set_int8_counters(state, macs_of(q) * batch, thread_seconds() - t0, &v);
}

void bench_qconv_ref(benchmark::State& state, kernels::QConvParams q, bool residual) {
  const kernels::ConvNhwcParams& p = q.shape;
  const size_t in_n = size_t(p.in_h) * p.in_w * p.in_c, out_n = size_t(p.out_h) * p.out_w * p.out_c;
  const std::vector<uint8_t> w8 = random_bytes(size_t(p.out_c) * p.in_c * p.kernel_h * p.kernel_w, 2, 0, 255);
  const std::vector<uint8_t> input = random_bytes(in_n, 4, 0, 255), res = random_bytes(out_n, 5, 0, 255);
  std::vector<uint8_t> output(out_n);
  for (auto _ : state) {
    kernels::qconv_nhwc(q, input.data(), reinterpret_cast<const int8_t*>(w8.data()), nullptr,
                        residual ? res.data() : nullptr, output.data());
    benchmark::ClobberMemory();
  }
  set_int8_counters(state, macs_of(q), 0, nullptr);
}

void register_reference_once() {
  static bool done = false;
  if (done) return;
  done = true;
  for (const ConvShape& s : kShapes) {
    const std::string name = std::string("ref_qu8_conv/") + s.name + "/zw:0/batch:1";
    benchmark::RegisterBenchmark(name.c_str(), bench_qconv_ref, conv_params(s, 0, s.residual), s.residual);
  }
  const GemmShape g{64, 10, 64};
  benchmark::RegisterBenchmark("ref_qu8_conv/gemm_M:64/N:10/K:64/zw:0", bench_qconv_ref, gemm_params(g, 0), false);
}

}  // namespace

// Every shape at both weight zero points; without the variant's ISA even `supports` may not
// run (it is compiled with the ISA's flags), so then every shape is registered, to be skipped.
void register_qu8_conv(const kernels::KernelVariant& v) {
  register_reference_once();
  for (const ConvShape& s : kShapes)
    for (int32_t zw : {0, -128}) {
      const kernels::QConvParams q = conv_params(s, zw);
      if (v.supported() && !v.qconv->supports(q)) continue;
      for (int batch : {1, 64}) {
        const std::string name = std::string(v.name) + "/" + s.name + "/zw:" + std::to_string(zw) +
                                 "/batch:" + std::to_string(batch);
        benchmark::RegisterBenchmark(name.c_str(), bench_qconv, v, q, false, batch, false);
        if (s.residual)
          benchmark::RegisterBenchmark((name + "/round-first").c_str(), bench_qconv, v, conv_params(s, zw, true), true,
                                       batch, false);
        if (zw != 0) continue;   // per-channel weights are symmetric
        benchmark::RegisterBenchmark((name + "/per-channel").c_str(), bench_qconv, v, q, false, batch, true);
        if (s.residual)
          benchmark::RegisterBenchmark((name + "/round-first/per-channel").c_str(), bench_qconv, v,
                                       conv_params(s, zw, true), true, batch, true);
      }
    }
  for (const ConvShape& s : kShortK)
    for (int32_t zy : {0, 5}) {
      kernels::QConvParams q = conv_params(s, 0);
      q.output_zero_point = q.output_min = zy;
      const std::string name = std::string(v.name) + "/short-k/" + s.name + "/zy:" + std::to_string(zy);
      benchmark::RegisterBenchmark(name.c_str(), bench_qconv, v, q, false, 1, false);
    }
  for (const GemmShape& g : kGemms)
    for (int32_t zw : {0, -128}) {
      // The scalar variant at 1024^3 would take seconds per iteration.
      if (v.isa == kernels::KernelIsa::Scalar && g.m > 256) continue;
      const std::string name = std::string(v.name) + "/gemm_M:" + std::to_string(g.m) + "/N:" + std::to_string(g.n) +
                               "/K:" + std::to_string(g.k) + "/zw:" + std::to_string(zw);
      benchmark::RegisterBenchmark(name.c_str(), bench_qconv, v, gemm_params(g, zw), false, 1, false);
    }
  for (const ConvShape& s : kResNet) {
    if (v.isa == kernels::KernelIsa::Scalar) break;   // 0.1-0.2 G multiply-adds each: seconds
    const std::string name = std::string(v.name) + "/resnet/" + s.name;
    benchmark::RegisterBenchmark(name.c_str(), bench_qconv, v, conv_params(s, 0), false, 1, false);
    if (s.residual)
      benchmark::RegisterBenchmark((name + "/round-first").c_str(), bench_qconv, v, conv_params(s, 0, true), true, 1,
                                   false);
  }
}

}  // namespace octet::bench
