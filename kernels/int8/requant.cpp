#include "kernels/int8/requant.h"

#include <cmath>

namespace octet::kernels {

namespace {
// m / 2^shift for M = f * 2^e with f in [0.5, 1): m = round(f * 2^31), shift = 31 - e.
bool normalise(double real, int32_t* shift_out) {
  if (!std::isfinite(real) || real < 0 || real >= double(1 << 30)) return false;
  if (real == 0) { *shift_out = 62; return true; }
  int e = 0;
  std::frexp(real, &e);
  int shift = 31 - e;
  if (shift > 62) shift = 62;   // M < 2^-31: rounds to a tiny or zero multiplier
  if (shift < 1) return false;
  *shift_out = shift;
  return true;
}

bool scaled(double real, int32_t shift, int32_t* multiplier) {
  double m = std::round(std::ldexp(real, shift));
  if (m >= 2147483648.0) return false;
  *multiplier = static_cast<int32_t>(m);
  return true;
}
}  // namespace

bool make_requant(double real_multiplier, Requant* out) {
  int32_t shift = 0;
  if (!normalise(real_multiplier, &shift)) return false;
  int32_t m = 0;
  if (!scaled(real_multiplier, shift, &m)) {
    // f rounded up to 1.0: one less bit of shift.
    --shift;
    if (shift < 1 || !scaled(real_multiplier, shift, &m)) return false;
  }
  out->multiplier = m;
  out->shift = shift;
  return true;
}

bool make_requant_pair(double m1, double m2, Requant* first, int32_t* second_multiplier) {
  Requant larger;
  if (!make_requant(m1 > m2 ? m1 : m2, &larger)) return false;
  if (!(m1 >= 0 && m2 >= 0)) return false;
  first->shift = larger.shift;
  return scaled(m1, larger.shift, &first->multiplier) &&
         scaled(m2, larger.shift, second_multiplier);
}

bool make_requant_channels(const double* reals, int32_t n, Requant* largest, int32_t* multipliers) {
  double max = 0;
  for (int32_t c = 0; c < n; ++c) {
    if (!(reals[c] >= 0)) return false;
    max = reals[c] > max ? reals[c] : max;
  }
  if (!make_requant(max, largest)) return false;
  for (int32_t c = 0; c < n; ++c)
    if (!scaled(reals[c], largest->shift, &multipliers[c])) return false;
  return true;
}

}  // namespace octet::kernels
