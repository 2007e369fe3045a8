// FP32 NHWC convolutions at ResNet8's layer shapes, batch 1 and 64 (64 images per
// iteration, each its own buffer region, as the engine runs a batch), and at the zoo's
// ResNet50 and MobileNetV2 layer shapes (and the MobileNet family's stems and narrow layers),
// batch 1, with the weights in cache and (cold_weights)
// from memory; fused ReLU.
#include <algorithm>
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

// Zoo layers (224x224 ImageNet models, batch 1 only): ResNet50's stem and the convolutions of
// each stage (ResNet18's 3x3 ones are among them), and MobileNetV2's pointwise ones.
const ConvShape kZooShapes[] = {
    {"r50_224x224x3->64_k7s2", 224, 3, 64, 7, 2, 3, 3},
    {"r50_56x56x64->64_k1s1", 56, 64, 64, 1, 1, 0, 0},
    {"r50_56x56x64->64_k3s1", 56, 64, 64, 3, 1, 1, 1},
    {"r50_56x56x64->256_k1s1", 56, 64, 256, 1, 1, 0, 0},
    {"r50_56x56x256->64_k1s1", 56, 256, 64, 1, 1, 0, 0},
    {"r50_56x56x128->128_k3s2", 56, 128, 128, 3, 2, 1, 1},
    {"r50_56x56x256->512_k1s2", 56, 256, 512, 1, 2, 0, 0},
    {"r50_28x28x128->128_k3s1", 28, 128, 128, 3, 1, 1, 1},
    {"r50_28x28x512->128_k1s1", 28, 512, 128, 1, 1, 0, 0},
    {"r50_28x28x128->512_k1s1", 28, 128, 512, 1, 1, 0, 0},
    {"r50_28x28x256->256_k3s2", 28, 256, 256, 3, 2, 1, 1},
    {"r50_14x14x256->256_k3s1", 14, 256, 256, 3, 1, 1, 1},
    {"r50_14x14x1024->256_k1s1", 14, 1024, 256, 1, 1, 0, 0},
    {"r50_14x14x256->1024_k1s1", 14, 256, 1024, 1, 1, 0, 0},
    {"r50_14x14x512->512_k3s2", 14, 512, 512, 3, 2, 1, 1},
    {"r50_28x28x512->1024_k1s2", 28, 512, 1024, 1, 2, 0, 0},
    {"r50_7x7x512->512_k3s1", 7, 512, 512, 3, 1, 1, 1},
    {"r50_7x7x2048->512_k1s1", 7, 2048, 512, 1, 1, 0, 0},
    {"r50_7x7x512->2048_k1s1", 7, 512, 2048, 1, 1, 0, 0},
    {"r50_14x14x1024->2048_k1s2", 14, 1024, 2048, 1, 2, 0, 0},
    {"mv2_112x112x16->96_k1s1", 112, 16, 96, 1, 1, 0, 0},
    {"mv2_56x56x24->144_k1s1", 56, 24, 144, 1, 1, 0, 0},
    {"mv2_56x56x144->24_k1s1", 56, 144, 24, 1, 1, 0, 0},
    {"mv2_28x28x32->192_k1s1", 28, 32, 192, 1, 1, 0, 0},
    {"mv2_14x14x384->64_k1s1", 14, 384, 64, 1, 1, 0, 0},
    {"mv2_7x7x960->160_k1s1", 7, 960, 160, 1, 1, 0, 0},
    {"mv2_7x7x320->1280_k1s1", 7, 320, 1280, 1, 1, 0, 0},
    // The stems of the MobileNet family: MobileNetV2 / EfficientNet-B0 (32 channels) and
    // MnasNet / MobileNetV3 (16), 3x3 stride 2 over the RGB image.
    {"mv2_224x224x3->32_k3s2", 224, 3, 32, 3, 2, 1, 1},
    {"mnas_224x224x3->16_k3s2", 224, 3, 16, 3, 2, 1, 1},
    // MnasNet 0.5's narrow pointwise layers at 112x112 (8 and 24 output channels: a half and
    // one and a half AVX-512 vectors), and MobileNetV3's 72 -> 24 at 56x56.
    {"mnas_112x112x16->8_k1s1", 112, 16, 8, 1, 1, 0, 0},
    {"mnas_112x112x8->24_k1s1", 112, 8, 24, 1, 1, 0, 0},
    {"mv3_56x56x72->24_k1s1", 56, 72, 24, 1, 1, 0, 0},
    {"mnas_56x56x48->16_k1s1", 56, 48, 16, 1, 1, 0, 0},
    // MobileNetV3-Large's short reductions at 112x112 (16 input channels: the per-tile costs
    // weigh most): features.1's 16 -> 16 project and features.2's 16 -> 64 expand.
    {"mv3_112x112x16->16_k1s1", 112, 16, 16, 1, 1, 0, 0},
    {"mv3_112x112x16->64_k1s1", 112, 16, 64, 1, 1, 0, 0},
};

// The first 64-byte aligned float at or after p (p's buffer has 15 floats to spare).
float* aligned_64(float* p) {
  const uintptr_t a = reinterpret_cast<uintptr_t>(p);
  return reinterpret_cast<float*>((a + 63) / 64 * 64);
}

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

// cold_weights: each iteration reads its own copy of the packed weights, from enough copies
// (over 64 MiB) that they come from memory, as in a model run, where the other layers'
// weights (ResNet50: 100 MB) have evicted this layer's since the last image.
void bench_conv(benchmark::State& state, const kernels::KernelVariant& v, kernels::ConvNhwcParams p, int batch,
                bool cold_weights) {
  if (skip_unsupported(state, v)) return;
  const kernels::ConvF32Kernel& k = *v.conv;
  const size_t in_n = size_t(p.in_h) * p.in_w * p.in_c, out_n = size_t(p.out_h) * p.out_w * p.out_c;
  const std::vector<float> weight = random_floats(size_t(p.out_c) * p.in_c * p.kernel_h * p.kernel_w, 2);
  const std::vector<float> bias = random_floats(size_t(p.out_c), 3);
  const std::vector<float> input = random_floats(in_n * batch, 4);
  // Each copy of the packed weights 64-byte aligned, as the engine places them (kPlanAlignment).
  const size_t packed_n = (k.packed_floats(p) + 15) / 16 * 16;
  const size_t copies = cold_weights ? std::max<size_t>(2, (size_t{64} << 20) / (packed_n * sizeof(float)) + 1) : 1;
  std::vector<float> packed_storage(packed_n * copies + 16), output(out_n * batch), workspace(k.workspace_floats(p) + 1);
  float* packed = aligned_64(packed_storage.data());
  for (size_t c = 0; c < copies; ++c) k.pack(p, weight.data(), bias.data(), packed + c * packed_n);
  size_t copy = 0;
  const double t0 = thread_seconds();
  for (auto _ : state) {
    const float* w = packed + copy * packed_n;
    copy = copy + 1 == copies ? 0 : copy + 1;
    for (int i = 0; i < batch; ++i)
      k.run(p, w, input.data() + i * in_n, nullptr, output.data() + i * out_n, workspace.data(), 0, p.out_h);
    benchmark::ClobberMemory();
  }
  const double macs = double(out_n) * p.in_c * p.kernel_h * p.kernel_w * batch;
  set_rate_counters(state, macs, thread_seconds() - t0, &v);
}

}  // namespace

// Every shape the variant handles (Winograd: 3x3 stride 1; 1x1: the pointwise ones). Without
// the variant's ISA even `supports` may not run (it is compiled with the ISA's flags), so
// then every shape is registered, each to be skipped.
void register_f32_conv(const kernels::KernelVariant& v) {
  for (const ConvShape& s : kShapes) {
    const kernels::ConvNhwcParams p = params(s);
    if (v.supported() && !v.conv->supports(p)) continue;
    for (int batch : {1, 64}) {
      const std::string name = std::string(v.name) + "/" + s.name + "/batch:" + std::to_string(batch);
      benchmark::RegisterBenchmark(name.c_str(), bench_conv, v, p, batch, false);
    }
  }
  for (const ConvShape& s : kZooShapes) {
    const kernels::ConvNhwcParams p = params(s);
    if (v.supported() && !v.conv->supports(p)) continue;
    for (bool cold : {false, true}) {
      const std::string name = std::string(v.name) + "/" + s.name + "/batch:1" + (cold ? "/cold_weights" : "");
      benchmark::RegisterBenchmark(name.c_str(), bench_conv, v, p, 1, cold);
    }
  }
}

}  // namespace octet::bench
