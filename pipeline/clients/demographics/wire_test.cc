#include "pipeline/clients/demographics/wire.h"

#include <gmock/gmock.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <string>

namespace sbrgate::demographics {
namespace {

using ::google::protobuf::FieldDescriptor;
using ::google::protobuf::util::MessageDifferencer;
using ::testing::HasSubstr;

v1::DemographicsRequest Submit() {
  v1::DemographicsRequest r;
  r.mutable_agent()->set_agent_abn("51824753556");
  r.mutable_agent()->set_ran("12345678");
  r.set_service(v1::ADDRESSES);
  r.set_operation(v1::SUBMIT);
  r.mutable_client()->set_type(v1::ABN);
  r.mutable_client()->set_value("53004085616");
  r.set_account("AS:001");
  v1::ClientAddress* a = r.mutable_records()->add_addresses();
  a->set_usage(v1::ClientAddress::POSTAL);
  a->add_lines("Level 3 & Co <Rear>");
  a->add_lines("1 Wharf St");
  a->set_locality("Sydney");
  a->set_state("NSW");
  a->set_postcode("2000");
  a->set_start_date("2026-03-15");
  return r;
}

// One of every record kind, every field set.
v1::DemographicRecords EveryRecord() {
  v1::DemographicRecords r;
  *r.add_addresses() = Submit().records().addresses(0);
  r.mutable_addresses(0)->set_country("AU");
  r.mutable_addresses(0)->set_end_date("2026-04-01");
  v1::AuthorisedContact* c = r.add_authorised_contacts();
  c->set_name("Pat \"PK\" Kelly");
  c->set_role("Public officer");
  c->set_phone("02 9000 0000");
  c->set_email("pat@harbour.example");
  v1::Associate* s = r.add_associates();
  s->set_name("Mei Chen");
  s->set_relationship(v1::Associate::DIRECTOR);
  s->set_abn("83914571641");
  s->set_start_date("2015-07-01");
  s->set_end_date("2020-06-30");
  v1::ClientDetails* d = r.mutable_details();
  d->set_entity(v1::ClientDetails::NON_INDIVIDUAL);
  d->set_family_name("f");
  d->set_given_name("g");
  d->set_other_given_names("o");
  d->set_date_of_birth("1980-01-01");
  d->set_organisation_name("Harbour Joinery Pty Ltd");
  d->set_not_for_profit(true);
  d->set_super_fund(true);
  d->set_self_managed_super_fund(true);
  v1::FinancialInstitutionAccount* f = r.add_financial_institution_accounts();
  f->set_purpose(v1::FinancialInstitutionAccount::SUPERANNUATION);
  f->set_bsb("062000");
  f->set_account_number("12345678");
  f->set_account_name("Harbour Joinery");
  f->set_start_date("2019-01-01");
  f->set_end_date("2024-01-01");
  return r;
}

TEST(WireTest, EveryRecordFieldIsOfAKindTheWireWrites) {
  const google::protobuf::Descriptor* records = v1::DemographicRecords::descriptor();
  for (int i = 0; i < records->field_count(); ++i) {
    const google::protobuf::Descriptor* record = records->field(i)->message_type();
    ASSERT_NE(record, nullptr) << records->field(i)->name();
    for (int j = 0; j < record->field_count(); ++j) {
      const FieldDescriptor* f = record->field(j);
      const bool scalar = f->cpp_type() == FieldDescriptor::CPPTYPE_STRING ||
                          f->cpp_type() == FieldDescriptor::CPPTYPE_BOOL ||
                          f->cpp_type() == FieldDescriptor::CPPTYPE_ENUM;
      EXPECT_TRUE(f->is_repeated() ? f->cpp_type() == FieldDescriptor::CPPTYPE_STRING : scalar)
          << f->full_name();
    }
  }
}

TEST(WireTest, RequestRoundTrips) {
  const v1::DemographicsRequest r = Submit();
  const std::string xml = WriteRequest(r);
  EXPECT_THAT(xml, HasSubstr("<cd:Request xmlns:cd=\"http://sbrgate.dev/ns/cudemogr\" "
                             "service=\"ADDRESSES\" operation=\"SUBMIT\" account=\"AS:001\">"));
  EXPECT_THAT(xml, HasSubstr("<cd:ClientAddress usage=\"POSTAL\" locality=\"Sydney\" "
                             "state=\"NSW\" postcode=\"2000\" startDate=\"2026-03-15\">"
                             "<cd:lines>Level 3 &amp; Co &lt;Rear&gt;</cd:lines>"));
  absl::StatusOr<v1::DemographicsRequest> read = ReadRequest(xml);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_TRUE(MessageDifferencer::Equals(*read, r)) << read->DebugString();

  v1::DemographicsRequest list = r;
  list.set_operation(v1::LIST);
  list.clear_records();
  list.set_include_history(true);
  read = ReadRequest(WriteRequest(list));
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_TRUE(MessageDifferencer::Equivalent(*read, list)) << read->DebugString();
}

TEST(WireTest, ResponseWithEveryKindOfRecordRoundTrips) {
  v1::DemographicsResponse r;
  r.set_service(v1::DETAILS);
  r.set_operation(v1::SUBMIT);
  r.mutable_client()->set_type(v1::TFN);
  r.mutable_client()->set_value("123456782");
  r.set_client_name("Alex Citizen");
  r.set_changed(true);
  *r.mutable_records() = EveryRecord();
  const std::string xml = WriteResponse(r);
  EXPECT_THAT(xml, HasSubstr("notForProfit=\"true\""));
  EXPECT_THAT(xml, HasSubstr("accountNumber=\"12345678\""));
  absl::StatusOr<v1::DemographicsResponse> read = ReadResponse(xml);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_TRUE(MessageDifferencer::Equals(*read, r)) << read->DebugString();
}

TEST(WireTest, AnErrorAnswerIsItsStatus) {
  absl::StatusOr<v1::DemographicsResponse> read = ReadResponse(WriteErrorResponse(
      absl::PermissionDeniedError("agent 51824753556 has no relationship with ABN:53004085616"),
      "SBR.GEN.AUTH.006"));
  EXPECT_EQ(read.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(read.status().message(), HasSubstr("SBR.GEN.AUTH.006: agent 51824753556"));
}

TEST(WireTest, WhatIsNotTheVocabularyIsRefused) {
  const std::string ns = "xmlns:cd=\"http://sbrgate.dev/ns/cudemogr\"";
  const std::string open = "<cd:Request " + ns +
                           " service=\"ADDRESSES\" operation=\"LIST\"><cd:Client type=\"ABN\" "
                           "value=\"53004085616\"/>";
  EXPECT_TRUE(ReadRequest(open + "</cd:Request>").ok());
  EXPECT_THAT(
      ReadRequest(open + "<cd:ClientAddress colour=\"red\"/></cd:Request>").status().message(),
      HasSubstr("cd:ClientAddress has no attribute 'colour'"));
  EXPECT_THAT(
      ReadRequest(open + "<cd:ClientAddress usage=\"HOLIDAY\"/></cd:Request>").status().message(),
      HasSubstr("'HOLIDAY' is not a Usage"));
  EXPECT_THAT(ReadRequest(open + "<cd:ClientAddress><cd:locality>x</cd:locality>"
                                 "</cd:ClientAddress></cd:Request>")
                  .status()
                  .message(),
              HasSubstr("has no element 'locality'"));
  EXPECT_THAT(ReadRequest(open + "<cd:Pet/></cd:Request>").status().message(),
              HasSubstr("'Pet' is not a record"));
  EXPECT_THAT(
      ReadRequest(open + "<cd:ClientDetails/><cd:ClientDetails/></cd:Request>").status().message(),
      HasSubstr("cd:ClientDetails twice"));
  EXPECT_THAT(ReadRequest("<cd:Request " + ns + " service=\"ADDRESSES\" operation=\"LIST\"/>")
                  .status()
                  .message(),
              HasSubstr("no cd:Client"));
  EXPECT_THAT(ReadRequest("<cd:Request " + ns + " service=\"CUFOO\"/>").status().message(),
              HasSubstr("'CUFOO' is not known"));
  EXPECT_FALSE(ReadRequest("<Request/>").ok());
}

}  // namespace
}  // namespace sbrgate::demographics
