// FP32 vector kernels at ResNet8's shapes: global average pooling (8x8x64), a 3x3 stride-2
// max and average pool (32x32x16, pad 1; the max pool also at ShuffleNetV2's 112x112x24), the residual add with ReLU (32x32x16) and the
// softmax over 10 classes; and the broadcast binary kernel at MobileNetV3 / EfficientNet
// shapes: the squeeze-excitation scale (28x28x40 times a [40] vector per image), a
// per-channel affine (a standalone BatchNormalization, 14x14x96) and a same-shape Mul
// (56x56x24); the standalone activations on 28x28x40 values (and Relu on an autoencoder's
// 128-wide layer); the planar interleave of a 224x224 RGB image; batch 1 and 64. Work counted
// in element operations: window taps for pools, output elements for add, binary, activations,
// global average and interleave, inputs for softmax.
#include <functional>
#include <string>
#include <vector>

#include "bench/kernels/bench_common.h"

namespace octet::bench {
namespace {

kernels::PoolNhwcParams pool_3x3s2() {
  kernels::PoolNhwcParams p;
  p.in_h = p.in_w = 32;
  p.channels = 16;
  p.kernel_h = p.kernel_w = 3;
  p.stride_h = p.stride_w = 2;
  p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = 1;
  p.out_h = p.out_w = (32 + 2 - 3) / 2 + 1;
  return p;
}

// ShuffleNetV2's stem pool: 3x3 stride 2 pad 1 over 112x112x24 (a full and a half vector per
// tap on AVX-512), one image 1.2 MB: the kernel's own cost at an L2-sized image.
kernels::PoolNhwcParams pool_3x3s2_stem() {
  kernels::PoolNhwcParams p = pool_3x3s2();
  p.in_h = p.in_w = 112;
  p.channels = 24;
  p.out_h = p.out_w = 56;
  return p;
}

// One benchmark body for all: `op(x, y, image)` runs the kernel on one image (or the whole
// batch when `per_image` is false).
struct VectorCase {
  const char* name;
  size_t in_floats, out_floats;   // per image
  double work;                    // per image
  bool per_image;
  std::function<void(const kernels::VectorF32Kernels&, const float*, float*, int batch)> op;
};

// The broadcast kernel on an NHWC image of hw pixels x c channels, operand b as `b_per_pixel`
// (same shape) or one value per channel (SE scale, affine), as the compiler lowers them
// (engine/binary_broadcast.h). a is the input buffer's start, b (and the affine's c) follow it.
VectorCase binary_case(const char* name, kernels::BinaryF32Op op, int64_t hw, int64_t c, bool b_per_pixel) {
  kernels::BinaryF32Params p;
  p.op = op;
  if (b_per_pixel) {
    p.inner = hw * c;
  } else {
    p.outer_dims = 1;
    p.outer[0] = hw;
    p.a_stride[0] = c;
    p.b_stride[0] = 0;
    p.inner = c;
  }
  const size_t a = size_t(hw * c), b = size_t(b_per_pixel ? hw * c : c);
  return {name, a + 2 * b, a, double(a), true, [p, a, b](const kernels::VectorF32Kernels& k, const float* x, float* y, int) {
            k.binary(p, x, x + a, x + a + b, y, 0, p.rows());
          }};
}

VectorCase activation_case(const char* name, kernels::ActivationF32Params p, size_t n) {
  return {name, n, n, double(n), false, [p, n](const kernels::VectorF32Kernels& k, const float* x, float* y, int batch) {
            k.activation(p, int64_t(n) * batch, x, y);
          }};
}

std::vector<VectorCase> cases() {
  using kernels::Activation;
  constexpr size_t kMap = 28 * 28 * 40;
  const kernels::PoolNhwcParams pool = pool_3x3s2();
  const size_t pool_in = size_t(pool.in_h) * pool.in_w * pool.channels;
  const size_t pool_out = size_t(pool.out_h) * pool.out_w * pool.channels;
  constexpr size_t kAdd = 32 * 32 * 16;
  return {
      {"global_average/8x8x64", 8 * 8 * 64, 64, 8 * 8 * 64, true,
       [](const kernels::VectorF32Kernels& k, const float* x, float* y, int) { k.global_average(64, 64, x, y); }},
      // MobileNetV3-Large's squeeze-excitation pool: 120 channels, 7.5 AVX-512 vectors.
      {"global_average/28x28x120", 28 * 28 * 120, 120, 28 * 28 * 120, true,
       [](const kernels::VectorF32Kernels& k, const float* x, float* y, int) { k.global_average(28 * 28, 120, x, y); }},
      {"global_max/8x8x64", 8 * 8 * 64, 64, 8 * 8 * 64, true,
       [](const kernels::VectorF32Kernels& k, const float* x, float* y, int) { k.global_max(64, 64, x, y); }},
      {"max_pool_k3s2/32x32x16", pool_in, pool_out, 9.0 * pool_out, true,
       [pool](const kernels::VectorF32Kernels& k, const float* x, float* y, int) { k.max(pool, x, y, 0, pool.out_h); }},
      {"max_pool_k3s2/112x112x24", size_t{112} * 112 * 24, size_t{56} * 56 * 24, 9.0 * 56 * 56 * 24, true,
       [stem = pool_3x3s2_stem()](const kernels::VectorF32Kernels& k, const float* x, float* y, int) {
         k.max(stem, x, y, 0, stem.out_h);
       }},
      {"average_pool_k3s2/32x32x16", pool_in, pool_out, 9.0 * pool_out, true,
       [pool](const kernels::VectorF32Kernels& k, const float* x, float* y, int) {
         k.average(pool, x, y, 0, pool.out_h);
       }},
      // a and b are the two halves of the input buffer.
      {"add_relu/32x32x16", 2 * kAdd, kAdd, kAdd, false,
       [](const kernels::VectorF32Kernels& k, const float* x, float* y, int batch) {
         k.add(int64_t(kAdd) * batch, x, x + kAdd * batch, y, true);
       }},
      {"softmax/10", 10, 10, 10, false,
       [](const kernels::VectorF32Kernels& k, const float* x, float* y, int batch) { k.softmax(batch, 10, x, y); }},
      binary_case("binary_mul_se/28x28x40", kernels::BinaryF32Op::Mul, 28 * 28, 40, false),
      binary_case("binary_affine/14x14x96", kernels::BinaryF32Op::MulAdd, 14 * 14, 96, false),
      binary_case("binary_mul/56x56x24", kernels::BinaryF32Op::Mul, 56 * 56, 24, true),
      activation_case("relu/128", {Activation::Relu}, 128),
      activation_case("relu/28x28x40", {Activation::Relu}, kMap),
      activation_case("clip_relu6/28x28x40", {Activation::Clip, 0.f, 6.f}, kMap),
      activation_case("leaky_relu/28x28x40", {Activation::LeakyRelu, 0.f, 0.f, 0.01f}, kMap),
      activation_case("sigmoid/28x28x40", {Activation::Sigmoid}, kMap),
      activation_case("tanh/28x28x40", {Activation::Tanh}, kMap),
      activation_case("hard_sigmoid/28x28x40", {Activation::HardSigmoid, 0.f, 0.f, 0.2f, 0.5f}, kMap),
      activation_case("hard_swish/28x28x40", {Activation::HardSwish}, kMap),
      activation_case("silu/28x28x40", {Activation::SiLU}, kMap),
      // A 224x224 RGB image, planar into channels-last (the ImageNet models' input).
      {"interleave/3x224x224", 3 * 224 * 224, 3 * 224 * 224, 3 * 224 * 224, true,
       [](const kernels::VectorF32Kernels& k, const float* x, float* y, int) { k.interleave(3, 224 * 224, 224 * 224, x, y); }},
  };
}

void bench_vector(benchmark::State& state, const kernels::KernelVariant& v, const VectorCase& c, int batch) {
  if (skip_unsupported(state, v)) return;
  const std::vector<float> in = random_floats(c.in_floats * batch, 8);
  std::vector<float> out(c.out_floats * batch);
  for (auto _ : state) {
    if (c.per_image) {
      for (int i = 0; i < batch; ++i) c.op(*v.vector, in.data() + i * c.in_floats, out.data() + i * c.out_floats, 1);
    } else {
      c.op(*v.vector, in.data(), out.data(), batch);
    }
    benchmark::ClobberMemory();
  }
  set_rate_counters(state, c.work * batch, 0, nullptr);
}

}  // namespace

void register_f32_vector(const kernels::KernelVariant& v) {
  for (const VectorCase& c : cases()) {
    for (int batch : {1, 64}) {
      const std::string name = std::string(v.name) + "/" + c.name + "/batch:" + std::to_string(batch);
      benchmark::RegisterBenchmark(name.c_str(), bench_vector, v, c, batch);
    }
  }
}

}  // namespace octet::bench
