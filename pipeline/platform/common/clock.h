// Clock: where every component in sbrgate gets the time from.
//
// Nothing reads the system clock directly, so tests and the demo can let
// hours of the SBR schedule pass in milliseconds:
//
//   RealClock clock;                       // production
//   ScaledClock clock(/*scale=*/3600);     // one real second = one hour
//   ManualClock clock(absl::FromUnixSeconds(...));  // unit tests
//   clock.SleepFor(absl::Minutes(5));      // really sleeps 5 min / scale
//
// A clock is thread-safe.
#ifndef SBRGATE_PIPELINE_COMMON_CLOCK_H_
#define SBRGATE_PIPELINE_COMMON_CLOCK_H_

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace sbrgate {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
  // Blocks the caller until `d` of this clock's time has passed.
  virtual void SleepFor(absl::Duration d) = 0;
  // Blocks the caller until this clock reads `t` or later.
  void SleepUntil(absl::Time t) {
    const absl::Duration left = t - Now();
    if (left > absl::ZeroDuration()) SleepFor(left);
  }
  // Real time that corresponds to `d` of this clock's time; for timeouts
  // handed to libraries that wait on the system clock.
  virtual absl::Duration ToReal(absl::Duration d) const = 0;
};

class RealClock : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
  void SleepFor(absl::Duration d) override { absl::SleepFor(d); }
  absl::Duration ToReal(absl::Duration d) const override { return d; }
};

// Runs `scale` times faster than real time from `epoch` (a real instant):
// Now() = start + (real now - epoch) * scale, where `start` (default: the
// epoch itself) is what the clock reads at the epoch, so a demo or test can
// place the whole system at, say, 2:00 pm Sydney time. Processes given the
// same epoch, start and scale agree on the time, which the multi-process
// pipeline relies on (the poller and the simulator must agree on what
// "early" means). scale must be >= 1; the default epoch is the moment of
// construction.
class ScaledClock : public Clock {
 public:
  explicit ScaledClock(double scale, absl::Time epoch = absl::Now(),
                       absl::Time start = absl::InfinitePast());
  absl::Time Now() const override;
  void SleepFor(absl::Duration d) override;
  absl::Duration ToReal(absl::Duration d) const override;
  double scale() const { return scale_; }

 private:
  const double scale_;
  const absl::Time epoch_;
  const absl::Time start_;
};

class ManualClock : public Clock {
 public:
  explicit ManualClock(absl::Time start) : now_(start) {}
  absl::Time Now() const override;
  void SleepFor(absl::Duration d) override;
  void SleepUntil(absl::Time t);
  absl::Duration ToReal(absl::Duration) const override { return absl::ZeroDuration(); }
  void Advance(absl::Duration d);
  void Set(absl::Time t);

 private:
  mutable absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sbrgate

#endif  // SBRGATE_PIPELINE_COMMON_CLOCK_H_
