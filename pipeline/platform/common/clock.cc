#include "pipeline/platform/common/clock.h"

namespace sbrgate {

ScaledClock::ScaledClock(double scale, absl::Time epoch, absl::Time start)
    : scale_(scale < 1 ? 1 : scale),
      epoch_(epoch),
      start_(start == absl::InfinitePast() ? epoch : start) {}

absl::Time ScaledClock::Now() const { return start_ + (absl::Now() - epoch_) * scale_; }

void ScaledClock::SleepFor(absl::Duration d) { absl::SleepFor(ToReal(d)); }

absl::Duration ScaledClock::ToReal(absl::Duration d) const { return d / scale_; }

absl::Time ManualClock::Now() const {
  absl::MutexLock lock(&mu_);
  return now_;
}

void ManualClock::SleepFor(absl::Duration d) { SleepUntil(Now() + d); }

void ManualClock::SleepUntil(absl::Time until) {
  absl::MutexLock lock(&mu_);
  auto reached = [this, until]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return now_ >= until; };
  mu_.Await(absl::Condition(&reached));
}

void ManualClock::Advance(absl::Duration d) {
  absl::MutexLock lock(&mu_);
  now_ += d;
}

void ManualClock::Set(absl::Time t) {
  absl::MutexLock lock(&mu_);
  now_ = t;
}

}  // namespace sbrgate
