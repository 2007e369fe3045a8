// int8 element-wise kernels at ResNet8's shapes, as bench_f32_vector.cpp for FP32: the
// boundary quantize and dequantize (32x32x3 image), the residual add and a multiplication
// (32x32x16), EfficientNet-B0's squeeze-excitation multiplication (14x14x240) and a table
// lookup (its first SiLU, 112x112x32), global
// average pooling (8x8x64) and a 3x3 stride-2 average pool (32x32x16, pad 1); batch 1 and 64.
// Work counted in element operations, as the FP32 vector benchmarks do: elements for
// quantize, dequantize, add and global average, window taps for the pool.
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "bench/kernels/bench_common.h"

namespace octet::bench {
namespace {

kernels::QPoolParams pool_3x3s2() {
  kernels::QPoolParams q;
  kernels::PoolNhwcParams& p = q.shape;
  p.in_h = p.in_w = 32;
  p.channels = 16;
  p.kernel_h = p.kernel_w = 3;
  p.stride_h = p.stride_w = 2;
  p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = 1;
  p.out_h = p.out_w = (32 + 2 - 3) / 2 + 1;
  q.input_scale = 0.03f;
  q.output_scale = 0.02f;
  q.input_zero_point = 3;
  q.output_zero_point = 5;
  return q;
}

// Requantisation parameters from plausible scales (the values do not change the work).
struct Params {
  kernels::QAddParams add;
  kernels::QMulParams mul;
  kernels::QGlobalAverageParams global;
};

const Params& params() {
  static const Params p = [] {
    Params r;
    r.add.rescale = kernels::make_qadd_float(0.05f, 120, 0.04f, 130, 0.07f, 0);
    r.add.output_min = 0;   // a merged Relu: lo = zy
    r.mul = {0.05f * (1.f / 255) / 0.04f, 120, 0, 128, 0, 255};   // a tensor times a sigmoid gate
    r.global = {0.03f / (0.02f * 64), 3, 5, 0, 255};
    return r;
  }();
  return p;
}

// One benchmark body for all: `op(in, out, batch)` runs the kernel on the whole batch
// (element-wise ops, one call) or on each image (pools).
struct QVectorCase {
  const char* name;
  size_t in_bytes, out_bytes;   // per image
  double work;                  // per image
  bool per_image;
  bool float_input;
  std::function<void(const kernels::VectorQU8Kernels&, const uint8_t*, uint8_t*, int batch)> op;
};

std::vector<QVectorCase> cases() {
  constexpr size_t kImage = 32 * 32 * 3, kAdd = 32 * 32 * 16, kGlobal = 8 * 8 * 64, kSe = 14 * 14 * 240,
                   kLookup = 112 * 112 * 32;
  const kernels::QPoolParams pool = pool_3x3s2();
  const size_t pool_in = size_t(pool.shape.in_h) * pool.shape.in_w * pool.shape.channels;
  const size_t pool_out = size_t(pool.shape.out_h) * pool.shape.out_w * pool.shape.channels;
  return {
      {"quantize/32x32x3", kImage * sizeof(float), kImage, kImage, false, true,
       [](const kernels::VectorQU8Kernels& k, const uint8_t* x, uint8_t* y, int batch) {
         k.quantize(int64_t(kImage) * batch, reinterpret_cast<const float*>(x), 1.f / 255.f, 0, y);
       }},
      {"dequantize/32x32x3", kImage, kImage * sizeof(float), kImage, false, false,
       [](const kernels::VectorQU8Kernels& k, const uint8_t* x, uint8_t* y, int batch) {
         k.dequantize(int64_t(kImage) * batch, x, 0.02f, 128, reinterpret_cast<float*>(y));
       }},
      // a and b are the two halves of the input buffer.
      {"add/32x32x16", 2 * kAdd, kAdd, kAdd, false, false,
       [](const kernels::VectorQU8Kernels& k, const uint8_t* x, uint8_t* y, int batch) {
         k.add(int64_t(kAdd) * batch, x, x + kAdd * batch, y, params().add);
       }},
      // EfficientNet-B0's squeeze-excitation: a 14x14x240 tensor times a 240-channel gate
      // (the gate is the first 240 bytes of the input buffer, the tensor the rest).
      {"mul_se/14x14x240", kSe + 240, kSe, kSe, true, false,
       [](const kernels::VectorQU8Kernels& k, const uint8_t* x, uint8_t* y, int) {
         k.mul(14 * 14, 240, x + 240, x, 0, y, params().mul);
       }},
      {"mul/32x32x16", 2 * kAdd, kAdd, kAdd, false, false,
       [](const kernels::VectorQU8Kernels& k, const uint8_t* x, uint8_t* y, int batch) {
         k.mul(1, int32_t(kAdd) * batch, x, x + kAdd * batch, 0, y, params().mul);
       }},
      // EfficientNet-B0's first SiLU (112x112x32) as a table lookup.
      {"lookup/112x112x32", kLookup, kLookup, kLookup, false, false,
       [](const kernels::VectorQU8Kernels& k, const uint8_t* x, uint8_t* y, int batch) {
         static const std::vector<uint8_t> table = [] {
           std::vector<uint8_t> t(256);
           for (int i = 0; i < 256; ++i) t[size_t(i)] = static_cast<uint8_t>(255 - i);
           return t;
         }();
         k.lookup(int64_t(kLookup) * batch, table.data(), x, y);
       }},
      {"global_average/8x8x64", kGlobal, 64, kGlobal, true, false,
       [](const kernels::VectorQU8Kernels& k, const uint8_t* x, uint8_t* y, int) {
         k.global_average(64, 64, x, y, params().global);
       }},
      {"average_pool_k3s2/32x32x16", pool_in, pool_out, 9.0 * double(pool_out), true, false,
       [pool](const kernels::VectorQU8Kernels& k, const uint8_t* x, uint8_t* y, int) {
         k.average(pool, x, y, 0, pool.shape.out_h);
       }},
  };
}

void bench_qvector(benchmark::State& state, const kernels::KernelVariant& v, const QVectorCase& c, int batch) {
  if (skip_unsupported(state, v)) return;
  // Buffers of floats (4-byte aligned for quantize's input and dequantize's output); byte
  // inputs are overwritten with random bytes.
  std::vector<float> in_buf = random_floats((c.in_bytes * size_t(batch) + 3) / 4, 9);
  std::vector<float> out_buf((c.out_bytes * size_t(batch) + 3) / 4);
  auto* in = reinterpret_cast<uint8_t*>(in_buf.data());
  auto* out = reinterpret_cast<uint8_t*>(out_buf.data());
  if (!c.float_input) {
    std::mt19937 rng(9);
    for (size_t i = 0; i < c.in_bytes * size_t(batch); ++i) in[i] = static_cast<uint8_t>(rng());
  }
  for (auto _ : state) {
    if (c.per_image) {
      for (int i = 0; i < batch; ++i) c.op(*v.qvector, in + size_t(i) * c.in_bytes, out + size_t(i) * c.out_bytes, 1);
    } else {
      c.op(*v.qvector, in, out, batch);
    }
    benchmark::ClobberMemory();
  }
  set_rate_counters(state, c.work * batch, 0, nullptr);
}

}  // namespace

void register_qu8_vector(const kernels::KernelVariant& v) {
  for (const QVectorCase& c : cases()) {
    for (int batch : {1, 64}) {
      const std::string name = std::string(v.name) + "/" + c.name + "/batch:" + std::to_string(batch);
      benchmark::RegisterBenchmark(name.c_str(), bench_qvector, v, c, batch);
    }
  }
}

}  // namespace octet::bench
