// octet-bench-gemm-peers: octet's GEMM kernels against OpenBLAS and oneDNN (the Debian
// packages libopenblas-dev and libdnnl-dev, optional; bench/CMakeLists.txt builds this binary
// only when at least one is installed, and links them into nothing else).
//
// Every library computes the same product on the same row-major data:
//   A [M][K] (activations), B [N][K] (weights, stored as ONNX Gemm stores a Dense layer:
//   transB), C [M][N].
//   f32:  C = A · Bᵀ (float; no bias, alpha 1, beta 0).
//   u8s8: acc = (A - 128) · Bᵀ + bias[n] (uint8 A with zero point 128, int8 B, int32 bias).
//         octet then requantises acc to uint8 in the kernel's epilogue (its only output);
//         oneDNN's dnnl_gemm_u8s8s32 stops at the int32 acc. OpenBLAS has no int8 GEMM.
// octet packs B once outside the timed loop (as octet-compile does); the peers are called
// through their plain API, which packs inside every call, as a user would call them.
#pragma once
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "bench/kernels/markdown.h"   // BenchResult
#include "kernels/registry.h"

namespace octet::bench {

struct GemmShape {
  int32_t m, n, k;
};

// ResNet8's classifier (64 -> 10) at batch 1 and 64, then square sizes 64..1024 (the same
// shapes as bench/kernels' GEMM benchmarks).
inline constexpr GemmShape kPeerShapes[] = {
    {1, 10, 64}, {64, 10, 64}, {64, 64, 64}, {128, 128, 128}, {256, 256, 256}, {512, 512, 512}, {1024, 1024, 1024},
};

inline std::string shape_name(const GemmShape& s) {
  return "M:" + std::to_string(s.m) + "/N:" + std::to_string(s.n) + "/K:" + std::to_string(s.k);
}

// A peer library's GEMMs through its plain API. A null function: the library has none.
struct PeerLibrary {
  const char* name;      // "openblas", "onednn"
  const char* label;     // "OpenBLAS", "oneDNN" (table headers)
  const char* package;   // the Debian package that brings it
  // Called once before anything else: single thread, and whatever else the peer needs.
  void (*init)();
  // Version, the code path it picked for this CPU, its thread setting.
  std::string (*describe)();
  // c = a · bᵀ, a [m][k], b [n][k], c [m][n], all row-major.
  void (*sgemm)(const GemmShape& s, const float* a, const float* b, float* c);
  const char* sgemm_name;
  // c = (a - a_zero_point) · bᵀ + bias[n], int32.
  void (*gemm_u8s8s32)(const GemmShape& s, const uint8_t* a, uint8_t a_zero_point, const int8_t* b,
                       const int32_t* bias, int32_t* c);
  const char* gemm_u8s8s32_name;
};

// The peers this binary was built with (peer_openblas.cpp, peer_onednn.cpp), initialised.
const std::vector<const PeerLibrary*>& peer_libraries();

// The inputs every library gets for one shape (fixed seeds, so every run sees the same data).
struct F32Problem {
  explicit F32Problem(const GemmShape& s);
  GemmShape shape;
  std::vector<float> a, b;   // [m][k], [n][k], uniform in [-1, 1]
};

struct U8S8Problem {
  explicit U8S8Problem(const GemmShape& s);
  static constexpr uint8_t kInputZeroPoint = 128;
  GemmShape shape;
  std::vector<uint8_t> a;    // [m][k], uniform 0..255
  std::vector<int8_t> b;     // [n][k], uniform -128..127
  std::vector<int32_t> bias; // [n], uniform -1000..1000
};

// The octet kernel variants the engine would pick on this CPU (the widest supported ISA; for
// int8, one that accepts the shape); every library's "% of peak" is against that ISA's peak.
const kernels::KernelVariant& octet_f32_variant();
const kernels::KernelVariant& octet_u8s8_variant(const GemmShape& s);

// octet's side: the kernel variant the engine would pick on this CPU (the widest supported
// ISA), its weights packed at construction, run() timed.
class OctetF32Gemm {
 public:
  explicit OctetF32Gemm(const F32Problem& p);
  void run(float* c) const;
  const kernels::KernelVariant& variant() const { return *variant_; }

 private:
  const F32Problem& p_;
  const kernels::KernelVariant* variant_;
  std::vector<float> packed_;
};

class OctetU8S8Gemm {
 public:
  explicit OctetU8S8Gemm(const U8S8Problem& p);
  void run(uint8_t* c) const;   // requantised uint8 [m][n]
  const kernels::KernelVariant& variant() const { return *variant_; }
  const kernels::QConvParams& params() const { return q_; }

 private:
  struct AlignedBytes {   // 64-byte aligned, as the engine hands packed weights and workspaces
    explicit AlignedBytes(size_t n);
    std::vector<uint8_t> raw;
    uint8_t* data;
  };
  const U8S8Problem& p_;
  const kernels::KernelVariant* variant_;
  kernels::QConvParams q_;
  AlignedBytes packed_, workspace_;
};

// Registers every library's benchmarks on every shape (bench_gemm_peers.cpp).
void register_gemm_peers();

// The table "octet vs OpenBLAS vs oneDNN" with what each side computes, in Markdown
// (peers_table.cpp); medians when the results hold them. False if the file cannot be written.
bool write_peers_markdown(const std::string& path, const std::vector<BenchResult>& results);

// Checks every library against exact references on every shape, printing one line per
// check (tests/test_gemm_peers.cpp reads them); false if any differs.
bool check_all(FILE* out);

}  // namespace octet::bench
