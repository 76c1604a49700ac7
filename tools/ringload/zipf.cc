#include "zipf.h"

#include <algorithm>
#include <cmath>

namespace ringcache::ringload {
namespace {

// log1p(x) / x, continuous at 0.
double Log1pOverX(double x) {
  return std::abs(x) > 1e-8 ? std::log1p(x) / x : 1.0 - x * (0.5 - x / 3.0);
}
// expm1(x) / x, continuous at 0.
double Expm1OverX(double x) {
  return std::abs(x) > 1e-8 ? std::expm1(x) / x : 1.0 + x * (0.5 + x / 6.0);
}

}  // namespace

ZipfSampler::ZipfSampler(uint64_t n, double s) : n_(std::max<uint64_t>(n, 1)), s_(s) {
  h_integral_x1_ = H(1.5) - 1.0;
  h_integral_n_ = H(static_cast<double>(n_) + 0.5);
  accept_width_ = 2.0 - HInverse(H(2.5) - h(2.0));
}

// H(x) = (x^(1-s) - 1) / (1 - s), written as log(x) * expm1(t) / t with
// t = (1 - s) log(x) so that s = 1 (where H = log) needs no special case.
double ZipfSampler::H(double x) const {
  const double log_x = std::log(x);
  return Expm1OverX((1.0 - s_) * log_x) * log_x;
}

double ZipfSampler::HInverse(double y) const {
  const double t = y * (1.0 - s_);
  return std::exp(Log1pOverX(t) * y);
}

double ZipfSampler::h(double x) const { return std::exp(-s_ * std::log(x)); }

uint64_t ZipfSampler::Sample(Rng& rng) const {
  while (true) {
    // u runs over the envelope's area from the tail (n + 0.5) to the head
    // (1.5 minus the head's own mass), so u near h_integral_x1_ means rank 1.
    const double u = h_integral_n_ + rng.NextDouble() * (h_integral_x1_ - h_integral_n_);
    const double x = HInverse(u);
    double k = std::floor(x + 0.5);
    k = std::clamp(k, 1.0, static_cast<double>(n_));
    if (k - x <= accept_width_ || u >= H(k + 0.5) - h(k)) {
      return static_cast<uint64_t>(k) - 1;
    }
  }
}

double ZipfSampler::Probability(uint64_t rank) const {
  double sum = 0;
  for (uint64_t k = n_; k >= 1; --k) sum += h(static_cast<double>(k));  // small terms first
  return h(static_cast<double>(rank + 1)) / sum;
}

}  // namespace ringcache::ringload
