// `sbrgate ebms inspect` run in process, on envelopes of our own and on the
// interop fixtures of another implementation (third_party/testdata/ebms3).
#include "services/cli/ebms_command.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "pipeline/sbr/ebms/envelope_writer.h"

namespace sbrgate::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

struct Outcome {
  int status;
  std::string out;
  std::string err;
};

Outcome Ebms(const std::vector<std::string>& args) {
  std::ostringstream out, err;
  const int status = RunEbmsCommand(args, out, err);
  return {status, out.str(), err.str()};
}

std::string TempFile(const std::string& name, const std::string& content) {
  const char* dir = std::getenv("TEST_TMPDIR");
  const std::string path = absl::StrCat(dir ? dir : "/tmp", "/", name);
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

std::string FixturePath(const std::string& name) {
  return absl::StrCat(std::getenv("TEST_SRCDIR"), "/sbrgate/third_party/testdata/ebms3/interop/",
                      name);
}

std::string ValidEnvelope() {
  ebms::Envelope e;
  ebms::UserMessage& m = e.messaging.user_messages.emplace_back();
  m.message_id = "m1@sbrgate";
  m.timestamp = absl::FromUnixSeconds(1719720000);
  m.from = {"53004085616", ebms::kPartyTypeAbn, ebms::kRoleBusiness};
  m.to = {ebms::kAtoAbn, ebms::kPartyTypeAbn, ebms::kRoleAgency};
  m.service = ebms::kServicePayevnt;
  m.action = ebms::kActionPayevntSubmit;
  m.conversation_id = "c1";
  m.parts.push_back({"cid:payevnt@sbrgate", {}});
  return ebms::WriteEnvelope(e).value();
}

TEST(RunEbmsCommandTest, JsonForValidEnvelope) {
  const Outcome r = Ebms({"inspect", TempFile("ok.xml", ValidEnvelope()), "--json"});
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.err, "");
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["valid"], true);
  EXPECT_EQ(j["soap_version"], "1.2");
  ASSERT_EQ(j["user_messages"].size(), 1u);
  EXPECT_EQ(j["user_messages"][0]["message_id"], "m1@sbrgate");
  EXPECT_EQ(j["user_messages"][0]["ref_to_message_id"], nullptr);
  EXPECT_EQ(j["user_messages"][0]["action"], "Submit.004.00");
  EXPECT_EQ(j["user_messages"][0]["parts"], 1);
  EXPECT_EQ(j["problems"].size(), 0u);
}

TEST(RunEbmsCommandTest, JsonForInvalidFixture) {
  const Outcome r = Ebms({"--json", "inspect", FixturePath("soap11test-NoMessaging.xml")});
  EXPECT_EQ(r.status, 1);
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["valid"], false);
  EXPECT_EQ(j["soap_version"], nullptr);
  ASSERT_GE(j["problems"].size(), 1u);
  EXPECT_THAT(j["problems"][0].get<std::string>(), HasSubstr("not a SOAP envelope"));
}

TEST(RunEbmsCommandTest, JsonForBundledFixture) {
  const Outcome r = Ebms({"inspect", FixturePath("soap11test-BundledMessage.xml"), "--json"});
  EXPECT_EQ(r.status, 0);
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["valid"], true);
  EXPECT_EQ(j["soap_version"], "1.1");
  EXPECT_EQ(j["user_messages"].size(), 1u);
  EXPECT_EQ(j["user_messages"][0]["parts"], 1);
  EXPECT_EQ(j["errors"].size(), 2u);
  EXPECT_EQ(j["errors"][1]["code"], "0101");
  EXPECT_EQ(j["pull_requests"][0]["mpc"], "http://msh.example.com/mpc123");
}

TEST(RunEbmsCommandTest, ReadableSummary) {
  const Outcome r = Ebms({"inspect", FixturePath("soap11test-BundledMessage.xml")});
  EXPECT_EQ(r.status, 0);
  EXPECT_THAT(r.out, StartsWith(absl::StrCat(FixturePath("soap11test-BundledMessage.xml"),
                                             ": valid ebMS3 message (SOAP 1.1)\n")));
  EXPECT_THAT(r.out, HasSubstr("user message UUID-1@requester.example.com\n"));
  EXPECT_THAT(r.out, HasSubstr("  service: QuoteToCollect\n"));
  EXPECT_THAT(r.out, HasSubstr("  parts:   1\n    cid:foo@example.com\n"));
  EXPECT_THAT(r.out, HasSubstr("error signal UUID-2@receiver.example.com\n"
                               "  EBMS:0001 failure, for UUID-1@sender.example.com: Value not "
                               "recognized\n"));
  EXPECT_THAT(r.out, HasSubstr("pull request UUID-2@initiator.example.com on mpc "
                               "http://msh.example.com/mpc123\n"));
  EXPECT_THAT(r.out, testing::Not(HasSubstr("problem")));

  const Outcome bad =
      Ebms({"inspect", FixturePath("soap11test-MessageInfoImaginaryTimestamp.xml")});
  EXPECT_EQ(bad.status, 1);
  EXPECT_THAT(bad.out, HasSubstr(": INVALID ebMS3 message (SOAP 1.1)\n"));
  EXPECT_THAT(bad.out, HasSubstr("problem(s):\n  line 28: "));
  EXPECT_THAT(bad.out, HasSubstr("'2006-30-30T30:99:99' is not a real date and time"));
}

TEST(RunEbmsCommandTest, UsageErrors) {
  EXPECT_THAT(Ebms({}).err, HasSubstr("missing command"));
  EXPECT_EQ(Ebms({}).status, 2);
  EXPECT_THAT(Ebms({"inspect"}).err, HasSubstr("missing FILE"));
  EXPECT_EQ(Ebms({"inspect"}).status, 2);
  EXPECT_THAT(Ebms({"frobnicate", "x.xml"}).err, HasSubstr("unknown command 'frobnicate'"));
  EXPECT_EQ(Ebms({"frobnicate", "x.xml"}).status, 2);
  EXPECT_THAT(Ebms({"inspect", "a.xml", "b.xml"}).err, HasSubstr("unexpected argument 'b.xml'"));
  EXPECT_EQ(Ebms({"inspect", "a.xml", "b.xml"}).status, 2);
  const Outcome r = Ebms({"inspect", "a.xml", "--verbose"});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(
      r.err,
      "sbrgate ebms: unknown option '--verbose'\nusage: sbrgate ebms inspect FILE [--json]\n");
  EXPECT_EQ(r.out, "");
  // With --json anywhere, errors are JSON.
  const Outcome j = Ebms({"inspect", "a.xml", "b.xml", "--json"});
  EXPECT_EQ(j.status, 2);
  EXPECT_EQ(nlohmann::json::parse(j.err)["error"]["code"], "usage");
}

TEST(RunEbmsCommandTest, Help) {
  const Outcome r = Ebms({"--help"});
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.out, "usage: sbrgate ebms inspect FILE [--json]\n");
}

TEST(RunEbmsCommandTest, MissingFile) {
  const Outcome r = Ebms({"inspect", "/nonexistent/envelope.xml", "--json"});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.out, "");
  const nlohmann::json j = nlohmann::json::parse(r.err);
  EXPECT_EQ(j["error"]["code"], "not_found");
  EXPECT_THAT(j["error"]["message"].get<std::string>(),
              HasSubstr("/nonexistent/envelope.xml: No such file or directory"));
}

TEST(RunEbmsCommandTest, RefusesFilesOver64MiB) {
  const std::string path = TempFile("huge.xml", "");
  ASSERT_EQ(::truncate(path.c_str(), (64ll << 20) + 1), 0);
  const Outcome r = Ebms({"inspect", path});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(r.err, HasSubstr("67108865 bytes is over the 64 MiB limit"));
}

TEST(RunEbmsCommandTest, EmptyFileIsInvalid) {
  const Outcome r = Ebms({"inspect", TempFile("empty.xml", ""), "--json"});
  EXPECT_EQ(r.status, 1);
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["valid"], false);
  EXPECT_EQ(j["problems"].size(), 1u);
}

}  // namespace
}  // namespace sbrgate::cli
