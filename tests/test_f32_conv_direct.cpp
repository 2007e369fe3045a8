// FP32 NHWC direct and 1x1 convolutions (kernels/f32/conv_direct_*, conv_1x1_*) against the
// scalar NCHW reference conv_f32_ref, for every variant this CPU runs (the others are
// reported as skipped): random shapes over the edge cases (odd channel counts, strides,
// dilation, asymmetric padding, batch, row ranges computed in pieces), every ResNet8 layer,
// residual and each activation, the supports() answers, and a single-threaded GMAC/s
// report for the ResNet8 shapes. The case, reference and tolerance check are in
// tests/conv_f32_test_util.h; the narrow 1x1 kernels have their own file
// (test_f32_conv_1x1_pairs.cpp).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <time.h>

#include "kernels/registry.h"
#include "tests/conv_f32_test_util.h"

namespace octet {
namespace {

using namespace conv_f32_test;

struct Variant {
  const ConvF32Kernel* kernel;
  kernels::KernelIsa isa;
  bool pointwise;   // the 1x1 family
};

// The direct and 1x1 variants of the kernel table (Winograd has its own test).
const std::vector<Variant>& all_variants() {
  static const std::vector<Variant> out = [] {
    std::vector<Variant> r;
    for (const kernels::KernelVariant* v : kernels::variants_of(kernels::KernelFamily::ConvF32)) {
      const std::string_view name = v->name;
      if (name.find("_direct_") != std::string_view::npos) r.push_back({v->conv, v->isa, false});
      if (name.find("_1x1_") != std::string_view::npos) r.push_back({v->conv, v->isa, true});
    }
    return r;
  }();
  return out;
}

// Variants of one family this CPU runs; prints the ones it skips.
std::vector<Variant> runnable(bool pointwise) {
  std::vector<Variant> out;
  for (const Variant& v : all_variants()) {
    if (v.pointwise != pointwise) continue;
    if (kernels::cpu_runs(v.isa)) {
      out.push_back(v);
    } else {
      std::printf("[  SKIPPED ] %s: CPU lacks the ISA\n", v.kernel->name);
    }
  }
  return out;
}

Case random_direct_case(std::mt19937& rng) {
  for (;;) {
    Case c;
    ConvNhwcParams& p = c.p;
    c.batch = pick(rng, {1, 1, 1, 2, 7});
    p.in_c = pick(rng, {1, 3, 5, 16, 17, 32, 33});
    p.out_c = pick(rng, {1, 3, 5, 8, 16, 17, 32, 33, 48, 64});
    p.kernel_h = pick(rng, {1, 2, 3, 3, 3, 5});
    p.kernel_w = pick(rng, {1, 2, 3, 3, 3, 5});
    p.stride_h = pick(rng, {1, 1, 2, 3});
    p.stride_w = pick(rng, {1, 1, 2, 3});
    p.dilation_h = pick(rng, {1, 1, 1, 2});
    p.dilation_w = pick(rng, {1, 1, 1, 2});
    p.in_h = std::uniform_int_distribution<int32_t>(1, 13)(rng);
    p.in_w = std::uniform_int_distribution<int32_t>(1, 40)(rng);
    p.pad_top = pick(rng, {0, 0, 1, 2});
    p.pad_left = pick(rng, {0, 0, 1, 2});
    c.pad_bottom = pick(rng, {0, 0, 1, 2});
    c.pad_right = pick(rng, {0, 0, 1, 2});
    random_epilogue(c, rng);
    if (finish_shape(c)) return c;
  }
}

Case random_pointwise_case(std::mt19937& rng) {
  Case c;
  ConvNhwcParams& p = c.p;
  c.batch = pick(rng, {1, 1, 2, 7});
  p.in_c = pick(rng, {1, 3, 5, 16, 17, 32, 33, 64});
  p.out_c = pick(rng, {1, 3, 5, 16, 17, 32, 33, 64, 10});
  p.stride_h = pick(rng, {1, 1, 2, 3});
  p.stride_w = pick(rng, {1, 1, 2, 3});
  p.in_h = std::uniform_int_distribution<int32_t>(1, 17)(rng);
  p.in_w = std::uniform_int_distribution<int32_t>(1, 40)(rng);
  random_epilogue(c, rng);
  finish_shape(c);
  return c;
}


struct Resnet8Layer {
  const char* name;
  Case c;
};

// The convolutions of ResNet8 (CIFAR-10), with their ONNX pads [top, left, bottom, right].
std::vector<Resnet8Layer> resnet8_layers() {
  return {
      {"conv 32x32x3->16 3x3 s1", make_case(32, 3, 16, 3, 1, 1, 1, 1, 1)},
      {"conv 32x32x16->16 3x3 s1", make_case(32, 16, 16, 3, 1, 1, 1, 1, 1)},
      {"conv 32x32x16->32 3x3 s2 pads 0,0,1,1", make_case(32, 16, 32, 3, 2, 0, 0, 1, 1)},
      {"shortcut 32x32x16->32 1x1 s2", make_case(32, 16, 32, 1, 2, 0, 0, 0, 0)},
      {"conv 16x16x32->32 3x3 s1", make_case(16, 32, 32, 3, 1, 1, 1, 1, 1)},
      {"conv 16x16x32->64 3x3 s2 pads 0,0,1,1", make_case(16, 32, 64, 3, 2, 0, 0, 1, 1)},
      {"shortcut 16x16x32->64 1x1 s2", make_case(16, 32, 64, 1, 2, 0, 0, 0, 0)},
      {"conv 8x8x64->64 3x3 s1", make_case(8, 64, 64, 3, 1, 1, 1, 1, 1)},
  };
}

// ---- supports() ----

TEST(F32ConvDirect, SupportsAnswers) {
  Case c3 = make_case(8, 16, 16, 3, 1, 1, 1, 1, 1);
  Case c1 = make_case(8, 16, 16, 1, 2, 0, 0, 0, 0);
  // Both kinds are in the table, with SSE2, which every x86-64 runs.
  ASSERT_FALSE(runnable(false).empty());
  ASSERT_FALSE(runnable(true).empty());
  for (const Variant& v : all_variants()) {
    // supports() is plain code: it can be asked on any CPU.
    const auto& k = *v.kernel;
    EXPECT_EQ(k.row_tile, 1) << k.name;
    EXPECT_TRUE(k.supports(c1.p)) << k.name;
    EXPECT_EQ(k.supports(c3.p), !v.pointwise) << k.name;
    ConvNhwcParams p = c1.p;
    p.pad_top = 1;
    EXPECT_EQ(k.supports(p), !v.pointwise) << k.name << " 1x1 with top padding";
    p = c1.p;
    p.pad_left = 1;
    EXPECT_EQ(k.supports(p), !v.pointwise) << k.name << " 1x1 with left padding";
    // 1x1 whose bottom/right padding is read (out 5x5 from a 4x4 input at stride 1).
    Case padded = make_case(4, 16, 16, 1, 1, 0, 0, 1, 1);
    ASSERT_EQ(padded.p.out_h, 5);
    EXPECT_EQ(k.supports(padded.p), !v.pointwise) << k.name << " 1x1 reading bottom/right padding";
    p = c3.p;
    p.dilation_h = 2;
    p.stride_w = 3;
    EXPECT_EQ(k.supports(p), !v.pointwise) << k.name;
    p = c3.p;
    p.stride_h = 0;
    EXPECT_FALSE(k.supports(p)) << k.name << " stride 0";
    p = c3.p;
    p.in_c = 0;
    EXPECT_FALSE(k.supports(p)) << k.name << " no input channels";
    if (v.pointwise) {
      EXPECT_EQ(k.workspace_floats(c1.p), 0u) << k.name;
    }
  }
}

// ---- correctness ----

TEST(F32ConvDirect, RandomShapesAgainstReference) {
  for (const Variant& v : runnable(false)) {
    std::mt19937 rng(1234);
    int failures = 0;
    for (int i = 0; i < 300 && failures < 3; ++i) {
      const Case c = random_direct_case(rng);
      ASSERT_TRUE(v.kernel->supports(c.p)) << describe(c);
      const Data d = random_data(c, rng);
      if (!check(*v.kernel, c, d, random_cuts(c, rng))) ++failures;
    }
  }
}

TEST(F32Conv1x1, RandomShapesAgainstReference) {
  for (const Variant& v : runnable(true)) {
    std::mt19937 rng(99);
    int failures = 0;
    for (int i = 0; i < 200 && failures < 3; ++i) {
      const Case c = random_pointwise_case(rng);
      ASSERT_TRUE(v.kernel->supports(c.p)) << describe(c);
      const Data d = random_data(c, rng);
      if (!check(*v.kernel, c, d, random_cuts(c, rng))) ++failures;
    }
  }
}

// 1x1 shapes in several chunks of pixels, each over every block: small weights (chunks of
// 64 pixels) and large ones (over 128 Ki packed floats: chunks within the pass budget, 64 Ki
// input floats, next block prefetched); stride 1 (one run of pixels) and 2 (row by row);
// batch 1 and 7.
TEST(F32Conv1x1, ChunkedShapes) {
  std::vector<Case> cases = {
      make_case(20, 700, 37, 1, 1, 0, 0, 0, 0),
      make_case(7, 2048, 72, 1, 1, 0, 0, 0, 0),
      make_case(15, 333, 33, 1, 2, 0, 0, 0, 0),
  };
  cases[0].residual = true;
  cases[0].p.activation = Activation::Relu;
  cases[2].batch = 7;
  for (bool pointwise : {false, true}) {
    for (const Variant& v : runnable(pointwise)) {
      std::mt19937 rng(21);
      for (const Case& c : cases) {
        const Data d = random_data(c, rng);
        EXPECT_TRUE(check(*v.kernel, c, d, random_cuts(c, rng))) << v.kernel->name << " " << describe(c);
      }
    }
  }
}

// call_rows: one row where the packed weights are small (they stay in L2 from call to call);
// with large ones the rows of one pass of 64 Ki input floats (general path: 14x14x256 3x3
// reads 16 padded rows of 256 channels per pass, capped at out_h; 56x56x256 3x3 s2: 64 Ki /
// (2 x 57 x 256) = 2 rows) or of one chunk of pixels (1x1 GEMM path: 64 Ki floats are 32
// pixels of 2048 channels, cut to whole rows: 4 rows of 7).
TEST(F32ConvDirect, CallRowsCoverAPassOfRows) {
  for (bool pointwise : {false, true}) {
    for (const Variant& v : all_variants()) {
      if (v.pointwise != pointwise) continue;
      const auto& k = *v.kernel;
      ASSERT_NE(k.call_rows, nullptr) << k.name;
      EXPECT_EQ(k.call_rows(make_case(56, 64, 64, 1, 1, 0, 0, 0, 0).p), 1) << k.name;
      EXPECT_EQ(k.call_rows(make_case(7, 2048, 512, 1, 1, 0, 0, 0, 0).p), 4) << k.name;
      EXPECT_EQ(k.call_rows(make_case(56, 2048, 64, 1, 1, 0, 0, 0, 0).p), 1) << k.name;   // 32 pixels: < a row
      EXPECT_EQ(k.call_rows(make_case(14, 1024, 2048, 1, 2, 0, 0, 0, 0).p), 2) << k.name;   // 64 Ki / (2 x 14 x 1024)
      if (pointwise) continue;
      EXPECT_EQ(k.call_rows(make_case(56, 64, 64, 3, 1, 1, 1, 1, 1).p), 1) << k.name;
      EXPECT_EQ(k.call_rows(make_case(14, 256, 256, 3, 1, 1, 1, 1, 1).p), 14) << k.name;
      EXPECT_EQ(k.call_rows(make_case(56, 256, 256, 3, 2, 1, 1, 1, 1).p), 2) << k.name;
    }
  }
}

TEST(F32ConvDirect, EdgeCases) {
  std::vector<Case> cases = {
      make_case(9, 1, 1, 3, 1, 1, 1, 1, 1),      // single channels
      make_case(9, 3, 5, 3, 2, 0, 0, 1, 1),      // stride 2, pads only bottom/right
      make_case(10, 17, 33, 3, 1, 0, 1, 2, 0),   // asymmetric padding
      make_case(7, 33, 17, 5, 2, 2, 2, 2, 2),
      make_case(3, 5, 16, 5, 1, 2, 2, 2, 2),     // kernel wider than the input
      make_case(1, 16, 16, 3, 1, 1, 1, 1, 1),    // 1x1 image: only the centre tap
      make_case(40, 4, 16, 3, 1, 1, 1, 1, 1),    // long rows: several pixel tiles
  };
  Case dil = make_case(12, 5, 17, 3, 1, 2, 2, 2, 2);
  dil.p.dilation_h = 2;
  dil.p.dilation_w = 2;
  finish_shape(dil);
  cases.push_back(dil);
  Case batch7 = make_case(6, 16, 32, 3, 1, 1, 1, 1, 1);
  batch7.batch = 7;
  batch7.residual = true;
  cases.push_back(batch7);
  // Large weights (over 128 Ki packed floats: blocks over passes of rows, next block
  // prefetched) with inputs past the pass budget (64 Ki floats): several passes of rows, each
  // over every block of output channels; and 7x7 maps with many channels (ResNet50's last
  // stage, with a partial last block).
  Case passes = make_case(40, 160, 100, 3, 2, 1, 0, 1, 2);
  passes.residual = true;
  passes.p.activation = Activation::Relu;
  cases.push_back(passes);
  cases.push_back(make_case(7, 300, 72, 3, 1, 1, 1, 1, 1));
  for (const Variant& v : runnable(false)) {
    std::mt19937 rng(7);
    for (const Case& c : cases) {
      const Data d = random_data(c, rng);
      EXPECT_TRUE(check(*v.kernel, c, d, whole(c))) << v.kernel->name << " " << describe(c);
    }
  }
}

// Row pieces stitch into exactly the one-call result (every row split gives the same bits).
TEST(F32ConvDirect, RowPiecesStitchExactly) {
  for (bool pointwise : {false, true}) {
    for (const Variant& v : runnable(pointwise)) {
      std::mt19937 rng(5);
      Case c = pointwise ? make_case(11, 17, 33, 1, 1, 0, 0, 0, 0) : make_case(11, 17, 33, 3, 2, 0, 1, 2, 1);
      c.residual = true;
      c.p.activation = Activation::Relu;
      const Data d = random_data(c, rng);
      const std::vector<float> one = run_kernel(*v.kernel, c, d, whole(c));
      std::vector<int32_t> rows = {0};
      for (int32_t r = 1; r <= c.p.out_h; ++r) rows.push_back(r);
      EXPECT_EQ(run_kernel(*v.kernel, c, d, rows), one) << v.kernel->name << " one row per call";
      EXPECT_EQ(run_kernel(*v.kernel, c, d, {0, 2, 2, 5, c.p.out_h}), one) << v.kernel->name << " uneven pieces";
      EXPECT_TRUE(check(*v.kernel, c, d, rows)) << v.kernel->name;
    }
  }
}

TEST(F32ConvDirect, ResidualAndActivations) {
  for (bool pointwise : {false, true}) {
    for (const Variant& v : runnable(pointwise)) {
      std::mt19937 rng(11);
      for (int32_t out_c : {5, 16, 33}) {
        Case c = pointwise ? make_case(9, 16, out_c, 1, 1, 0, 0, 0, 0) : make_case(9, 16, out_c, 3, 1, 1, 1, 1, 1);
        for (Activation a : {Activation::None, Activation::Relu, Activation::Clip, Activation::Sigmoid,
                             Activation::HardSigmoid, Activation::HardSwish, Activation::SiLU}) {
          for (bool res : {false, true}) {
            c.p.activation = a;
            c.p.clip_min = -0.25f;
            c.p.clip_max = 0.5f;
            c.p.alpha = 0.25f;
            c.p.beta = 0.375f;
            c.residual = res;
            const Data d = random_data(c, rng);
            EXPECT_TRUE(check(*v.kernel, c, d, whole(c))) << v.kernel->name << " " << describe(c);
          }
        }
        // Residual read from the output buffer itself.
        c.residual = true;
        c.p.activation = Activation::Relu;
        const Data d = random_data(c, rng);
        EXPECT_TRUE(check(*v.kernel, c, d, whole(c), /*in_place=*/true)) << v.kernel->name << " in-place residual";
      }
      // A ReLU that actually clips: every output is >= 0 and some were negative before.
      Case c = make_case(5, 3, 16, 1, 1, 0, 0, 0, 0);
      c.p.activation = Activation::Relu;
      const Data d = random_data(c, rng);
      const std::vector<float> got = run_kernel(*v.kernel, c, d, whole(c));
      int zeros = 0;
      for (float x : got) {
        EXPECT_GE(x, 0.f);
        zeros += x == 0.f;
      }
      EXPECT_GT(zeros, 0) << v.kernel->name;
    }
  }
}

TEST(F32ConvDirect, Resnet8Layers) {
  for (bool pointwise : {false, true}) {
    for (const Variant& v : runnable(pointwise)) {
      std::mt19937 rng(8);
      for (const Resnet8Layer& layer : resnet8_layers()) {
        Case c = layer.c;
        if (!v.kernel->supports(c.p)) {
          EXPECT_TRUE(pointwise) << v.kernel->name << " " << layer.name;
          continue;
        }
        for (bool res : {false, true}) {
          c.residual = res;
          c.p.activation = res ? Activation::Relu : Activation::None;
          c.batch = res ? 2 : 1;
          const Data d = random_data(c, rng);
          EXPECT_TRUE(check(*v.kernel, c, d, res ? random_cuts(c, rng) : whole(c)))
              << v.kernel->name << " " << layer.name;
        }
      }
    }
  }
}

// ---- speed (reported, not asserted: the machine is shared; the timed case is checked) ----

// CPU time of this thread: other processes on the shared cores do not count against us.
double thread_seconds() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return double(t.tv_sec) + double(t.tv_nsec) * 1e-9;
}

TEST(F32ConvDirect, Resnet8Throughput) {
  std::printf("GMAC/s per thread CPU second, one image per call (AVX-512 FMA peak ~58-63 here):\n");
  for (const Resnet8Layer& layer : resnet8_layers()) {
    std::string line;
    for (bool pointwise : {false, true}) {
      for (const Variant& v : runnable(pointwise)) {
        if (!v.kernel->supports(layer.c.p)) continue;
        Case c = layer.c;
        c.p.activation = Activation::Relu;
        std::mt19937 rng(3);
        const Data d = random_data(c, rng);
        const auto& k = *v.kernel;
        std::vector<float> packed(k.packed_floats(c.p)), ws(k.workspace_floats(c.p) + 1);
        std::vector<float> out(size_t(c.p.out_h) * c.p.out_w * c.p.out_c);
        k.pack(c.p, d.weight.data(), d.bias.data(), packed.data());
        const double macs = double(out.size()) * c.p.in_c * c.p.kernel_h * c.p.kernel_w;
        auto once = [&] { k.run(c.p, packed.data(), d.input.data(), nullptr, out.data(), ws.data(), 0, c.p.out_h); };
        once();
        double best = 1e30;
        for (int rep = 0; rep < 5; ++rep) {
          int iters = 0;
          const double t0 = thread_seconds();
          double secs = 0;
          do {
            for (int i = 0; i < 10; ++i) once();
            iters += 10;
            secs = thread_seconds() - t0;
          } while (secs < 0.01);
          best = std::min(best, secs / iters);
        }
        char buf[96];
        std::snprintf(buf, sizeof buf, "  %s %.1f", k.name + 14, macs / best * 1e-9);
        line += buf;
        EXPECT_TRUE(check(k, c, d, whole(c))) << k.name << " " << layer.name;
      }
    }
    std::printf("  %-40s%s\n", layer.name, line.c_str());
  }
}

}  // namespace
}  // namespace octet
