// ICS client registration (seed 004) across real processes: the sandbox
// daemon (sbrgated-sandbox --embedded-sim) serves the
// ClientRegistrationService over mutual TLS with an access file, in front of
// the SBR2 simulator's ICS register, seeded at every start from a file
// (--sim-seed-ics). Every CLREG rule is tried at its edge over gRPC: those sbrgate
// checks before sending (INVALID_ARGUMENT naming the field) and those only
// the ATO can (the outcome REJECTED or DUPLICATE); and `sbrgate ics
// register` from the command line. Restarted on its data directory (and
// seeded again), the register still holds what was registered, once.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/platform/common/testing/run_program.h"
#include "pipeline/sbr/identifiers/check_digits.h"
#include "pipeline/sim/dev_pki/dev_pki.h"
#include "proto/google/rpc/error_details.pb.h"
#include "proto/google/rpc/status.pb.h"
#include "proto/ics.grpc.pb.h"
#include "tests/process.h"

namespace sbrgate {
namespace {

using ::sbrgate::testing::JsonField;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Response = v1::RegisterClientResponse;

constexpr char kPractice[] = "51824753556";
constexpr char kRan[] = "12345678";
constexpr char kOtherPractice[] = "83914571641";  // a registrant too, with OWNER only

// ABNs on the simulator's list.
const std::string kThreeCacs = identifiers::MakeValidAbn(401);  // CAC 1 invalid, 2 and 3 valid
const std::string kTwoCacs = identifiers::MakeValidAbn(402);    // CACs 1 and 2 valid
const std::string kNoValidCac = identifiers::MakeValidAbn(403);
const std::string kCancelled = identifiers::MakeValidAbn(404);  // registered, then cancelled
const std::string kActive = identifiers::MakeValidAbn(405);     // registered, active
const std::string kUnlisted = identifiers::MakeValidAbn(406);
const std::string kRestart = identifiers::MakeValidAbn(407);

nlohmann::json AddressJson(const std::string& line1) {
  return {{"type", "BUSINESS"}, {"lines", {line1}},   {"locality", "Sydney"},
          {"state", "NSW"},     {"postcode", "2000"}, {"country", "AU"}};
}

nlohmann::json Cac(int number, bool valid, const std::string& line1) {
  return {{"number", number}, {"valid", valid}, {"address", AddressJson(line1)}};
}

v1::IcsAddress Address(const std::string& line1) {
  v1::IcsAddress a;
  a.set_type("BUSINESS");
  a.add_lines(line1);
  a.set_locality("Sydney");
  a.set_state("NSW");
  a.set_postcode("2000");
  a.set_country("AU");
  return a;
}

// Contact, roles and practice, as every type needs them.
v1::RegisterClientRequest Base() {
  v1::RegisterClientRequest r;
  r.mutable_agent()->set_agent_abn(kPractice);
  r.mutable_agent()->set_ran(kRan);
  r.mutable_agent()->set_user_id("alice");
  r.mutable_contact()->set_name("Pat Contact");
  r.mutable_contact()->add_address("02 9000 0000");
  r.add_role_names("IMPORTER");
  return r;
}

// The minimum data of an individual: no contact purpose, no country.
v1::RegisterClientRequest Ind(const std::string& family, const std::string& line1) {
  v1::RegisterClientRequest r = Base();
  v1::CcidRegistration* c = r.mutable_ccid();
  c->set_client_type(v1::IcsClient::IND);
  c->set_family_name(family);
  c->mutable_business_address()->set_type("BUSINESS");
  c->mutable_business_address()->add_lines(line1);
  return r;
}

v1::RegisterClientRequest Org(const std::string& name, const v1::IcsAddress& address) {
  v1::RegisterClientRequest r = Base();
  r.mutable_ccid()->set_client_type(v1::IcsClient::ORG);
  r.mutable_ccid()->set_organisation_name(name);
  *r.mutable_ccid()->mutable_business_address() = address;
  r.mutable_contact()->set_purpose("GENERAL");
  return r;
}

v1::RegisterClientRequest Abn(const std::string& abn, int cac = 0) {
  v1::RegisterClientRequest r = Base();
  r.mutable_abn()->set_abn(abn);
  r.mutable_abn()->set_cac(cac);
  r.mutable_contact()->set_purpose("GENERAL");
  return r;
}

std::vector<std::string> BadRequestFields(const grpc::Status& s) {
  std::vector<std::string> fields;
  google::rpc::Status rich;
  if (!rich.ParseFromString(s.error_details())) return fields;
  for (const google::protobuf::Any& any : rich.details()) {
    google::rpc::BadRequest bad;
    if (!any.UnpackTo(&bad)) continue;
    for (const auto& v : bad.field_violations()) fields.push_back(v.field());
  }
  return fields;
}

class IcsE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(absl::StrCat(::testing::TempDir(), "/ics-e2e"));
    ASSERT_EQ(std::system(absl::StrCat("rm -rf ", *dir_, " && mkdir -p ", *dir_).c_str()), 0);
    auto pki = pki::MakeDevPki(*dir_ + "/pki");
    ASSERT_TRUE(pki.ok()) << pki.status();
    pki_ = new pki::DevPki(*pki);
    for (const char* name : {"alice", "ops", "payroll-a"}) {
      ASSERT_TRUE(pki::IssueClientCert(*pki_, *dir_ + "/pki", name).ok()) << name;
    }
    std::ofstream(*dir_ + "/access") << "alice,practice," << kPractice << ":" << kRan << "\n"
                                     << "ops,operator,*\n"
                                     << "payroll-a,payroll," << kActive << "\n";
    log_ = new std::string(*dir_ + "/daemon.log");
    std::ofstream(*dir_ + "/ics-seed.json") << Seed().dump();
    StartDaemon();
  }

  static void TearDownTestSuite() { delete daemon_; }

  static void StartDaemon() {
    delete daemon_;
    daemon_ = testing::StartOrFail(
        "services/sbrgated/sbrgated-sandbox",
        {"--embedded-sim", "--grpc-listen=127.0.0.1:0", "--data-dir=" + *dir_ + "/data",
         "--instance-id=ics", "--grpc-cert=" + pki_->server_cert, "--grpc-key=" + pki_->server_key,
         "--grpc-client-ca=" + pki_->ca_cert, "--access=" + *dir_ + "/access",
         "--sim-seed-ics=" + *dir_ + "/ics-seed.json"},
        *log_);
    const std::string ready = testing::ReadyLineOrFail(daemon_, *log_);
    grpc_ = JsonField(ready, "grpc");
    sim_admin_ = JsonField(ready, "sim_admin");
  }

  // The practices' roles, the ABN list and the clients ICS already holds:
  // the simulator takes it at every start (--sim-seed-ics).
  static nlohmann::json Seed() {
    return {
        {"registrants",
         {{{"agent_abn", kPractice}, {"role_names", {"IMPORTER", "EXPORTER", "CUSTOMS_BROKER"}}},
          {{"agent_abn", kOtherPractice}, {"role_names", {"OWNER"}}}}},
        {"abns",
         {{{"abn", kThreeCacs},
           {"name", "Wattle Freight Pty Ltd"},
           {"cacs",
            {Cac(1, false, "1 Old Rd"), Cac(2, true, "2 Wharf St"), Cac(3, true, "3 Quay Rd")}}},
          {{"abn", kTwoCacs},
           {"name", "Harbour Cargo Pty Ltd"},
           {"cacs", {Cac(1, true, "1 Dock St"), Cac(2, true, "2 Dock St")}}},
          {{"abn", kNoValidCac}, {"name", "Granite Lines"}, {"cacs", {Cac(1, false, "x")}}},
          {{"abn", kCancelled},
           {"name", "Redgum Traders Pty Ltd"},
           {"cancelled", true},
           {"cacs", {Cac(1, true, "9 Pier St")}}},
          {{"abn", kActive},
           {"name", "Banksia Imports Pty Ltd"},
           {"cacs", {Cac(1, true, "7 Pier St")}}},
          {{"abn", kRestart}, {"name", "Coastal Co"}, {"cacs", {Cac(1, true, "5 Pier St")}}}}},
        {"clients",
         {{{"type", "IND"}, {"name", "Mei Nguyen"}, {"address", AddressJson("1 Wharf St")}},
          {{"type", "ABN"}, {"abn", kCancelled}},
          {{"type", "ABN"}, {"abn", kActive}}}}};
  }

  // A channel presenting `identity`'s certificate.
  static std::unique_ptr<v1::ClientRegistrationService::Stub> As(const std::string& identity) {
    grpc::SslCredentialsOptions tls;
    tls.pem_root_certs = *ReadFileToString(pki_->ca_cert);
    tls.pem_cert_chain = *ReadFileToString(*dir_ + "/pki/" + identity + ".pem");
    tls.pem_private_key = *ReadFileToString(*dir_ + "/pki/" + identity + ".key");
    return v1::ClientRegistrationService::NewStub(
        grpc::CreateChannel(grpc_, grpc::SslCredentials(tls)));
  }

  static grpc::Status Call(const v1::RegisterClientRequest& r, Response* out,
                           const std::string& identity = "alice") {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    return As(identity)->Register(&context, r, out);
  }

  // Sent and answered by the ATO.
  static Response Answered(const v1::RegisterClientRequest& r,
                           const std::string& identity = "alice") {
    Response out;
    const grpc::Status s = Call(r, &out, identity);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  // Refused by sbrgate before sending: the fields named.
  static std::vector<std::string> Refused(const v1::RegisterClientRequest& r) {
    Response out;
    const grpc::Status s = Call(r, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
    return BadRequestFields(s);
  }

  // (code, field) of the ATO's errors.
  static std::vector<std::pair<std::string, std::string>> Rejected(
      const v1::RegisterClientRequest& r) {
    const Response out = Answered(r);
    EXPECT_EQ(out.outcome(), Response::REJECTED) << out.DebugString();
    std::vector<std::pair<std::string, std::string>> errors;
    for (const v1::RegistrationError& e : out.errors()) errors.emplace_back(e.code(), e.field());
    return errors;
  }

  static nlohmann::json SimStats() {
    auto res = httplib::Client(sim_admin_).Get("/admin/stats");
    return res && res->status == 200 ? nlohmann::json::parse(res->body) : nlohmann::json();
  }

  static inline std::string* dir_ = nullptr;
  static inline std::string* log_ = nullptr;
  static inline pki::DevPki* pki_ = nullptr;
  static inline testing::Process* daemon_ = nullptr;
  static inline std::string grpc_;
  static inline std::string sim_admin_;
};

TEST_F(IcsE2eTest, PracticesRegisterForThemselvesAndOperatorsForAnyPracticeAudited) {
  v1::RegisterClientRequest own = Ind("Kelly", "11 Quay Rd");
  own.clear_agent();  // alice's own practice
  Response out = Answered(own);
  ASSERT_EQ(out.outcome(), Response::REGISTERED) << out.DebugString();
  EXPECT_EQ(out.client().type(), v1::IcsClient::IND);
  EXPECT_THAT(out.client().client_id(), ::testing::StartsWith("CC"));
  EXPECT_THAT(out.message_id(), HasSubstr("@"));

  v1::RegisterClientRequest other = Ind("Kelly", "12 Quay Rd");
  other.mutable_agent()->set_agent_abn(kOtherPractice);
  EXPECT_EQ(Call(other, &out).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Call(Ind("Kelly", "13 Quay Rd"), &out, "payroll-a").error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  // An operator names the practice, sending as it (its ABN: no RAN given).
  other.mutable_agent()->clear_ran();
  other.set_role_names(0, "OWNER");
  EXPECT_EQ(Answered(other, "ops").outcome(), Response::REGISTERED);
  v1::RegisterClientRequest nobody = Ind("Kelly", "14 Quay Rd");
  nobody.clear_agent();
  EXPECT_EQ(Call(nobody, &out, "ops").error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  std::ifstream in(*dir_ + "/data/audit.log");
  std::vector<std::string> audited;
  for (std::string line; std::getline(in, line);) {
    const nlohmann::json e = nlohmann::json::parse(line);
    if (e["action"] == "ics.register") {
      audited.push_back(absl::StrCat(e["identity"].get<std::string>(), " ",
                                     e["allowed"].get<bool>() ? "allowed" : "denied"));
    }
  }
  EXPECT_THAT(audited, Contains("alice allowed"));
  EXPECT_THAT(audited, Contains("alice denied"));
  EXPECT_THAT(audited, Contains("payroll-a denied"));
  EXPECT_THAT(audited, Contains("ops allowed"));
}

TEST_F(IcsE2eTest, TheMinimumDataOfAnIndividual) {
  EXPECT_EQ(Answered(Ind("Singh", "21 Quay Rd")).outcome(), Response::REGISTERED);
  EXPECT_THAT(Refused(Ind("", "22 Quay Rd")), ElementsAre("ccid.family_name"));
  v1::RegisterClientRequest r = Ind("Singh", "23 Quay Rd");
  r.mutable_ccid()->mutable_business_address()->clear_type();
  EXPECT_THAT(Refused(r), ElementsAre("ccid.business_address.type"));
  r = Ind("Singh", "");
  EXPECT_THAT(Refused(r), ElementsAre("ccid.business_address.lines[0]"));
  r = Ind("Singh", "24 Quay Rd");
  r.mutable_contact()->clear_name();
  EXPECT_THAT(Refused(r), ElementsAre("contact.name"));
}

TEST_F(IcsE2eTest, TheMinimumDataOfAnOrganisation) {
  EXPECT_EQ(Answered(Org("Eucalypt Shipping", Address("31 Quay Rd"))).outcome(),
            Response::REGISTERED);
  EXPECT_THAT(Refused(Org("", Address("32 Quay Rd"))), ElementsAre("ccid.organisation_name"));
  v1::IcsAddress no_country = Address("33 Quay Rd");
  no_country.clear_country();
  EXPECT_THAT(Refused(Org("Eucalypt Shipping", no_country)),
              ElementsAre("ccid.business_address.country"));
  v1::RegisterClientRequest r = Org("Eucalypt Shipping", Address("34 Quay Rd"));
  r.mutable_contact()->clear_purpose();
  EXPECT_THAT(Refused(r), ElementsAre("contact.purpose"));
}

TEST_F(IcsE2eTest, TheMinimumDataOfAnAbnAndItsCheckDigit) {
  v1::RegisterClientRequest r = Abn(kTwoCacs);
  r.mutable_contact()->clear_purpose();
  EXPECT_THAT(Refused(r), ElementsAre("contact.purpose"));
  EXPECT_THAT(Refused(Abn(identifiers::BreakAbnCheckDigit(kTwoCacs, 1))), ElementsAre("abn.abn"));
  EXPECT_THAT(Refused(Abn("")), ElementsAre("abn.abn"));
}

TEST_F(IcsE2eTest, OneToSixContactAddressElements) {
  v1::RegisterClientRequest r = Ind("Taylor", "41 Quay Rd");
  r.mutable_contact()->clear_address();
  EXPECT_THAT(Refused(r), ElementsAre("contact.address"));
  for (int i = 0; i < 6; ++i) r.mutable_contact()->add_address(absl::StrCat("element ", i));
  EXPECT_EQ(Answered(r).outcome(), Response::REGISTERED);
  r = Ind("Taylor", "42 Quay Rd");
  for (int i = 0; i < 6; ++i) r.mutable_contact()->add_address(absl::StrCat("element ", i));
  EXPECT_THAT(Refused(r), ElementsAre("contact.address"));  // 7
}

TEST_F(IcsE2eTest, ACcidOrAnAbnNeverBothNorNeither) {
  v1::RegisterClientRequest both = Ind("Wilson", "51 Quay Rd");
  *both.mutable_abn() = Abn(kTwoCacs).abn();
  both.mutable_contact()->set_purpose("GENERAL");
  EXPECT_THAT(Refused(both), ElementsAre("ccid"));
  EXPECT_THAT(Refused(Base()), ElementsAre("ccid"));
}

TEST_F(IcsE2eTest, RoleNamesFromTheListThatTheUserMayGive) {
  v1::RegisterClientRequest r = Ind("Brown", "61 Quay Rd");
  r.set_role_names(0, "PIRATE");
  EXPECT_THAT(Refused(r), ElementsAre("role_names[0]"));  // Invalid Role name
  r.clear_role_names();
  EXPECT_THAT(Refused(r), ElementsAre("role_names"));
  r.add_role_names("IMPORTER");
  r.add_role_names("AIRLINE");  // known, but not this practice's to give
  EXPECT_THAT(Rejected(r), ElementsAre(std::pair("CMN.ATO.CLREG.000012", "role_names[1]")));
  r.set_role_names(1, "CUSTOMS_BROKER");
  EXPECT_EQ(Answered(r).outcome(), Response::REGISTERED);
}

TEST_F(IcsE2eTest, AnAbnRegistersOnceFromItsLowestValidCac) {
  Response out = Answered(Abn(kThreeCacs));
  ASSERT_EQ(out.outcome(), Response::REGISTERED) << out.DebugString();
  EXPECT_EQ(out.client().client_id(), kThreeCacs);
  EXPECT_EQ(out.client().name(), "Wattle Freight Pty Ltd");
  EXPECT_EQ(out.cac(), 2);  // CAC 1 is not valid
  EXPECT_EQ(out.client().address().lines(0), "2 Wharf St");

  out = Answered(Abn(kThreeCacs));
  ASSERT_EQ(out.outcome(), Response::REJECTED);
  EXPECT_EQ(out.errors(0).code(), "CMN.ATO.CLREG.000011");
  EXPECT_THAT(out.errors(0).message(), HasSubstr("ABN already registered"));
  EXPECT_THAT(Rejected(Abn(kActive)), ElementsAre(std::pair("CMN.ATO.CLREG.000011", "abn.abn")));
}

TEST_F(IcsE2eTest, ANamedCacIsUsedWhereTheAbnHasMoreThanOne) {
  EXPECT_THAT(Rejected(Abn(kTwoCacs, 3)),
              ElementsAre(std::pair("CMN.ATO.CLREG.000014", "abn.cac")));
  EXPECT_THAT(Rejected(Abn(kNoValidCac)),
              ElementsAre(std::pair("CMN.ATO.CLREG.000014", "abn.cac")));
  const Response out = Answered(Abn(kTwoCacs, 2));
  ASSERT_EQ(out.outcome(), Response::REGISTERED) << out.DebugString();
  EXPECT_EQ(out.cac(), 2);  // not the lowest, 1
  EXPECT_EQ(out.client().address().lines(0), "2 Dock St");
}

TEST_F(IcsE2eTest, AnAbnOffTheListOrCancelledIsInvalid) {
  EXPECT_THAT(Rejected(Abn(kUnlisted)), ElementsAre(std::pair("CMN.ATO.CLREG.000010", "abn.abn")));
  const std::vector<std::pair<std::string, std::string>> cancelled = Rejected(Abn(kCancelled));
  EXPECT_THAT(cancelled,
              Contains(std::pair<std::string, std::string>("CMN.ATO.CLREG.000015", "abn.abn")));
}

TEST_F(IcsE2eTest, ANameAndAddressMatchIsADuplicateListingTheMatches) {
  v1::RegisterClientRequest mei = Ind("Nguyen", "1 Wharf St");
  mei.mutable_ccid()->set_given_names("Mei");
  *mei.mutable_ccid()->mutable_business_address() = Address("1 Wharf St");
  Response out = Answered(mei);
  ASSERT_EQ(out.outcome(), Response::DUPLICATE) << out.DebugString();
  ASSERT_EQ(out.duplicates_size(), 1);
  EXPECT_EQ(out.duplicates(0).name(), "Mei Nguyen");
  EXPECT_EQ(out.duplicates(0).address().lines(0), "1 Wharf St");

  // One character apart is not a match.
  *mei.mutable_ccid()->mutable_business_address() = Address("1 Wharf Rd");
  EXPECT_EQ(Answered(mei).outcome(), Response::REGISTERED);

  // An active ABN's client blocks a CCID of its name and address.
  out = Answered(Org("Banksia Imports Pty Ltd", Address("7 Pier St")));
  ASSERT_EQ(out.outcome(), Response::DUPLICATE) << out.DebugString();
  EXPECT_EQ(out.duplicates(0).client_id(), kActive);
  EXPECT_EQ(out.duplicates(0).status(), v1::IcsClient::ACTIVE);
}

TEST_F(IcsE2eTest, ACcidMatchingACancelledAbnProceeds) {
  const Response out = Answered(Org("Redgum Traders Pty Ltd", Address("9 Pier St")));
  ASSERT_EQ(out.outcome(), Response::REGISTERED) << out.DebugString();
  EXPECT_EQ(out.client().type(), v1::IcsClient::ORG);
  EXPECT_THAT(out.client().client_id(), ::testing::StartsWith("CC"));
}

TEST_F(IcsE2eTest, TheCommandLineRegistersAndReportsDuplicates) {
  const std::vector<std::string> tls = {
      "--gateway=" + grpc_, "--tls-cert=" + *dir_ + "/pki/alice.pem",
      "--tls-key=" + *dir_ + "/pki/alice.key", "--tls-ca=" + pki_->ca_cert};
  std::vector<std::string> args = tls;
  for (const char* a : {"ics", "register", "--type=org", "--org-name=Outback Haulage",
                        "--country=AU", "--address-type=BUSINESS", "--address-line=71 Quay Rd",
                        "--contact-name=Pat", "--contact-purpose=GENERAL",
                        "--contact-address=02 9000 0000", "--role=importer,exporter", "--json"}) {
    args.push_back(a);
  }
  testing::ProgramResult r = testing::RunProgram(testing::SbrgateBinary(), args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json out = nlohmann::json::parse(r.out);
  EXPECT_EQ(out["outcome"], "REGISTERED");
  const std::string id = out["client"]["client_id"];

  r = testing::RunProgram(testing::SbrgateBinary(), args);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  out = nlohmann::json::parse(r.out);
  EXPECT_EQ(out["outcome"], "DUPLICATE");
  EXPECT_EQ(out["duplicates"][0]["client_id"], id);

  args = tls;
  for (const char* a : {"ics", "register", "--type=abn", "--client-abn=1", "--contact-name=Pat",
                        "--contact-address=x", "--role=importer", "--json"}) {
    args.push_back(a);
  }
  r = testing::RunProgram(testing::SbrgateBinary(), args);
  EXPECT_EQ(r.exit_code, 1);
  const nlohmann::json err = nlohmann::json::parse(r.err)["error"];
  EXPECT_EQ(err["code"], "INVALID_ARGUMENT");
  std::vector<std::string> fields;
  for (const auto& d : err["details"]) fields.push_back(d["field"]);
  EXPECT_THAT(fields, ElementsAre("abn.abn", "contact.purpose"));
}

// Last: it restarts the daemon and its simulator.
TEST_F(IcsE2eTest, TheRegisterSurvivesARestart) {
  const Response first = Answered(Abn(kRestart));
  ASSERT_EQ(first.outcome(), Response::REGISTERED) << first.DebugString();
  const int64_t registered = SimStats()["ics_registered"];
  StartDaemon();
  EXPECT_EQ(SimStats()["ics_registered"], registered);
  EXPECT_THAT(Rejected(Abn(kRestart)), ElementsAre(std::pair("CMN.ATO.CLREG.000011", "abn.abn")));
  v1::RegisterClientRequest mei = Ind("Nguyen", "1 Wharf St");
  mei.mutable_ccid()->set_given_names("Mei");
  *mei.mutable_ccid()->mutable_business_address() = Address("1 Wharf St");
  const Response again = Answered(mei);
  EXPECT_EQ(again.outcome(), Response::DUPLICATE);
  // Seeded again at the start, the seed's client is still held once.
  EXPECT_EQ(again.duplicates_size(), 1) << again.DebugString();
}

}  // namespace
}  // namespace sbrgate
