// CallerSlots: how many calls of one kind (uploads, watch streams) each
// caller has open, against a cap, so that one caller cannot hold every
// server thread. A slot is held for the life of its Slot.
//
//   CallerSlots uploads(8, "--max-uploads-per-caller");
//   absl::StatusOr<CallerSlots::Slot> slot = uploads.Take(caller.identity());
//   if (!slot.ok()) return rpc::ToGrpcStatus(slot.status());  // RESOURCE_EXHAUSTED
//
// Thread-safe.
#ifndef SBRGATE_PIPELINE_PLATFORM_RPC_CALLER_SLOTS_H_
#define SBRGATE_PIPELINE_PLATFORM_RPC_CALLER_SLOTS_H_

#include <map>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"

namespace sbrgate::rpc {

class CallerSlots {
 public:
  class Slot {
   public:
    Slot(Slot&& other) : owner_(std::exchange(other.owner_, nullptr)), caller_(other.caller_) {}
    Slot& operator=(Slot&&) = delete;
    ~Slot() {
      if (owner_ != nullptr) owner_->Release(caller_);
    }

   private:
    friend class CallerSlots;
    Slot(CallerSlots* owner, std::string caller) : owner_(owner), caller_(std::move(caller)) {}
    CallerSlots* owner_;
    std::string caller_;
  };

  // `cap` slots per caller; `cap_name` names the setting in errors.
  CallerSlots(int cap, std::string cap_name) : cap_(cap), cap_name_(std::move(cap_name)) {}

  // RESOURCE_EXHAUSTED when `caller` holds `cap` slots already.
  absl::StatusOr<Slot> Take(const std::string& caller) {
    absl::MutexLock lock(&mu_);
    int& held = held_[caller];
    if (held >= cap_) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "identity '", caller, "' has ", held, " such calls open; ", cap_name_, " is ", cap_));
    }
    ++held;
    return Slot(this, caller);
  }

 private:
  void Release(const std::string& caller) {
    absl::MutexLock lock(&mu_);
    if (--held_[caller] == 0) held_.erase(caller);
  }

  const int cap_;
  const std::string cap_name_;
  absl::Mutex mu_;
  std::map<std::string, int> held_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sbrgate::rpc

#endif  // SBRGATE_PIPELINE_PLATFORM_RPC_CALLER_SLOTS_H_
