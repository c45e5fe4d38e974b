// ResourcePath: finds files that ship beside sbrgate's binaries (XSDs,
// default configuration) as Bazel runfiles, so the same lookup works for
// `bazel run`, `bazel test`, tools/sbrgate and an installed copy.
//
//   absl::StatusOr<std::string> xsd =
//       ResourcePath("pipeline/sbr/ebms/schemas/envelope.xsd");
//
// Looks in $SBRGATE_RESOURCES (an installed tree), then $RUNFILES_DIR and
// $TEST_SRCDIR (under Bazel), then <this executable>.runfiles/sbrgate/.
#ifndef SBRGATE_PIPELINE_COMMON_RESOURCES_H_
#define SBRGATE_PIPELINE_COMMON_RESOURCES_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sbrgate {

absl::StatusOr<std::string> ResourcePath(absl::string_view workspace_relative);

}  // namespace sbrgate

#endif  // SBRGATE_PIPELINE_COMMON_RESOURCES_H_
