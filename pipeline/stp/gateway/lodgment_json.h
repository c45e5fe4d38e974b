// JSON renderings of the gateway's messages, shared by `sbrgate` (--json
// output) and tests that check what a lodgment looks like to its users.
//
//   nlohmann::ordered_json j = LodgmentJson(lodgment);
//   std::cout << j.dump() << "\n";
//   // {"lodgment_id": "...", "state": "PARTIALLY_ACCEPTED", "employees": 40,
//   //  "employees_sent": 38, "held_back": [{"document_id": "1.7", "errors":
//   //  [{"code": "...", "path": "...", "description": "..."}]}], "receipt":
//   //  {"message_id": "...", "received_at": "2024-07-15T01:02:03Z"} or null,
//   //  "polls": [{"at": "...", "result": "nothing-yet"}], ...}
//
// States are enum names; times are RFC 3339 in UTC, null when unset.
#ifndef SBRGATE_PIPELINE_GATEWAY_LODGMENT_JSON_H_
#define SBRGATE_PIPELINE_GATEWAY_LODGMENT_JSON_H_

#include <nlohmann/json.hpp>

#include "google/protobuf/timestamp.pb.h"
#include "proto/lodgment.pb.h"

namespace sbrgate::gateway {

// RFC 3339 UTC ("2024-07-15T01:02:03Z", fractions only when present), or
// null for an unset (zero) timestamp.
nlohmann::ordered_json TimestampJson(const google::protobuf::Timestamp& t);

// {"code", "path", "description", "severity"}
nlohmann::ordered_json RecordErrorJson(const v1::RecordError& e);

// {"document_id", "errors": [...], "payroll_id", "family_name", "tfn_masked"}
nlohmann::ordered_json RecordProblemJson(const v1::RecordProblem& p);

// Every field of the lodgment: lodgment_id, state, kind, abn, bms_id,
// interaction_transaction_id, employees, employees_sent, held_back,
// rejected_records, receipt, polls, maximum_severity, message_id, attempts,
// corrects_lodgment_id, superseded_by, created_at, updated_at, detail,
// lodgment_errors.
nlohmann::ordered_json LodgmentJson(const v1::Lodgment& l);

// {"lodgment_id", "abn", "held_back", then RecordProblemJson's keys}
nlohmann::ordered_json RejectedRecordJson(const v1::RejectedRecord& r);

}  // namespace sbrgate::gateway

#endif  // SBRGATE_PIPELINE_GATEWAY_LODGMENT_JSON_H_
