// NewUuid: a random (version 4) UUID, lower-case, for ids that must be
// unique (ebMS MessageIds and ConversationIds, lodgment and job ids, spool
// file names), not secret.
//
//   std::string id = NewUuid();  // "0f8fad5b-d9cb-469f-a165-70867728950e"
//
// Each thread draws from a generator of its own, seeded from the OS.
#ifndef SBRGATE_PIPELINE_PLATFORM_COMMON_UUID_H_
#define SBRGATE_PIPELINE_PLATFORM_COMMON_UUID_H_

#include <string>

namespace sbrgate {

std::string NewUuid();

}  // namespace sbrgate

#endif  // SBRGATE_PIPELINE_PLATFORM_COMMON_UUID_H_
