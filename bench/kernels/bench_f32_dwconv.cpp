// FP32 NHWC depthwise convolutions at MobileNetV2's (224x224, width 1.0), DS-CNN's and VWW's layer
// shapes, batch 1, fused ReLU6 (Clip 0..6) as MobileNetV2 has it.
#include <string>
#include <vector>

#include "bench/kernels/bench_common.h"

namespace octet::bench {
namespace {

struct DwShape {
  const char* name;
  int32_t in_h, in_w, channels, k, stride, pad_begin, pad_end;
};

const DwShape kShapes[] = {
    {"112x112x32_k3s1", 112, 112, 32, 3, 1, 1, 1},   // MobileNetV2's first block
    {"112x112x96_k3s2", 112, 112, 96, 3, 2, 1, 1},
    {"14x14x576_k3s1", 14, 14, 576, 3, 1, 1, 1},
    {"7x7x960_k3s1", 7, 7, 960, 3, 1, 1, 1},
    {"28x28x120_k5s1", 28, 28, 120, 5, 1, 2, 2},      // a 5x5 (MobileNetV3, MnasNet)
    {"25x5x64_k3s1", 25, 5, 64, 3, 1, 1, 1},          // DS-CNN
    {"48x48x8_k3s1", 48, 48, 8, 3, 1, 1, 1},          // VWW's MobileNetV1 0.25: fewer channels than a vector
};

kernels::ConvNhwcParams params(const DwShape& s) {
  kernels::ConvNhwcParams p;
  p.in_h = s.in_h;
  p.in_w = s.in_w;
  p.in_c = p.out_c = s.channels;
  p.kernel_h = p.kernel_w = s.k;
  p.stride_h = p.stride_w = s.stride;
  p.pad_top = p.pad_left = s.pad_begin;
  p.out_h = (s.in_h + s.pad_begin + s.pad_end - s.k) / s.stride + 1;
  p.out_w = (s.in_w + s.pad_begin + s.pad_end - s.k) / s.stride + 1;
  p.activation = kernels::Activation::Clip;
  p.clip_min = 0.f;
  p.clip_max = 6.f;
  return p;
}

void bench_dwconv(benchmark::State& state, const kernels::KernelVariant& v, kernels::ConvNhwcParams p) {
  if (skip_unsupported(state, v)) return;
  const kernels::DwConvF32Kernel& k = *v.dwconv;
  const size_t in_n = size_t(p.in_h) * p.in_w * p.in_c, out_n = size_t(p.out_h) * p.out_w * p.out_c;
  const std::vector<float> weight = random_floats(size_t(p.out_c) * p.kernel_h * p.kernel_w, 2);
  const std::vector<float> bias = random_floats(size_t(p.out_c), 3);
  const std::vector<float> input = random_floats(in_n, 4);
  std::vector<float> packed(k.packed_floats(p)), output(out_n);
  k.pack(p, weight.data(), bias.data(), packed.data());
  const double t0 = thread_seconds();
  for (auto _ : state) {
    k.run(p, packed.data(), input.data(), nullptr, output.data(), 0, p.out_h);
    benchmark::ClobberMemory();
  }
  // Memory-bound: reported as MACs, without peak% (that is the FMA peak of dense kernels).
  set_rate_counters(state, double(out_n) * p.kernel_h * p.kernel_w, thread_seconds() - t0, nullptr);
}

}  // namespace

void register_f32_dwconv(const kernels::KernelVariant& v) {
  for (const DwShape& s : kShapes) {
    const std::string name = std::string(v.name) + "/" + s.name;
    benchmark::RegisterBenchmark(name.c_str(), bench_dwconv, v, params(s));
  }
}

}  // namespace octet::bench
