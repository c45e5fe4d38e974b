// Wall time elapsed, for the benchmarks: a steady clock, so a step of the
// system clock during a run does not bend the figures; and the calling
// thread's CPU time, for the benchmarks that price one step on one thread.
//
//   const bench::Steady::time_point t0 = bench::Steady::now();
//   const double cpu0 = bench::ThreadCpuMicros();
//   ...
//   const double took = bench::SecondsSince(t0);
//   const double cpu_us = bench::ThreadCpuMicros() - cpu0;
#ifndef SBRGATE_BENCH_ELAPSED_H_
#define SBRGATE_BENCH_ELAPSED_H_

#include <time.h>

#include <chrono>

namespace sbrgate::bench {

using Steady = std::chrono::steady_clock;

inline double SecondsSince(Steady::time_point since) {
  return std::chrono::duration<double>(Steady::now() - since).count();
}

inline double ThreadCpuMicros() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

}  // namespace sbrgate::bench

#endif  // SBRGATE_BENCH_ELAPSED_H_
