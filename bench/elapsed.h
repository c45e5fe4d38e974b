// Wall time elapsed, for the benchmarks: a steady clock, so a step of the
// system clock during a run does not bend the figures.
//
//   const bench::Steady::time_point t0 = bench::Steady::now();
//   ...
//   const double took = bench::SecondsSince(t0);
#ifndef SBRGATE_BENCH_ELAPSED_H_
#define SBRGATE_BENCH_ELAPSED_H_

#include <chrono>

namespace sbrgate::bench {

using Steady = std::chrono::steady_clock;

inline double SecondsSince(Steady::time_point since) {
  return std::chrono::duration<double>(Steady::now() - since).count();
}

}  // namespace sbrgate::bench

#endif  // SBRGATE_BENCH_ELAPSED_H_
