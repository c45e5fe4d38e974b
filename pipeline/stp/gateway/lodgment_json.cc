#include "pipeline/stp/gateway/lodgment_json.h"

#include "absl/time/time.h"
#include "pipeline/platform/common/proto_time.h"

namespace sbrgate::gateway {

using Json = nlohmann::ordered_json;

Json TimestampJson(const google::protobuf::Timestamp& t) {
  if (t.seconds() == 0 && t.nanos() == 0) return nullptr;
  return absl::FormatTime("%Y-%m-%d%ET%H:%M:%E*SZ", FromProto(t), absl::UTCTimeZone());
}

Json RecordErrorJson(const v1::RecordError& e) {
  return Json{{"code", e.code()},
              {"path", e.path()},
              {"description", e.description()},
              {"severity", e.severity()}};
}

Json RecordProblemJson(const v1::RecordProblem& p) {
  Json errors = Json::array();
  for (const v1::RecordError& e : p.errors()) errors.push_back(RecordErrorJson(e));
  return Json{{"document_id", p.document_id()},
              {"errors", std::move(errors)},
              {"payroll_id", p.payroll_id()},
              {"family_name", p.family_name()},
              {"tfn_masked", p.tfn_masked()}};
}

Json LodgmentJson(const v1::Lodgment& l) {
  auto problems = [](const auto& list) {
    Json out = Json::array();
    for (const v1::RecordProblem& p : list) out.push_back(RecordProblemJson(p));
    return out;
  };
  Json receipt = nullptr;
  if (l.has_receipt()) {
    receipt = Json{{"message_id", l.receipt().message_id()},
                   {"receipt_message_id", l.receipt().receipt_message_id()},
                   {"received_at", TimestampJson(l.receipt().received_at())}};
  }
  Json polls = Json::array();
  for (const v1::Poll& p : l.polls()) {
    polls.push_back(Json{{"at", TimestampJson(p.at())}, {"result", p.result()}});
  }
  Json lodgment_errors = Json::array();
  for (const v1::RecordError& e : l.lodgment_errors())
    lodgment_errors.push_back(RecordErrorJson(e));
  return Json{{"lodgment_id", l.lodgment_id()},
              {"state", v1::LodgmentState_Name(l.state())},
              {"kind", l.kind()},
              {"abn", l.abn()},
              {"wpn", l.wpn()},
              {"intermediary_abn", l.intermediary_abn()},
              {"intermediary_tan", l.intermediary_tan()},
              {"bms_id", l.bms_id()},
              {"interaction_transaction_id", l.interaction_transaction_id()},
              {"employees", l.employees()},
              {"employees_sent", l.employees_sent()},
              {"held_back", problems(l.held_back())},
              {"held_back_total", l.held_back_total()},
              {"rejected_records", problems(l.rejected_records())},
              {"rejected_records_total", l.rejected_records_total()},
              {"receipt", std::move(receipt)},
              {"polls", std::move(polls)},
              {"maximum_severity", l.maximum_severity()},
              {"message_id", l.message_id()},
              {"attempts", l.attempts()},
              {"corrects_lodgment_id", l.corrects_lodgment_id()},
              {"superseded_by", l.superseded_by()},
              {"created_at", TimestampJson(l.created_at())},
              {"updated_at", TimestampJson(l.updated_at())},
              {"detail", l.detail()},
              {"lodgment_errors", std::move(lodgment_errors)}};
}

Json RejectedRecordJson(const v1::RejectedRecord& r) {
  Json out = Json{{"lodgment_id", r.lodgment_id()}, {"abn", r.abn()}, {"held_back", r.held_back()}};
  const Json problem = RecordProblemJson(r.problem());
  for (const auto& item : problem.items()) out[item.key()] = item.value();
  return out;
}

}  // namespace sbrgate::gateway
