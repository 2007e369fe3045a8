// The strided copies of ShuffleNet's channel moves (kernels/reference/strided_copy.h: the one
// copy loop of the FP32 and int8 copy steps, with its 2-group interleave) at ShuffleNetV2
// x0.5's stage-2 shape, 28x28 pixels of 48 channels, float and uint8: the channel shuffle, a
// channel split, the split read through the shuffle (engine/fold_copies.h), and the uint8
// split and the split through the shuffle via a requantisation table (strided_lookup, with each int8 vector variant's lookup
// on its runs). Rate: elements moved per second.
#include <string>
#include <vector>

#include "bench/kernels/bench_common.h"
#include "kernels/int8/vector.h"
#include "kernels/reference/strided_copy.h"
#include "kernels/registry.h"

namespace octet::bench {
namespace {

constexpr int64_t kPixels = 28 * 28, kChannels = 48, kHalf = kChannels / 2;

struct CopyShape {
  const char* name;
  std::vector<int64_t> dims, src, dst;
};

std::vector<CopyShape> shapes() {
  return {{"channel_shuffle", {kPixels, 2, kHalf}, {kChannels, kHalf, 1}, {kChannels, 1, 2}},
          {"channel_split", {kPixels, kHalf}, {kChannels, 1}, {kHalf, 1}},
          {"split_through_shuffle", {kPixels, 2, kHalf / 2}, {kChannels, kHalf, 1}, {kHalf, 1, 2}}};
}

int64_t elements(const CopyShape& s) {
  int64_t n = 1;
  for (int64_t d : s.dims) n *= d;
  return n;
}

void bench_copy(benchmark::State& state, CopyShape s, size_t elem_size) {
  const std::vector<float> x = random_floats(size_t(kPixels * kChannels), 1);
  std::vector<float> y(x.size());
  const auto* in = reinterpret_cast<const uint8_t*>(x.data());
  auto* out = reinterpret_cast<uint8_t*>(y.data());
  for (auto _ : state) {
    kernels::strided_copy({s.dims, s.src, s.dst, elem_size}, in, out);
    benchmark::ClobberMemory();
  }
  set_rate_counters(state, double(elements(s)), 0, nullptr);
}

void bench_lookup(benchmark::State& state, CopyShape s, kernels::LookupRun run) {
  std::vector<uint8_t> x(size_t(kPixels * kChannels)), y(x.size()), table(256);
  for (size_t i = 0; i < x.size(); ++i) x[i] = uint8_t(i * 7);
  for (size_t i = 0; i < 256; ++i) table[i] = uint8_t(255 - i);
  for (auto _ : state) {
    kernels::strided_lookup({s.dims, s.src, s.dst, 1}, table.data(), x.data(), y.data(), run);
    benchmark::ClobberMemory();
  }
  set_rate_counters(state, double(elements(s)), 0, nullptr);
}

}  // namespace

void register_copies() {
  for (const CopyShape& s : shapes()) {
    const std::string shape = std::string(s.name) + "/28x28x48/batch:1";
    benchmark::RegisterBenchmark(("ref_strided_copy_f32/" + shape).c_str(), bench_copy, s, sizeof(float));
    benchmark::RegisterBenchmark(("ref_strided_copy_u8/" + shape).c_str(), bench_copy, s, size_t{1});
  }
  for (const CopyShape& s : {shapes()[1], shapes()[2]}) {
    const std::string shape = std::string(s.name) + "/28x28x48/batch:1";
    benchmark::RegisterBenchmark(("ref_strided_lookup_u8/scalar/" + shape).c_str(), bench_lookup, s, kernels::LookupRun{nullptr});
    for (const kernels::KernelVariant& v : kernels::kernel_variants()) {
      if (v.family != kernels::KernelFamily::VectorQU8 || !v.supported()) continue;
      benchmark::RegisterBenchmark(("ref_strided_lookup_u8/" + std::string(v.name) + "/" + shape).c_str(), bench_lookup, s,
                                   v.qvector->lookup);
    }
  }
}

}  // namespace octet::bench
