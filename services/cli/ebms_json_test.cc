#include "services/cli/ebms_json.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace sbrgate::cli {
namespace {

using Json = nlohmann::ordered_json;

TEST(InspectionToJsonTest, EmptyInvalidInspection) {
  ebms::Inspection i;
  i.problems = {"line 1: not well-formed XML: Start tag expected, '<' not found"};
  EXPECT_EQ(InspectionToJson(i), R"({
  "valid": false,
  "soap_version": null,
  "user_messages": [],
  "receipts": [],
  "errors": [],
  "pull_requests": [],
  "problems": [
    "line 1: not well-formed XML: Start tag expected, '<' not found"
  ]
})");
}

TEST(InspectionToJsonTest, EveryKind) {
  ebms::Inspection i;
  i.valid = true;
  i.soap_version = ebms::SoapVersion::kSoap12;
  ebms::UserMessage u;
  u.message_id = "m1@x";
  u.service = ebms::kServicePayevnt;
  u.action = ebms::kActionPayevntSubmit;
  u.parts = {ebms::PartInfo{"cid:a@x", {}}, ebms::PartInfo{}};
  i.messaging.user_messages = {u};
  u.message_id = "m2@x";
  u.ref_to_message_id = "m1@x";
  u.parts.clear();
  i.messaging.user_messages.push_back(u);
  i.messaging.receipts.push_back({"r1@ato", absl::UnixEpoch(), "m1@x", {{"#body", "sha", "AA=="}}});
  i.messaging.errors.push_back({"e1@ato",
                                absl::UnixEpoch(),
                                "",
                                {ebms::MakeError(ebms::kErrorValueNotRecognized, "m1@x"),
                                 ebms::MakeError(ebms::kErrorFailedAuthentication, "")}});
  i.messaging.errors.push_back(
      {"e2@ato",
       absl::UnixEpoch(),
       "",
       {ebms::MakeError(ebms::kErrorEmptyMessagePartitionChannel, "p1@x")}});
  i.messaging.pull_requests.push_back({"p1@x", absl::UnixEpoch(), "urn:mpc", "m1@x"});
  i.messaging.pull_requests.push_back({"p2@x", absl::UnixEpoch(), "", ""});

  const Json got = Json::parse(InspectionToJson(i));
  const Json want = Json::parse(R"({
    "valid": true, "soap_version": "1.2",
    "user_messages": [
      {"message_id": "m1@x", "ref_to_message_id": null,
       "service": "http://sbr.gov.au/ato/payevnt/2020", "action": "Submit.004.00", "parts": 2},
      {"message_id": "m2@x", "ref_to_message_id": "m1@x",
       "service": "http://sbr.gov.au/ato/payevnt/2020", "action": "Submit.004.00", "parts": 0}],
    "receipts": [{"message_id": "r1@ato", "ref_to_message_id": "m1@x"}],
    "errors": [
      {"code": "EBMS:0001", "severity": "failure", "ref_to_message_in_error": "m1@x"},
      {"code": "EBMS:0101", "severity": "failure", "ref_to_message_in_error": null},
      {"code": "EBMS:0006", "severity": "warning", "ref_to_message_in_error": "p1@x"}],
    "pull_requests": [{"message_id": "p1@x", "mpc": "urn:mpc"}, {"message_id": "p2@x", "mpc": null}],
    "problems": []})");
  EXPECT_EQ(got, want) << got.dump(2);
  // Key order is part of the format.
  std::vector<std::string> keys;
  for (auto it = got.begin(); it != got.end(); ++it) keys.push_back(it.key());
  EXPECT_THAT(keys, testing::ElementsAre("valid", "soap_version", "user_messages", "receipts",
                                         "errors", "pull_requests", "problems"));
}

TEST(InspectionToJsonTest, Soap11AndInvalidUtf8) {
  ebms::Inspection i;
  i.soap_version = ebms::SoapVersion::kSoap11;
  i.problems = {"line 3: bad byte \xff here"};
  const Json got = Json::parse(InspectionToJson(i));
  EXPECT_EQ(got["soap_version"], "1.1");
  EXPECT_EQ(got["problems"][0], "line 3: bad byte \xEF\xBF\xBD here");
}

}  // namespace
}  // namespace sbrgate::cli
