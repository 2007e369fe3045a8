// int8 NHWC depthwise convolutions (kernels/int8/dwconv.h) at the zoo's depthwise layer shapes
// (bench/kernels/dw_shapes.h), batch 1, a Relu6 as a clamp, per tensor and per channel; the
// scalar variant is the oracle itself (kernels/reference/qdwconv.h). Memory-bound: reported as
// MACs per second, without peak%.
#include <string>
#include <vector>

#include "bench/kernels/bench_common.h"
#include "bench/kernels/dw_shapes.h"

namespace octet::bench {
namespace {

kernels::QConvParams params(const DwShape& s) {
  kernels::QConvParams q;
  q.shape = dw_shape(s);
  q.input_zero_point = 3;
  q.output_zero_point = 0;
  q.output_max = 200;   // Relu6's upper bound as a code
  q.scale = 1.0f / 300;
  return q;
}

void bench_qdwconv(benchmark::State& state, const kernels::KernelVariant& v, kernels::QConvParams q, bool per_channel) {
  if (skip_unsupported(state, v)) return;
  const kernels::ConvNhwcParams& p = q.shape;
  std::vector<float> scales(size_t(p.out_c));
  for (size_t c = 0; c < scales.size(); ++c) scales[c] = q.scale * float(64 - c % 32) / 64;
  if (per_channel) q.channel_scales = scales.data();
  const kernels::QDwConvU8Kernel& k = *v.qdwconv;
  const size_t in_n = size_t(p.in_h) * p.in_w * p.in_c, out_n = size_t(p.out_h) * p.out_w * p.out_c;
  std::vector<int8_t> weight(size_t(p.out_c) * p.kernel_h * p.kernel_w);
  std::vector<uint8_t> input(in_n), output(out_n);
  std::mt19937 rng(3);
  for (int8_t& w : weight) w = int8_t(rng());
  for (uint8_t& x : input) x = uint8_t(rng());
  const std::vector<int32_t> bias(size_t(p.out_c), 1000);
  std::vector<uint8_t> raw(k.packed_bytes(q) + 64);
  void* packed = raw.data() + (64 - reinterpret_cast<uintptr_t>(raw.data()) % 64) % 64;
  k.pack(q, weight.data(), bias.data(), packed);
  const double t0 = thread_seconds();
  for (auto _ : state) {
    k.run(q, packed, input.data(), output.data(), 0, p.out_h);
    benchmark::ClobberMemory();
  }
  set_rate_counters(state, double(out_n) * p.kernel_h * p.kernel_w, thread_seconds() - t0, nullptr);
}

}  // namespace

void register_qu8_dwconv(const kernels::KernelVariant& v) {
  for (const DwShape& s : kDwShapes) {
    const std::string name = std::string(v.name) + "/" + s.name;
    benchmark::RegisterBenchmark(name.c_str(), bench_qdwconv, v, params(s), false);
    benchmark::RegisterBenchmark((name + "/per-channel").c_str(), bench_qdwconv, v, params(s), true);
  }
}

}  // namespace octet::bench
