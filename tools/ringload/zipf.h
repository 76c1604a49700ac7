// Zipf-distributed ranks in [0, n): rank r (0-based) is drawn with
// probability proportional to 1 / (r + 1)^s.
//
// The sampler is rejection-inversion (W. Hörmann and G. Derflinger, "Rejection-
// inversion to generate variates from monotone discrete distributions", 1996):
// draw from the continuous envelope h(x) = x^-s by inverting its integral,
// round to the nearest integer, and accept unless the integer falls in the
// small gap between the envelope and the step function. It needs O(1) memory
// and a constant expected number of iterations (close to 1 for every s and n),
// so a billion keys cost no more than a thousand.
//
// Any exponent s >= 0 works; s = 0 is uniform, s = 1 is handled by the
// limits of the formulas (helpers stable near zero, no special case).
//
// Threading: immutable after construction; Sample takes the caller's Rng.
#pragma once

#include <cstdint>

#include "rng.h"

namespace ringcache::ringload {

class ZipfSampler {
 public:
  // n >= 1 ranks, exponent s >= 0.
  ZipfSampler(uint64_t n, double s);

  uint64_t n() const { return n_; }
  double exponent() const { return s_; }

  // A rank in [0, n): 0 is the most popular.
  uint64_t Sample(Rng& rng) const;

  // The exact probability of rank r under this distribution (computes the
  // normalising sum: O(n), for tests and reports).
  double Probability(uint64_t rank) const;

 private:
  double H(double x) const;         // integral of h from 1 to x
  double HInverse(double y) const;  // inverse of H
  double h(double x) const;         // envelope density x^-s

  uint64_t n_;
  double s_;
  double h_integral_x1_;  // H(1.5) - h(1)
  double h_integral_n_;   // H(n + 0.5)
  double accept_width_;   // points this close to the left of x accept at once
};

}  // namespace ringcache::ringload
