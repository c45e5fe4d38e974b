// End-to-end tests of `sbrgate payevnt` (payevnt_command.cc):
// runs the built binary and checks its output and exit status.
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pipeline/platform/common/testing/run_program.h"

namespace {

using ::testing::HasSubstr;
using Json = nlohmann::ordered_json;

using Result = ::sbrgate::testing::ProgramResult;
using ::sbrgate::testing::ReadFileOrEmpty;
using ::sbrgate::testing::TestTempDir;

Result Sbrgate(const std::vector<std::string>& args) {
  return ::sbrgate::testing::RunProgram(::sbrgate::testing::SbrgateBinary(), args);
}

TEST(PayevntCliTest, GeneratePrintsExactlyTheAgreedJson) {
  const std::string file = TestTempDir() + "/gen.xml";
  Result r = Sbrgate(
      {"payevnt", "generate", "--employees", "40", "--invalid", "3", "--seed", "9", "-o", file});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json out = Json::parse(r.out);
  std::vector<std::string> keys;
  for (auto it = out.begin(); it != out.end(); ++it) keys.push_back(it.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"file", "employees", "invalid_document_ids"}));
  EXPECT_EQ(out["file"], file);
  EXPECT_EQ(out["employees"], 40);
  EXPECT_EQ(out["invalid_document_ids"].size(), 3u);
  EXPECT_THAT(ReadFileOrEmpty(file), HasSubstr("<tns:InteractionRecordCt>40<"));
}

TEST(PayevntCliTest, ValidateFindsExactlyTheGeneratedInvalidIds) {
  const std::string file = TestTempDir() + "/invalid.xml";
  Result g = Sbrgate({"payevnt", "generate", "--employees", "50", "--invalid", "3",
                      "--invalid-employer", "--name-mismatch", "2", "--seed", "4", "-o", file});
  ASSERT_EQ(g.exit_code, 0) << g.err;
  const Json generated = Json::parse(g.out);
  EXPECT_EQ(generated["name_mismatch_document_ids"].size(), 2u);
  ASSERT_EQ(generated["invalid_document_ids"].size(), 4u);
  EXPECT_EQ(generated["invalid_document_ids"][0], "1.1");

  Result v = Sbrgate({"payevnt", "validate", file, "--json"});
  EXPECT_EQ(v.exit_code, 1) << v.err;
  const Json report = Json::parse(v.out);
  EXPECT_EQ(report["valid"], false);
  EXPECT_EQ(report["employees"], 50);
  EXPECT_EQ(report["invalid_document_ids"], generated["invalid_document_ids"]);
  ASSERT_EQ(report["errors"].size(), 4u);
  const Json& first = report["errors"][0];
  std::vector<std::string> keys;
  for (auto it = first.begin(); it != first.end(); ++it) keys.push_back(it.key());
  EXPECT_EQ(keys,
            (std::vector<std::string>{"code", "severity", "document_id", "path", "description"}));
  EXPECT_EQ(first["code"], "VR.ATO.PAYEVNT.000200");
  EXPECT_EQ(report["errors"][1]["path"],
            "/tns:PAYEVNTEMP/tns:Payee/tns:Identifiers/tns:TaxFileNumberId");

  Result text = Sbrgate({"payevnt", "validate", file});
  EXPECT_EQ(text.exit_code, 1);
  EXPECT_THAT(text.out, HasSubstr("INVALID"));
  for (const auto& id : generated["invalid_document_ids"]) {
    EXPECT_THAT(text.out, HasSubstr(absl::StrCat(id.get<std::string>(), " ")));
  }
}

TEST(PayevntCliTest, ValidFileAndNameMismatchesPassTheSenderSideChecks) {
  const std::string file = TestTempDir() + "/valid.xml";
  ASSERT_EQ(Sbrgate({"payevnt", "generate", "--employees", "20", "--name-mismatch", "2", "-o", file,
                     "--timestamp", "2025-07-02T10:00:00Z"})
                .exit_code,
            0);
  Result v = Sbrgate({"payevnt", "validate", "--json", file});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  EXPECT_EQ(Json::parse(v.out)["valid"], true);
  Result text = Sbrgate({"payevnt", "validate", file});
  EXPECT_EQ(text.exit_code, 0);
  EXPECT_THAT(text.out, HasSubstr("valid, 20 employee records"));
}

TEST(PayevntCliTest, StructuralErrorIsInvalidWithLineAndRecord) {
  const std::string file = TestTempDir() + "/broken.xml";
  ASSERT_EQ(Sbrgate({"payevnt", "generate", "--employees", "5", "-o", file}).exit_code, 0);
  std::string content = ReadFileOrEmpty(file);
  const size_t at = content.find("<Record_Delimiter DocumentID=\"1.4\"");
  content.erase(at, content.find('\n', at) + 1 - at);
  std::ofstream(file) << content;
  Result v = Sbrgate({"payevnt", "validate", file, "--json"});
  EXPECT_EQ(v.exit_code, 1);
  const Json report = Json::parse(v.out);
  EXPECT_EQ(report["valid"], false);
  const std::string description = report["errors"].back()["description"];
  EXPECT_THAT(description, HasSubstr("after DocumentID 1.3"));
  EXPECT_THAT(description, HasSubstr("line "));
  EXPECT_EQ(report["errors"].back()["code"], "CMN.ATO.PAYEVNT.000190");
}

TEST(PayevntCliTest, UsageAndIoErrorsExitTwo) {
  Result missing = Sbrgate({"payevnt", "validate", TestTempDir() + "/does-not-exist.xml"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.err, HasSubstr("does-not-exist.xml"));
  Result missing_json = Sbrgate({"payevnt", "validate", TestTempDir() + "/nope.xml", "--json"});
  EXPECT_EQ(missing_json.exit_code, 2);
  EXPECT_EQ(Json::parse(missing_json.err)["error"]["code"], "NOT_FOUND");
  EXPECT_EQ(Sbrgate({"payevnt"}).exit_code, 2);
  EXPECT_EQ(Sbrgate({"payevnt", "frobnicate"}).exit_code, 2);
  EXPECT_EQ(Sbrgate({"payevnt", "validate"}).exit_code, 2);
  EXPECT_EQ(Sbrgate({"payevnt", "generate", "--employees", "3"}).exit_code, 2);  // no -o
  EXPECT_EQ(
      Sbrgate({"payevnt", "generate", "--employees", "x", "-o", TestTempDir() + "/x.xml"}).exit_code,
      2);
  EXPECT_EQ(Sbrgate({"payevnt", "generate", "--employees", "3", "--invalid", "4", "-o",
                     TestTempDir() + "/y.xml"})
                .exit_code,
            2);
  EXPECT_EQ(
      Sbrgate({"payevnt", "generate", "--employees", "3", "--bogus", "-o", TestTempDir() + "/z.xml"})
          .exit_code,
      2);
  EXPECT_EQ(Sbrgate({"payevnt", "--help"}).exit_code, 0);
}

}  // namespace
