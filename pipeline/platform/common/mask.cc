#include "pipeline/platform/common/mask.h"

namespace sbrgate {

std::string MaskIdentifier(absl::string_view id) {
  if (id.size() <= 3) return std::string(id.size(), '*');
  return std::string(id.size() - 3, '*') + std::string(id.substr(id.size() - 3));
}

}  // namespace sbrgate
