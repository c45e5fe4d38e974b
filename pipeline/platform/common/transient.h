// IsTransient: the one rule for whether a failure may pass by itself, so the
// same work should be tried again later (a stage holds the record, the job
// stage waits, the submit stage resends the same MessageId): Unavailable
// (the other side, or the way to it, is down) and DeadlineExceeded (it did
// not answer in time). Every other error is an answer, and repeating the
// same request would get the same one.
//
//   if (IsTransient(pushed)) return Retry(later);
#ifndef SBRGATE_PIPELINE_COMMON_TRANSIENT_H_
#define SBRGATE_PIPELINE_COMMON_TRANSIENT_H_

#include "absl/status/status.h"

namespace sbrgate {

bool IsTransient(const absl::Status& status);

}  // namespace sbrgate

#endif  // SBRGATE_PIPELINE_COMMON_TRANSIENT_H_
