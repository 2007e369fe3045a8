// Correctness before timing: every library's result on every shape against an exact
// reference, and each peer's thread use. One line per check, ending in ": ok" or ": FAILED"
// (tests/test_gemm_peers.cpp reads them).
//   f32:  |C - C_ref| against a double-precision product of the same floats, per element
//         within 4 * sqrt(K) * FLT_EPSILON * sum over k of |a * b| (the probabilistic rounding
//         bound of a float dot product in any summation order, with margin; a transposed or
//         partial product is off by ~1, far beyond it).
//   u8s8: oneDNN's int32 accumulators equal the exact ones (int64 loop) element for element,
//         and octet's uint8 outputs equal those exact accumulators requantised with octet's
//         epilogue (kernels/int8/requant.h), so the two sides compute the same product.
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <ctime>

#include "bench/peers/gemm_peers.h"
#include "kernels/int8/requant.h"

namespace octet::bench {
namespace {

const char* verdict(bool ok) { return ok ? "ok" : "FAILED"; }

struct F32Reference {
  std::vector<double> c;       // the product, in double
  std::vector<double> bound;   // the tolerance per element
};

F32Reference f32_reference(const F32Problem& p) {
  const GemmShape& s = p.shape;
  F32Reference r{std::vector<double>(size_t(s.m) * s.n), std::vector<double>(size_t(s.m) * s.n)};
  const double scale = 4 * std::sqrt(double(s.k)) * double(FLT_EPSILON);
  for (int32_t i = 0; i < s.m; ++i)
    for (int32_t j = 0; j < s.n; ++j) {
      double sum = 0, abs_sum = 0;
      for (int32_t k = 0; k < s.k; ++k) {
        const double ab = double(p.a[size_t(i) * s.k + k]) * p.b[size_t(j) * s.k + k];
        sum += ab;
        abs_sum += std::fabs(ab);
      }
      r.c[size_t(i) * s.n + j] = sum;
      r.bound[size_t(i) * s.n + j] = scale * abs_sum;
    }
  return r;
}

std::vector<int32_t> u8s8_reference(const U8S8Problem& p) {
  const GemmShape& s = p.shape;
  std::vector<int32_t> c(size_t(s.m) * s.n);
  for (int32_t i = 0; i < s.m; ++i)
    for (int32_t j = 0; j < s.n; ++j) {
      int64_t sum = p.bias[j];
      for (int32_t k = 0; k < s.k; ++k)
        sum += int64_t(int(p.a[size_t(i) * s.k + k]) - U8S8Problem::kInputZeroPoint) * p.b[size_t(j) * s.k + k];
      c[size_t(i) * s.n + j] = static_cast<int32_t>(sum);
    }
  return c;
}

bool check_f32(FILE* out, const F32Problem& p, const F32Reference& ref, const std::string& who,
               const std::vector<float>& c) {
  double worst = 0, worst_ratio = 0;
  bool nan = false;
  for (size_t i = 0; i < c.size(); ++i) {
    const double err = std::fabs(c[i] - ref.c[i]);
    nan |= std::isnan(err);
    worst = std::fmax(worst, err);
    worst_ratio = std::fmax(worst_ratio, err / ref.bound[i]);
  }
  const bool ok = !nan && worst_ratio <= 1;
  std::fprintf(out, "f32 %s %s: max |C - C_ref| %.3g, max error / tolerance %.3g: %s\n", shape_name(p.shape).c_str(),
               who.c_str(), nan ? NAN : worst, nan ? NAN : worst_ratio, verdict(ok));
  return ok;
}

bool check_shape(FILE* out, const GemmShape& s) {
  bool all = true;
  const F32Problem fp(s);
  const F32Reference fref = f32_reference(fp);
  std::vector<float> c(size_t(s.m) * s.n);
  const OctetF32Gemm octet_f32(fp);
  octet_f32.run(c.data());
  all &= check_f32(out, fp, fref, std::string("octet ") + octet_f32.variant().name, c);
  for (const PeerLibrary* peer : peer_libraries()) {
    if (peer->sgemm == nullptr) continue;
    std::fill(c.begin(), c.end(), NAN);
    peer->sgemm(s, fp.a.data(), fp.b.data(), c.data());
    all &= check_f32(out, fp, fref, std::string(peer->name) + " " + peer->sgemm_name, c);
  }

  const U8S8Problem qp(s);
  const std::vector<int32_t> acc = u8s8_reference(qp);
  const OctetU8S8Gemm octet_u8(qp);
  const kernels::QConvParams& q = octet_u8.params();
  std::vector<uint8_t> expected(acc.size()), y(acc.size());
  for (size_t i = 0; i < acc.size(); ++i)
    expected[i] = kernels::requantize_float(acc[i], q.scale, q.output_zero_point, q.output_min, q.output_max);
  octet_u8.run(y.data());
  size_t bad = 0;
  for (size_t i = 0; i < y.size(); ++i) bad += y[i] != expected[i];
  std::fprintf(out, "u8s8 %s octet %s: uint8 outputs differing from the requantised exact accumulators: %zu of %zu: %s\n",
               shape_name(s).c_str(), octet_u8.variant().name, bad, y.size(), verdict(bad == 0));
  all &= bad == 0;
  for (const PeerLibrary* peer : peer_libraries()) {
    if (peer->gemm_u8s8s32 == nullptr) continue;
    std::vector<int32_t> c32(acc.size(), -1);
    peer->gemm_u8s8s32(s, qp.a.data(), U8S8Problem::kInputZeroPoint, qp.b.data(), qp.bias.data(), c32.data());
    size_t bad_acc = 0, bad_u8 = 0;
    for (size_t i = 0; i < c32.size(); ++i) {
      bad_acc += c32[i] != acc[i];
      bad_u8 += kernels::requantize_float(c32[i], q.scale, q.output_zero_point, q.output_min, q.output_max) != y[i];
    }
    std::fprintf(out,
                 "u8s8 %s %s %s: int32 accumulators differing from the exact ones: %zu of %zu; requantised as octet "
                 "does, uint8 differing from octet's output: %zu: %s\n",
                 shape_name(s).c_str(), peer->name, peer->gemm_u8s8s32_name, bad_acc, c32.size(), bad_u8,
                 verdict(bad_acc == 0 && bad_u8 == 0));
    all &= bad_acc == 0 && bad_u8 == 0;
  }
  return all;
}

double cpu_seconds(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

// A peer that ran extra threads would show process CPU time above the calling thread's (and
// would look faster than it is, since the benchmarks time the calling thread).
bool check_threads(FILE* out, const PeerLibrary& peer) {
  if (peer.sgemm == nullptr) return true;
  const GemmShape s{512, 512, 512};
  const F32Problem fp(s);
  std::vector<float> c(size_t(s.m) * s.n);
  peer.sgemm(s, fp.a.data(), fp.b.data(), c.data());   // warm up (JIT, buffers)
  const double p0 = cpu_seconds(CLOCK_PROCESS_CPUTIME_ID), t0 = cpu_seconds(CLOCK_THREAD_CPUTIME_ID);
  for (int i = 0; i < 10; ++i) peer.sgemm(s, fp.a.data(), fp.b.data(), c.data());
  const double ratio = (cpu_seconds(CLOCK_PROCESS_CPUTIME_ID) - p0) / (cpu_seconds(CLOCK_THREAD_CPUTIME_ID) - t0);
  const bool ok = ratio <= 1.1;
  std::fprintf(out,
               "threads %s: process CPU time / calling thread CPU time over 10 x %s 512^3: %.3f, limit 1.1: %s\n",
               peer.name, peer.sgemm_name, ratio, verdict(ok));
  return ok;
}

}  // namespace

bool check_all(FILE* out) {
  bool all = true;
  for (const PeerLibrary* peer : peer_libraries()) {
    std::fprintf(out, "peer %s: %s\n", peer->name, peer->describe().c_str());
    all &= check_threads(out, *peer);
  }
  for (const GemmShape& s : kPeerShapes) all &= check_shape(out, s);
  std::fflush(out);
  return all;
}

}  // namespace octet::bench
