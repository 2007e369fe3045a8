#include "quant/histogram.h"

#include <algorithm>
#include <cmath>

namespace octet::quant {

void AbsHistogram::grow_to(double absmax) {
  if (absmax < limit_ || absmax == 0) return;
  if (limit_ == 0) {   // only zeros so far: they stay in bin 0 whatever the limit
    int exponent = 0;
    std::frexp(absmax, &exponent);   // absmax = m * 2^exponent, m in [0.5, 1)
    limit_ = std::ldexp(1.0, exponent);
    return;
  }
  while (limit_ <= absmax) {
    for (std::vector<int64_t>* counts : {&negative_, &positive_}) {
      std::vector<int64_t>& c = *counts;
      for (int i = 0; i < kBins / 2; ++i) c[static_cast<size_t>(i)] = c[2 * static_cast<size_t>(i)] + c[2 * static_cast<size_t>(i) + 1];
      std::fill(c.begin() + kBins / 2, c.end(), 0);
    }
    limit_ *= 2;
  }
}

void AbsHistogram::add(std::span<const float> values) {
  if (negative_.empty()) negative_.assign(kBins, 0), positive_.assign(kBins, 0);
  double absmax = 0;
  for (float x : values)
    if (std::isfinite(x)) absmax = std::max(absmax, double(std::fabs(x)));
  grow_to(absmax);
  const double per_unit = limit_ > 0 ? kBins / limit_ : 0;
  for (float x : values) {
    if (!std::isfinite(x)) continue;
    const int bin = static_cast<int>(double(std::fabs(x)) * per_unit);   // exact: per_unit is a power of two
    ++(x < 0 ? negative_ : positive_)[static_cast<size_t>(bin)];
    ++total_;
    zeros_ += x == 0;
  }
}

std::vector<int64_t> AbsHistogram::magnitude() const {
  std::vector<int64_t> m(negative_.size());
  for (size_t i = 0; i < m.size(); ++i) m[i] = negative_[i] + positive_[i];
  return m;
}

int AbsHistogram::used_bins() const {
  for (int i = static_cast<int>(negative_.size()); i > 0; --i)
    if (negative_[static_cast<size_t>(i - 1)] + positive_[static_cast<size_t>(i - 1)] != 0) return i;
  return 0;
}

}  // namespace octet::quant
