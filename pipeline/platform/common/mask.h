// MaskIdentifier: an identifier that must not travel whole (a TFN) as it
// may appear in reports, logs, errors and topic values: only its last three
// characters show.
//
//   MaskIdentifier("123456782") == "******782"
#ifndef SBRGATE_PIPELINE_PLATFORM_COMMON_MASK_H_
#define SBRGATE_PIPELINE_PLATFORM_COMMON_MASK_H_

#include <string>

#include "absl/strings/string_view.h"

namespace sbrgate {

std::string MaskIdentifier(absl::string_view id);

}  // namespace sbrgate

#endif  // SBRGATE_PIPELINE_PLATFORM_COMMON_MASK_H_
