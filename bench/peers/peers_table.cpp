// The "octet vs OpenBLAS vs oneDNN" table for docs/performance.md (tools/octet-bench): a row per
// type and shape, GMAC/s (% of peak) per library, and octet's rate over each peer's.
#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "bench/kernels/markdown.h"
#include "bench/peak/peak.h"
#include "bench/peers/gemm_peers.h"

namespace octet::bench {
namespace {

struct KnownPeer {
  const char* name;
  const char* label;
  const char* package;
};
const KnownPeer kKnownPeers[] = {{"openblas", "OpenBLAS", "libopenblas-dev"}, {"onednn", "oneDNN", "libdnnl-dev"}};

const PeerLibrary* built_peer(const char* name) {
  for (const PeerLibrary* p : peer_libraries())
    if (std::string(p->name) == name) return p;
  return nullptr;
}

std::string num(double v, const char* small = "%.2f") {
  char buf[32];
  std::snprintf(buf, sizeof buf, v >= 100 ? "%.0f" : v >= 10 ? "%.1f" : small, v);
  return buf;
}

std::string rate_cell(const BenchResult* r) {
  if (r == nullptr) return "";
  if (!r->error.empty()) return "error: " + r->error;
  std::string c = num(r->items_per_second * 1e-9);
  if (r->peak_percent >= 0) c += " (" + num(r->peak_percent, "%.1f") + "%)";
  return c;
}

std::string dims(const std::string& shape) {   // "M:64/N:10/K:64" -> "64 × 10 × 64"
  std::string out;
  size_t pos = 0;
  while (pos < shape.size()) {
    const size_t colon = shape.find(':', pos), slash = shape.find('/', pos);
    if (!out.empty()) out += " × ";
    out += shape.substr(colon + 1, (slash == std::string::npos ? shape.size() : slash) - colon - 1);
    if (slash == std::string::npos) break;
    pos = slash + 1;
  }
  return out;
}

void write_notes(std::ofstream& out) {
  const GemmShape head = kPeerShapes[0];
  const kernels::KernelVariant& f32 = octet_f32_variant();
  const kernels::KernelVariant& u8 = octet_u8s8_variant(head);
  out << "Same row-major data for every library: A [M][K], B stored [N][K] (transB, as ONNX Gemm stores a "
         "Dense layer), C [M][N]; single thread; GMAC/s = M·N·K multiply-accumulates per second of the calling "
         "thread's CPU time (% of the single-core peak of octet's ISA: f32 against "
      << kernels::isa_name(f32.isa) << " FMA " << num(fp32_peak_gmacs(f32.isa)) << " GMAC/s, u8s8 against "
      << kernels::isa_name(u8.isa) << " " << num(int8_peak_gmacs(u8.isa)) << " GMAC/s). "
      << "octet/peer = octet's GMAC/s over the peer's: above 1, octet is faster. Each library's result is checked "
         "before timing (`--check`: f32 within 4·√K·FLT_EPSILON·Σ|a·b| of a double-precision product, element "
         "by element; u8s8 accumulators exact, and octet's uint8 outputs equal to them requantised).\n\n";
  out << "- **octet**: f32 `" << f32.name << "`, C = A·Bᵀ (no bias); u8s8 `" << u8.name
      << "` run as a 1x1 convolution: int32 acc = (A − 128)·Bᵀ + bias, **then requantised to uint8** in its "
         "epilogue (its only output). B packed once outside the timed loop, as `octet-compile` does.\n";
  for (const KnownPeer& k : kKnownPeers) {
    const PeerLibrary* p = built_peer(k.name);
    out << "- **" << k.label << "**: ";
    if (p == nullptr) {
      out << "not built in (install " << k.package << " and reconfigure).\n";
      continue;
    }
    out << p->describe() << ". Plain API, which packs inside every call: f32 `" << (p->sgemm ? p->sgemm_name : "-")
        << "`";
    if (p->gemm_u8s8s32 != nullptr)
      out << "; u8s8 `" << p->gemm_u8s8s32_name
          << "` (A offset 128, B offset 0, bias as the per-column C offset): stops at the int32 accumulators, "
             "no requantisation";
    else
      out << "; no int8 GEMM";
    out << ".\n";
  }
  out << "\n";
}

}  // namespace

bool write_peers_markdown(const std::string& path, const std::vector<BenchResult>& results) {
  std::map<std::string, BenchResult> chosen;
  for (const BenchResult& r : median_results(results)) chosen[r.name] = r;
  // Rows: "<type>/<shape>", in the order of kPeerShapes whatever order the runs came in
  // (--benchmark_enable_random_interleaving shuffles them); columns: the library after the
  // last '/'.
  std::map<std::string, std::map<std::string, const BenchResult*>> grid;
  for (const auto& [name, result] : chosen) {
    const size_t last = name.rfind('/');
    grid[name.substr(0, last)][name.substr(last + 1)] = &result;
  }
  std::vector<std::string> rows;
  for (const char* type : {"f32", "u8s8"})
    for (const GemmShape& s : kPeerShapes)
      if (grid.count(type + ("/" + shape_name(s)))) rows.push_back(type + ("/" + shape_name(s)));

  std::ofstream out(path);
  if (!out) return false;
  write_notes(out);
  out << "| type | M × N × K | octet GMAC/s (% peak) |";
  for (const KnownPeer& k : kKnownPeers) out << " " << k.label << " GMAC/s (% peak) |";
  for (const KnownPeer& k : kKnownPeers) out << " octet/" << k.label << " |";
  out << "\n|---|---|---:|";
  for (size_t i = 0; i < 2 * std::size(kKnownPeers); ++i) out << "---:|";
  out << "\n";
  for (const std::string& row : rows) {
    const size_t slash = row.find('/');
    const std::string type = row.substr(0, slash);
    const auto& cells = grid[row];
    const auto find = [&](const std::string& lib) -> const BenchResult* {
      auto it = cells.find(lib);
      return it == cells.end() ? nullptr : it->second;
    };
    const BenchResult* octet = find("octet");
    out << "| " << type << " | " << dims(row.substr(slash + 1)) << " | " << rate_cell(octet) << " |";
    for (const KnownPeer& k : kKnownPeers) {
      const PeerLibrary* p = built_peer(k.name);
      const BenchResult* r = find(k.name);
      out << " " << (r != nullptr ? rate_cell(r) : p == nullptr ? "not installed" : "no int8 GEMM") << " |";
    }
    for (const KnownPeer& k : kKnownPeers) {
      const BenchResult* r = find(k.name);
      const bool both = octet != nullptr && r != nullptr && octet->error.empty() && r->error.empty() &&
                        r->items_per_second > 0;
      out << " " << (both ? num(octet->items_per_second / r->items_per_second) : "–") << " |";
    }
    out << "\n";
  }
  return static_cast<bool>(out);
}

}  // namespace octet::bench
