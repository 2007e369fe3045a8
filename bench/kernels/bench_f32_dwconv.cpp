// FP32 NHWC depthwise convolutions at the zoo's depthwise layer shapes (bench/kernels/dw_shapes.h),
// batch 1, fused ReLU6 (Clip 0..6) as MobileNetV2 has it.
#include <string>
#include <vector>

#include "bench/kernels/bench_common.h"
#include "bench/kernels/dw_shapes.h"

namespace octet::bench {
namespace {

kernels::ConvNhwcParams params(const DwShape& s) {
  kernels::ConvNhwcParams p = dw_shape(s);
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
  for (const DwShape& s : kDwShapes) {
    const std::string name = std::string(v.name) + "/" + s.name;
    benchmark::RegisterBenchmark(name.c_str(), bench_dwconv, v, params(s));
  }
}

}  // namespace octet::bench
