#include "pipeline/platform/rpc/status.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "proto/google/rpc/error_details.pb.h"
#include "proto/google/rpc/status.pb.h"

namespace sbrgate::rpc {
namespace {

// At most `limit` bytes, cut at a UTF-8 character boundary.
std::string Truncated(std::string text, size_t limit) {
  if (text.size() <= limit) return text;
  size_t cut = limit - 3;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  text.resize(cut);
  return text + "...";
}

}  // namespace

grpc::Status ToGrpcStatus(const absl::Status& status) { return ToGrpcStatus(status, {}); }

grpc::Status ToGrpcStatus(const absl::Status& status, const std::vector<FieldViolation>& violations,
                          absl::string_view rest_field) {
  const auto code = static_cast<grpc::StatusCode>(status.code());
  const std::string message = Truncated(std::string(status.message()), kMaxStatusMessageBytes);
  if (violations.empty()) return grpc::Status(code, message);
  google::rpc::BadRequest bad_request;
  size_t bytes = 0;
  for (size_t i = 0; i < violations.size(); ++i) {
    google::rpc::BadRequest::FieldViolation v;
    v.set_field(violations[i].field);
    v.set_description(Truncated(violations[i].description, kMaxStatusMessageBytes));
    bytes += v.ByteSizeLong() + 4;
    if (bytes > kMaxStatusDetailsBytes && i > 0) {
      google::rpc::BadRequest::FieldViolation* more = bad_request.add_field_violations();
      more->set_field(std::string(rest_field));
      more->set_description(absl::StrCat("and ", violations.size() - i, " more problems"));
      break;
    }
    *bad_request.add_field_violations() = std::move(v);
  }
  google::rpc::Status rich;
  rich.set_code(static_cast<int32_t>(code));
  rich.set_message(message);
  rich.add_details()->PackFrom(bad_request);
  return grpc::Status(code, message, rich.SerializeAsString());
}

}  // namespace sbrgate::rpc
