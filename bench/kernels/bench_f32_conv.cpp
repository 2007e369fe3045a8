// FP32 NHWC convolutions at ResNet8's layer shapes, batch 1 and 64 (64 images per
// iteration, each its own buffer region, as the engine runs a batch), fused ReLU.
#include <memory>
#include <string>
#include <vector>

#include "bench/kernels/bench_common.h"

namespace octet::bench {
namespace {

struct ConvShape {
  const char* name;
  int32_t in_hw, in_c, out_c, k, stride, pad_begin, pad_end;
};

// ResNet8 (MLPerf Tiny): the stem, three stages, and the two 1x1 stride-2 shortcuts.
// tf2onnx pads stride-2 3x3 layers TensorFlow's "SAME" way: nothing before, one after.
const ConvShape kShapes[] = {
    {"32x32x3->16_k3s1", 32, 3, 16, 3, 1, 1, 1},
    {"32x32x16->16_k3s1", 32, 16, 16, 3, 1, 1, 1},
    {"32x32x16->32_k3s2", 32, 16, 32, 3, 2, 0, 1},
    {"32x32x16->32_k1s2", 32, 16, 32, 1, 2, 0, 0},
    {"16x16x32->32_k3s1", 16, 32, 32, 3, 1, 1, 1},
    {"16x16x32->64_k3s2", 16, 32, 64, 3, 2, 0, 1},
    {"16x16x32->64_k1s2", 16, 32, 64, 1, 2, 0, 0},
    {"8x8x64->64_k3s1", 8, 64, 64, 3, 1, 1, 1},
};

kernels::ConvNhwcParams params(const ConvShape& s) {
  kernels::ConvNhwcParams p;
  p.in_h = p.in_w = s.in_hw;
  p.in_c = s.in_c;
  p.out_c = s.out_c;
  p.kernel_h = p.kernel_w = s.k;
  p.stride_h = p.stride_w = s.stride;
  p.pad_top = p.pad_left = s.pad_begin;
  p.out_h = p.out_w = (s.in_hw + s.pad_begin + s.pad_end - s.k) / s.stride + 1;
  p.activation = kernels::Activation::Relu;
  return p;
}

void bench_conv(benchmark::State& state, const kernels::KernelVariant& v, kernels::ConvNhwcParams p, int batch) {
  if (skip_unsupported(state, v)) return;
  const kernels::ConvF32Kernel& k = *v.conv;
  const size_t in_n = size_t(p.in_h) * p.in_w * p.in_c, out_n = size_t(p.out_h) * p.out_w * p.out_c;
  const std::vector<float> weight = random_floats(size_t(p.out_c) * p.in_c * p.kernel_h * p.kernel_w, 2);
  const std::vector<float> bias = random_floats(size_t(p.out_c), 3);
  const std::vector<float> input = random_floats(in_n * batch, 4);
  std::vector<float> packed(k.packed_floats(p)), output(out_n * batch), workspace(k.workspace_floats(p) + 1);
  k.pack(p, weight.data(), bias.data(), packed.data());
  const double t0 = thread_seconds();
  for (auto _ : state) {
    for (int i = 0; i < batch; ++i)
      k.run(p, packed.data(), input.data() + i * in_n, nullptr, output.data() + i * out_n, workspace.data(), 0,
            p.out_h);
    benchmark::ClobberMemory();
  }
  const double macs = double(out_n) * p.in_c * p.kernel_h * p.kernel_w * batch;
  set_rate_counters(state, macs, thread_seconds() - t0, &v);
}

}  // namespace

// Every shape the variant handles (Winograd: 3x3 stride 1; 1x1: the shortcuts). Without
// the variant's ISA even `supports` may not run (it is compiled with the ISA's flags), so
// then every shape is registered, each to be skipped.
void register_f32_conv(const kernels::KernelVariant& v) {
  for (const ConvShape& s : kShapes) {
    const kernels::ConvNhwcParams p = params(s);
    if (v.supported() && !v.conv->supports(p)) continue;
    for (int batch : {1, 64}) {
      const std::string name = std::string(v.name) + "/" + s.name + "/batch:" + std::to_string(batch);
      benchmark::RegisterBenchmark(name.c_str(), bench_conv, v, p, batch);
    }
  }
}

}  // namespace octet::bench
