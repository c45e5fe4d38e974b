// FieldViolation: one broken rule of a request, named by the field it is
// about; what request checks produce and what a google.rpc.BadRequest
// carries (pipeline/platform/rpc/status.h puts them on the wire).
//
//   std::vector<FieldViolation> v;
//   v.push_back({"clients[3].value", "TFN check digit is wrong"});
#ifndef SBRGATE_PIPELINE_COMMON_FIELD_VIOLATION_H_
#define SBRGATE_PIPELINE_COMMON_FIELD_VIOLATION_H_

#include <string>

namespace sbrgate {

struct FieldViolation {
  std::string field;        // e.g. "clients[3].value", "record 1.7 /tns:PAYEVNTEMP/..."
  std::string description;  // e.g. "TFN check digit is wrong"
};

}  // namespace sbrgate

#endif  // SBRGATE_PIPELINE_COMMON_FIELD_VIOLATION_H_
