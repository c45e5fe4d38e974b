#include "pipeline/clients/demographics/rules.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sbrgate::demographics {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr absl::CivilDay kToday(2026, 3, 15);

v1::DemographicsRequest Request(v1::CudemogrService service, v1::CudemogrOperation op) {
  v1::DemographicsRequest r;
  r.mutable_agent()->set_agent_abn("51824753556");
  r.mutable_agent()->set_ran("12345678");
  r.set_service(service);
  r.set_operation(op);
  r.mutable_client()->set_type(v1::ABN);
  r.mutable_client()->set_value("53004085616");
  return r;
}

v1::ClientAddress Address() {
  v1::ClientAddress a;
  a.set_usage(v1::ClientAddress::POSTAL);
  a.add_lines("PO Box 12");
  a.set_locality("Sydney");
  a.set_state("NSW");
  a.set_postcode("2000");
  return a;
}

v1::FinancialInstitutionAccount BankAccount() {
  v1::FinancialInstitutionAccount a;
  a.set_purpose(v1::FinancialInstitutionAccount::INCOME_TAX_REFUND);
  a.set_bsb("062000");
  a.set_account_number("12345678");
  a.set_account_name("Harbour Joinery Pty Ltd");
  return a;
}

v1::AuthorisedContact Contact() {
  v1::AuthorisedContact c;
  c.set_name("Pat Kelly");
  c.set_role("Public officer");
  c.set_phone("02 9000 0000");
  c.set_email("pat@harbour.example");
  return c;
}

std::vector<std::string> Fields(const v1::DemographicsRequest& r) {
  std::vector<std::string> fields;
  for (const FieldViolation& v : RequestViolations(r, kToday)) fields.push_back(v.field);
  return fields;
}

std::string Description(const v1::DemographicsRequest& r, const std::string& field) {
  for (const FieldViolation& v : RequestViolations(r, kToday)) {
    if (v.field == field) return v.description;
  }
  return "";
}

TEST(RulesTest, EveryOfferedOperationOfEveryServicePasses) {
  EXPECT_THAT(Fields(Request(v1::ADDRESSES, v1::LIST)), IsEmpty());
  v1::DemographicsRequest r = Request(v1::ADDRESSES, v1::LIST);
  r.set_account("AS:001");
  r.set_include_history(true);
  EXPECT_THAT(Fields(r), IsEmpty());
  r = Request(v1::ADDRESSES, v1::SUBMIT);
  *r.mutable_records()->add_addresses() = Address();
  v1::ClientAddress overseas;
  overseas.set_usage(v1::ClientAddress::BUSINESS);
  overseas.add_lines("1 Queen St");
  overseas.set_locality("Auckland");
  overseas.set_country("NZ");
  overseas.set_start_date("2026-04-01");
  *r.mutable_records()->add_addresses() = overseas;
  EXPECT_THAT(Fields(r), IsEmpty());
  EXPECT_THAT(Fields(Request(v1::ASSOCIATES, v1::LIST)), IsEmpty());
  r = Request(v1::AUTHORISED_CONTACTS, v1::VALIDATE);
  r.set_account("IT");
  *r.mutable_records()->add_authorised_contacts() = Contact();
  r.mutable_records()->add_authorised_contacts()->set_name("Sam Chen");
  r.mutable_records()->mutable_authorised_contacts(1)->set_role("Director");
  r.mutable_records()->mutable_authorised_contacts(1)->set_email("sam@example.com.au");
  EXPECT_THAT(Fields(r), IsEmpty());
  EXPECT_THAT(Fields(Request(v1::DETAILS, v1::GET)), IsEmpty());
  r = Request(v1::DETAILS, v1::SUBMIT);
  v1::ClientDetails* d = r.mutable_records()->mutable_details();
  d->set_entity(v1::ClientDetails::NON_INDIVIDUAL);
  d->set_organisation_name("Harbour Joinery Pty Ltd");
  d->set_super_fund(true);
  d->set_self_managed_super_fund(true);
  EXPECT_THAT(Fields(r), IsEmpty());
  r = Request(v1::FINANCIAL_INSTITUTIONS, v1::SUBMIT);
  *r.mutable_records()->add_financial_institution_accounts() = BankAccount();
  EXPECT_THAT(Fields(r), IsEmpty());
  EXPECT_THAT(Fields(Request(v1::FINANCIAL_INSTITUTIONS, v1::LIST)), IsEmpty());
}

TEST(RulesTest, OnlyTheOperationsAServiceOffersAndItsLevel) {
  EXPECT_THAT(Fields(Request(v1::ASSOCIATES, v1::SUBMIT)), ElementsAre("operation"));
  EXPECT_THAT(Description(Request(v1::ASSOCIATES, v1::SUBMIT), "operation"),
              HasSubstr("CUASSOC (ASSOCIATES) offers LIST, not SUBMIT"));
  EXPECT_THAT(Description(Request(v1::AUTHORISED_CONTACTS, v1::LIST), "operation"),
              HasSubstr("offers SUBMIT or VALIDATE"));
  EXPECT_THAT(Fields(Request(v1::DETAILS, v1::LIST)), ElementsAre("operation"));
  EXPECT_THAT(Fields(Request(v1::ADDRESSES, v1::GET)), ElementsAre("operation"));
  EXPECT_THAT(Fields(Request(v1::CUDEMOGR_SERVICE_UNSPECIFIED, v1::LIST)), ElementsAre("service"));

  v1::DemographicsRequest r = Request(v1::FINANCIAL_INSTITUTIONS, v1::LIST);
  r.set_account("IT");
  EXPECT_THAT(Description(r, "account"), HasSubstr("CUFI works at client level only"));
  r = Request(v1::ADDRESSES, v1::LIST);
  r.set_account("GST");
  EXPECT_THAT(Fields(r), ElementsAre("account"));
  r = Request(v1::DETAILS, v1::GET);
  r.set_include_history(true);
  EXPECT_THAT(Fields(r), ElementsAre("include_history"));
}

TEST(RulesTest, TheAgentAndClientAreChecked) {
  v1::DemographicsRequest r = Request(v1::DETAILS, v1::GET);
  r.clear_agent();
  r.mutable_client()->set_value("53004085617");
  EXPECT_THAT(Fields(r), ElementsAre("agent", "client.value"));
  r.clear_client();
  EXPECT_THAT(Fields(r), Contains("client"));
}

TEST(RulesTest, RecordsOfTheServicesKindOnly) {
  v1::DemographicsRequest r = Request(v1::ADDRESSES, v1::LIST);
  *r.mutable_records()->add_addresses() = Address();
  EXPECT_THAT(Description(r, "records.addresses"), HasSubstr("a LIST carries no records"));
  r = Request(v1::ADDRESSES, v1::SUBMIT);
  EXPECT_THAT(Description(r, "records.addresses"), HasSubstr("required"));
  *r.mutable_records()->add_financial_institution_accounts() = BankAccount();
  EXPECT_THAT(Fields(r),
              ElementsAre("records.addresses", "records.financial_institution_accounts"));
  EXPECT_THAT(Description(r, "records.financial_institution_accounts"),
              HasSubstr("CUADDR takes records.addresses"));
  r = Request(v1::DETAILS, v1::VALIDATE);
  EXPECT_THAT(Fields(r), ElementsAre("records.details"));
}

TEST(RulesTest, AddressRules) {
  v1::DemographicsRequest r = Request(v1::ADDRESSES, v1::SUBMIT);
  v1::ClientAddress* a = r.mutable_records()->add_addresses();
  *a = Address();
  a->set_postcode("200");
  a->set_state("Nsw");
  EXPECT_THAT(Fields(r),
              ElementsAre("records.addresses[0].state", "records.addresses[0].postcode"));
  EXPECT_THAT(Description(r, "records.addresses[0].postcode"),
              HasSubstr("not an Australian postcode (4 digits)"));
  *a = Address();
  a->clear_lines();
  a->clear_locality();
  a->set_usage(v1::ClientAddress::USAGE_UNSPECIFIED);
  EXPECT_THAT(Fields(r), ElementsAre("records.addresses[0].usage", "records.addresses[0].lines",
                                     "records.addresses[0].locality"));
  *a = Address();
  for (const char* line : {"Level 3", "1 Wharf St", "Rear", "Gate 2"}) a->add_lines(line);
  a->set_lines(1, std::string(39, 'x'));
  a->set_lines(2, "  ");
  EXPECT_THAT(Fields(r), ElementsAre("records.addresses[0].lines", "records.addresses[0].lines[1]",
                                     "records.addresses[0].lines[2]"));
  *a = Address();
  a->set_country("au");
  a->set_end_date("2026-01-01");
  a->set_start_date("2026-02-30");
  EXPECT_THAT(Fields(r),
              ElementsAre("records.addresses[0].country", "records.addresses[0].start_date",
                          "records.addresses[0].end_date"));
  *a = Address();
  *r.mutable_records()->add_addresses() = Address();
  EXPECT_THAT(Fields(r), ElementsAre("records.addresses[1]"));
}

TEST(RulesTest, ContactRules) {
  v1::DemographicsRequest r = Request(v1::AUTHORISED_CONTACTS, v1::SUBMIT);
  v1::AuthorisedContact* c = r.mutable_records()->add_authorised_contacts();
  c->set_name("Pat Kelly");
  EXPECT_THAT(Fields(r), ElementsAre("records.authorised_contacts[0].role",
                                     "records.authorised_contacts[0].phone"));
  *c = Contact();
  c->set_phone("9000");
  c->set_email("pat@localhost");
  EXPECT_THAT(Fields(r), ElementsAre("records.authorised_contacts[0].phone",
                                     "records.authorised_contacts[0].email"));
  c->set_phone("+61 (2) 9000-000");
  c->set_email("pat kelly@harbour.example");
  EXPECT_THAT(Fields(r), ElementsAre("records.authorised_contacts[0].email"));
}

TEST(RulesTest, DetailsRules) {
  v1::DemographicsRequest r = Request(v1::DETAILS, v1::SUBMIT);
  v1::ClientDetails* d = r.mutable_records()->mutable_details();
  EXPECT_THAT(Fields(r), ElementsAre("records.details.entity"));
  d->set_entity(v1::ClientDetails::INDIVIDUAL);
  d->set_family_name("Nguyen");
  d->set_date_of_birth("1985-06-30");
  EXPECT_THAT(Fields(r), IsEmpty());
  d->set_date_of_birth("2026-03-16");  // tomorrow
  EXPECT_THAT(Description(r, "records.details.date_of_birth"),
              HasSubstr("not between 1900-01-01 and today (2026-03-15)"));
  d->set_date_of_birth("1985-02-29");
  EXPECT_THAT(Description(r, "records.details.date_of_birth"), HasSubstr("is not a date"));
  d->set_date_of_birth("1899-12-31");
  EXPECT_THAT(Fields(r), ElementsAre("records.details.date_of_birth"));
  d->set_date_of_birth("2026-03-15");
  d->set_organisation_name("Nguyen Pty Ltd");
  d->set_not_for_profit(true);
  EXPECT_THAT(Fields(r),
              ElementsAre("records.details.organisation_name", "records.details.not_for_profit"));

  d->Clear();
  d->set_entity(v1::ClientDetails::NON_INDIVIDUAL);
  d->set_date_of_birth("1985-06-30");
  d->set_self_managed_super_fund(true);
  EXPECT_THAT(Fields(r),
              ElementsAre("records.details.organisation_name", "records.details.date_of_birth",
                          "records.details.super_fund"));
}

TEST(RulesTest, FinancialInstitutionRules) {
  v1::DemographicsRequest r = Request(v1::FINANCIAL_INSTITUTIONS, v1::VALIDATE);
  v1::FinancialInstitutionAccount* a = r.mutable_records()->add_financial_institution_accounts();
  *a = BankAccount();
  a->set_bsb("062-000");
  a->set_account_number("1234567890");
  a->set_account_name(std::string(33, 'x'));
  EXPECT_THAT(Fields(r), ElementsAre("records.financial_institution_accounts[0].bsb",
                                     "records.financial_institution_accounts[0].account_number",
                                     "records.financial_institution_accounts[0].account_name"));
  EXPECT_THAT(Description(r, "records.financial_institution_accounts[0].bsb"),
              HasSubstr("'062-000' is not a BSB (6 digits)"));
  *a = BankAccount();
  a->clear_purpose();
  a->clear_account_name();
  a->set_account_number("");
  EXPECT_THAT(Fields(r), ElementsAre("records.financial_institution_accounts[0].purpose",
                                     "records.financial_institution_accounts[0].account_number",
                                     "records.financial_institution_accounts[0].account_name"));
  *a = BankAccount();
  *r.mutable_records()->add_financial_institution_accounts() = BankAccount();
  EXPECT_THAT(Fields(r), ElementsAre("records.financial_institution_accounts[1]"));
}

}  // namespace
}  // namespace sbrgate::demographics
