// The XSDs on their own: they load, accept a well-formed minimal document of
// each kind, and refuse each kind of bad value they are meant to refuse.
#include <string>
#include <vector>

#include "absl/strings/str_replace.h"
#include "gtest/gtest.h"
#include "pipeline/platform/common/resources.h"
#include "pipeline/platform/xml/document.h"
#include "pipeline/platform/xml/schema.h"

namespace sbrgate::payevnt {
namespace {

constexpr char kEmployee[] = R"(<tns:PAYEVNTEMP xmlns:tns="http://www.sbr.gov.au/ato/payevntemp">
<tns:Payee>
<tns:Identifiers>
<tns:TaxFileNumberId>$TFN</tns:TaxFileNumberId>
<tns:EmploymentPayrollNumberId>E1</tns:EmploymentPayrollNumberId></tns:Identifiers>
<tns:PersonNameDetails>
<tns:FamilyNameT>$FAMILY</tns:FamilyNameT>
<tns:GivenNameT>Ana</tns:GivenNameT></tns:PersonNameDetails>
<tns:AddressDetails>
<tns:Line1T>1 George Street</tns:Line1T><tns:LocalityNameT>Sydney</tns:LocalityNameT>
<tns:StateOrTerritoryC>$STATE</tns:StateOrTerritoryC>
<tns:PostcodeT>2000</tns:PostcodeT>
<tns:CountryC>au</tns:CountryC></tns:AddressDetails>
<tns:EmployerConditions>
<tns:EmploymentStartD>2020-02-03</tns:EmploymentStartD>
<tns:PaymentBasisC>$BASIS</tns:PaymentBasisC>
<tns:CessationTypeC>$CESSATION</tns:CessationTypeC>
<tns:TaxTreatmentC>RTXXXX</tns:TaxTreatmentC></tns:EmployerConditions>
<tns:PayrollPeriod>
<tns:StartD>$START</tns:StartD>
<tns:EndD>2024-07-14</tns:EndD>
<tns:RemunerationPayrollEventFinalI>false</tns:RemunerationPayrollEventFinalI>
<tns:RemunerationCollection>
<tns:Remuneration><tns:IncomeStreamTypeC>$STREAM</tns:IncomeStreamTypeC>
<tns:IncomeTaxPayAsYouGoWithholdingTaxWithheldA>100.00</tns:IncomeTaxPayAsYouGoWithholdingTaxWithheldA>
<tns:GrossA>$GROSS</tns:GrossA></tns:Remuneration></tns:RemunerationCollection>
</tns:PayrollPeriod>
</tns:Payee>
</tns:PAYEVNTEMP>)";

constexpr char kEmployer[] = R"(<tns:PAYEVNT xmlns:tns="http://www.sbr.gov.au/ato/payevnt">
<tns:Rp>
<tns:SoftwareInformationBusinessManagementSystemId>BMS-1</tns:SoftwareInformationBusinessManagementSystemId>
<tns:AustralianBusinessNumberId>$ABN</tns:AustralianBusinessNumberId>
<tns:OrganisationName>
<tns:DetailsOrganisationalNameT>Harbour Trading Pty Ltd</tns:DetailsOrganisationalNameT></tns:OrganisationName>
<tns:Payroll>
<tns:PaymentRecordTransactionD>2024-07-16</tns:PaymentRecordTransactionD>
<tns:InteractionRecordCt>$COUNT</tns:InteractionRecordCt>
<tns:MessageTimestampGenerationDt>$STAMP</tns:MessageTimestampGenerationDt>
<tns:InteractionTransactionId>PAY-1</tns:InteractionTransactionId>
<tns:AmendmentI>false</tns:AmendmentI></tns:Payroll>
</tns:Rp>
$INT
</tns:PAYEVNT>)";

std::vector<std::string> Validate(const std::string& xsd, const std::string& doc) {
  absl::StatusOr<std::string> path = ResourcePath(xsd);
  EXPECT_TRUE(path.ok()) << path.status();
  absl::StatusOr<std::shared_ptr<const xml::Schema>> schema = xml::Schema::Load(*path);
  EXPECT_TRUE(schema.ok()) << schema.status();
  absl::StatusOr<xml::Document> parsed = xml::ParseDocument(doc, "doc");
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  return (*schema)->Validate(parsed->get());
}

std::string Employee(std::vector<std::pair<std::string, std::string>> changes) {
  std::vector<std::pair<std::string, std::string>> all = {
      {"$TFN", "123456782"}, {"$FAMILY", "O'Brien"},   {"$STATE", "NSW"},  {"$BASIS", "F"},
      {"$CESSATION", "V"},   {"$START", "2024-07-01"}, {"$STREAM", "SAW"}, {"$GROSS", "1000.50"}};
  for (auto& [key, value] : all) {
    for (auto& [ckey, cvalue] : changes) {
      if (ckey == key) value = cvalue;
    }
  }
  std::string doc = kEmployee;
  for (auto& [key, value] : all) doc = absl::StrReplaceAll(doc, {{key, value}});
  return doc;
}

std::string Employer(std::vector<std::pair<std::string, std::string>> changes) {
  std::vector<std::pair<std::string, std::string>> all = {
      {"$ABN", "51824753556"}, {"$COUNT", "3"}, {"$STAMP", "2024-07-15T01:02:03Z"}, {"$INT", ""}};
  for (auto& [key, value] : all) {
    for (auto& [ckey, cvalue] : changes) {
      if (ckey == key) value = cvalue;
    }
  }
  std::string doc = kEmployer;
  for (auto& [key, value] : all) doc = absl::StrReplaceAll(doc, {{key, value}});
  return doc;
}

constexpr char kEmpXsd[] = "pipeline/stp/payevnt/schemas/payevntemp.xsd";
constexpr char kErXsd[] = "pipeline/stp/payevnt/schemas/payevnt.xsd";

TEST(PayevntempSchemaTest, AcceptsTheBaseDocumentAndEveryCode) {
  EXPECT_TRUE(Validate(kEmpXsd, Employee({})).empty());
  for (const char* s : {"ACT", "NSW", "NT", "QLD", "SA", "TAS", "VIC", "WA", "OTH"}) {
    EXPECT_TRUE(Validate(kEmpXsd, Employee({{"$STATE", s}})).empty()) << s;
  }
  for (const char* s : {"F", "P", "C", "L", "V", "D", "N"}) {
    EXPECT_TRUE(Validate(kEmpXsd, Employee({{"$BASIS", s}})).empty()) << s;
  }
  for (const char* s : {"V", "I", "D", "R", "F", "C", "T"}) {
    EXPECT_TRUE(Validate(kEmpXsd, Employee({{"$CESSATION", s}})).empty()) << s;
  }
  for (const char* s : {"SAW", "CHP", "IAA", "WHM", "SWP", "FEI", "JPD", "VOL", "LAB", "OSP"}) {
    EXPECT_TRUE(Validate(kEmpXsd, Employee({{"$STREAM", s}})).empty()) << s;
  }
  for (const char* name : {"Nguyễn", "Smith-Jones", "St. John", "van der Berg", "Ó Briain"}) {
    EXPECT_TRUE(Validate(kEmpXsd, Employee({{"$FAMILY", name}})).empty()) << name;
  }
  EXPECT_TRUE(Validate(kEmpXsd, Employee({{"$TFN", "12345677"}})).empty());  // 8 digits
  EXPECT_TRUE(Validate(kEmpXsd, Employee({{"$GROSS", "-5"}})).empty());  // sign: a business rule
}

TEST(PayevntempSchemaTest, RefusesBadValues) {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"$TFN", "1234567"},      {"$TFN", "1234567890"},
      {"$TFN", "12345678a"},    {"$STATE", "XYZ"},
      {"$STATE", "nsw"},        {"$BASIS", "X"},
      {"$CESSATION", "Q"},      {"$STREAM", "ABC"},
      {"$GROSS", "10.123"},     {"$GROSS", "100000000000.00"},
      {"$GROSS", "abc"},        {"$START", "2024-7-1"},
      {"$START", "2024-02-30"}, {"$START", "2024-07-01Z"},
      {"$FAMILY", ""},          {"$FAMILY", std::string(41, 'a')},
      {"$FAMILY", "Smith1"},    {"$FAMILY", " Smith"},
  };
  for (const auto& change : bad) {
    EXPECT_FALSE(Validate(kEmpXsd, Employee({change})).empty())
        << change.first << "=" << change.second;
  }
  EXPECT_TRUE(Validate(kEmpXsd, Employee({{"$FAMILY", std::string(40, 'a')}})).empty());
}

TEST(PayevntSchemaTest, AcceptsTheBaseDocumentWithAndWithoutIntermediary) {
  EXPECT_TRUE(Validate(kErXsd, Employer({})).empty());
  EXPECT_TRUE(
      Validate(kErXsd, Employer({{"$INT",
                                  "<tns:Int><tns:AustralianBusinessNumberId>51824753556"
                                  "</tns:AustralianBusinessNumberId><tns:TaxAgentNumberId>"
                                  "12345678</tns:TaxAgentNumberId><tns:Declaration>"
                                  "<tns:SignatoryIdentifierT>A Agent</tns:SignatoryIdentifierT>"
                                  "<tns:SignatureD>2024-07-15</tns:SignatureD>"
                                  "<tns:StatementAcceptedI>true</tns:StatementAcceptedI>"
                                  "</tns:Declaration></tns:Int>"}}))
          .empty());
  // Zones other than UTC are a business rule, not a schema error.
  EXPECT_TRUE(Validate(kErXsd, Employer({{"$STAMP", "2024-07-15T11:02:03+10:00"}})).empty());
}

TEST(PayevntSchemaTest, RefusesBadValues) {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"$ABN", "5182475355"},   {"$ABN", "518247535561"}, {"$COUNT", "-1"},
      {"$COUNT", "1.5"},        {"$STAMP", "2024-07-15"}, {"$STAMP", "yesterday"},
      {"$INT", "<tns:Other/>"},
  };
  for (const auto& change : bad) {
    EXPECT_FALSE(Validate(kErXsd, Employer({change})).empty())
        << change.first << "=" << change.second;
  }
}

TEST(SchemaNamespaceTest, AnEmployeeDocumentInTheWrongNamespaceIsRefused) {
  std::string doc = absl::StrReplaceAll(
      Employee({}), {{"http://www.sbr.gov.au/ato/payevntemp", "http://example.com/other"}});
  EXPECT_FALSE(Validate(kEmpXsd, doc).empty());
}

}  // namespace
}  // namespace sbrgate::payevnt
