#include "bench/kernels/markdown.h"

#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "bench/peak/peak.h"

namespace octet::bench {
namespace {

const char* const kIsas[] = {"sse2", "avx2", "avx512", "vnni"};

struct Parsed {
  std::string kernel;   // variant name without the ISA: "f32_conv_nhwc_direct"
  std::string isa;      // "" for references
  std::string shape;    // "32x32x16->16_k3s1/batch:1"
  const BenchResult* r;
};

Parsed parse(const BenchResult& r) {
  Parsed p{r.name, "", "", &r};
  const size_t slash = r.name.find('/');
  if (slash != std::string::npos) {
    p.kernel = r.name.substr(0, slash);
    p.shape = r.name.substr(slash + 1);
  }
  const size_t us = p.kernel.rfind('_');
  if (us != std::string::npos) {
    for (const char* isa : kIsas) {
      if (p.kernel.compare(us + 1, std::string::npos, isa) == 0) {
        p.isa = isa;
        p.kernel.resize(us);
        break;
      }
    }
  }
  return p;
}

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, v >= 100 ? "%.0f" : v >= 10 ? "%.1f" : "%.2f", v);
  return buf;
}

std::string time_text(double s) {
  if (s >= 1e-3) return num(s * 1e3) + " ms";
  return num(s * 1e6) + " µs";
}

std::string cell(const BenchResult& r) {
  if (!r.error.empty()) return "skipped: " + r.error;
  std::string c = time_text(r.seconds_per_iteration) + " · " + num(r.items_per_second * 1e-9) + " G/s";
  if (r.peak_percent >= 0) c += " · **" + num(r.peak_percent) + "%**";
  return c;
}

struct Section {
  const char* prefix;
  const char* title;
  const char* note;
};

const Section kSections[] = {
    {"f32_conv", "FP32 convolutions (NHWC, fused ReLU)",
     "G/s = GMAC/s; Winograd is credited with the direct convolution's MACs. batch:64 = 64 images per iteration."},
    {"f32_gemm", "FP32 GEMM (packed B, transB as in ONNX Gemm)", "G/s = GMAC/s. M:1 / M:64 = the classifier at batch 1 / 64."},
    {"f32_vector", "FP32 vector kernels (NHWC)",
     "G/s = G element operations/s: window taps for pools, elements for add and global average, inputs for "
     "softmax. No peak% (not MAC-bound)."},
};

void isa_table(std::ofstream& out, const std::vector<Parsed>& rows) {
  std::vector<std::string> isas;
  for (const char* isa : kIsas)
    for (const Parsed& p : rows)
      if (p.isa == isa) {
        isas.push_back(isa);
        break;
      }
  std::vector<std::string> keys;
  std::map<std::string, std::map<std::string, const BenchResult*>> grid;
  for (const Parsed& p : rows) {
    const std::string key = p.kernel + "` | " + p.shape;
    if (grid.find(key) == grid.end()) keys.push_back(key);
    grid[key][p.isa] = p.r;
  }
  out << "| kernel | shape | ";
  for (const std::string& isa : isas) out << isa << " | ";
  out << "\n|---|---|";
  for (size_t i = 0; i < isas.size(); ++i) out << "---|";
  out << "\n";
  for (const std::string& key : keys) {
    out << "| `" << key << " | ";
    for (const std::string& isa : isas) {
      auto it = grid[key].find(isa);
      out << (it == grid[key].end() ? "" : cell(*it->second)) << " | ";
    }
    out << "\n";
  }
}

// The fastest conv variant per layer shape and batch: what the engine should pick.
void best_conv_table(std::ofstream& out, const std::vector<Parsed>& rows) {
  std::vector<std::string> shapes;
  std::map<std::string, const Parsed*> best;
  for (const Parsed& p : rows) {
    if (!p.r->error.empty()) continue;
    auto it = best.find(p.shape);
    if (it == best.end()) shapes.push_back(p.shape);
    if (it == best.end() || p.r->seconds_per_iteration < it->second->r->seconds_per_iteration) best[p.shape] = &p;
  }
  out << "\nFastest variant per layer:\n\n| layer | fastest | time | GMAC/s | % of its ISA's peak |\n|---|---|---:|---:|---:|\n";
  for (const std::string& s : shapes) {
    const Parsed& p = *best[s];
    out << "| " << s << " | `" << p.kernel << "_" << p.isa << "` | " << time_text(p.r->seconds_per_iteration) << " | "
        << num(p.r->items_per_second * 1e-9) << " | " << num(p.r->peak_percent) << "% |\n";
  }
}

}  // namespace

std::vector<BenchResult> median_results(const std::vector<BenchResult>& results) {
  std::vector<std::string> order;
  std::map<std::string, BenchResult> chosen;
  for (const BenchResult& r : results) {
    if (!r.aggregate.empty() && r.aggregate != "median") continue;
    std::string name = r.name;
    if (!r.aggregate.empty()) name.resize(name.size() - r.aggregate.size() - 1);   // "..._median"
    auto it = chosen.find(name);
    if (it == chosen.end()) order.push_back(name);
    if (it == chosen.end() || it->second.aggregate.empty()) {
      chosen[name] = r;
      chosen[name].name = name;
    }
  }
  std::vector<BenchResult> out;
  for (const std::string& n : order) out.push_back(chosen[n]);
  return out;
}

bool write_markdown(const std::string& path, const std::vector<BenchResult>& results) {
  std::vector<Parsed> parsed;
  for (const BenchResult& r : median_results(results)) parsed.push_back(parse(r));

  std::ofstream out(path);
  if (!out) return false;
  out << "Cells: time per iteration (thread CPU time) · rate · **% of the single-core FP32 peak of the kernel's "
         "ISA**, measured in-process with bench/peak's loops:";
  for (kernels::KernelIsa isa : {kernels::KernelIsa::Sse2, kernels::KernelIsa::Avx2, kernels::KernelIsa::Avx512}) {
    const double g = fp32_peak_gmacs(isa);
    out << " " << kernels::isa_name(isa) << " " << (g > 0 ? num(g) + " GMAC/s" : std::string("n/a")) << ";";
  }
  out << " single-threaded.\n";
  for (const Section& s : kSections) {
    std::vector<Parsed> rows;
    for (const Parsed& p : parsed)
      if (p.kernel.rfind(s.prefix, 0) == 0) rows.push_back(p);
    if (rows.empty()) continue;
    out << "\n### " << s.title << "\n\n" << s.note << "\n\n";
    isa_table(out, rows);
    if (std::string(s.prefix) == "f32_conv") best_conv_table(out, rows);
  }
  std::vector<Parsed> refs;
  for (const Parsed& p : parsed)
    if (p.kernel.rfind("ref_", 0) == 0) refs.push_back(p);
  if (!refs.empty()) {
    out << "\n### Scalar references (kernels/reference, NCHW)\n\nThe oracles, for scale: G/s as above.\n\n"
        << "| kernel | shape | time · rate |\n|---|---|---|\n";
    for (const Parsed& p : refs) out << "| `" << p.kernel << "` | " << p.shape << " | " << cell(*p.r) << " |\n";
  }
  return static_cast<bool>(out);
}

}  // namespace octet::bench
