#include "pipeline/clients/relationships/wire.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace sbrgate::relationships {
namespace {

using ::testing::HasSubstr;

v1::Relationship Link() {
  v1::Relationship r;
  r.mutable_client()->set_type(v1::ABN);
  r.mutable_client()->set_value("53004085616");
  r.set_level(v1::ROLE);
  r.set_account("AS:001");
  r.set_role("BAS_AGENT");
  r.set_client_name("Harbour & Co <Pty>");
  return r;
}

TEST(CurelWireTest, RequestsAndResponsesRoundTrip) {
  v1::RelationshipRequest request;
  request.mutable_agent()->set_agent_abn("51824753556");
  request.mutable_agent()->set_ran("12345678");
  *request.mutable_relationship() = Link();
  absl::StatusOr<v1::RelationshipRequest> read =
      ReadRelationshipRequest(WriteRelationshipRequest(request));
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->SerializeAsString(), request.SerializeAsString());

  v1::SearchClientRequest search;
  *search.mutable_agent() = request.agent();
  *search.mutable_client() = Link().client();
  absl::StatusOr<v1::SearchClientRequest> search_read =
      ReadSearchRequest(WriteSearchRequest(search));
  ASSERT_TRUE(search_read.ok()) << search_read.status();
  EXPECT_EQ(search_read->SerializeAsString(), search.SerializeAsString());

  v1::ListRelationshipsRequest list;
  *list.mutable_agent() = request.agent();
  absl::StatusOr<v1::ListRelationshipsRequest> list_read = ReadListRequest(WriteListRequest(list));
  ASSERT_TRUE(list_read.ok()) << list_read.status();
  EXPECT_FALSE(list_read->has_client());

  v1::SearchClientResponse found;
  *found.mutable_client() = Link().client();
  found.set_name("Harbour & Co");
  found.add_accounts("IT");
  found.add_accounts("AS:001");
  found.set_linked(true);
  absl::StatusOr<v1::SearchClientResponse> found_read =
      ReadSearchResponse(WriteSearchResponse(found));
  ASSERT_TRUE(found_read.ok()) << found_read.status();
  EXPECT_EQ(found_read->SerializeAsString(), found.SerializeAsString());

  v1::ListRelationshipsResponse listed;
  *listed.add_relationships() = Link();
  v1::Relationship client_level = Link();
  client_level.set_level(v1::CLIENT);
  client_level.clear_account();
  client_level.clear_role();
  *listed.add_relationships() = client_level;
  absl::StatusOr<v1::ListRelationshipsResponse> listed_read =
      ReadListResponse(WriteListResponse(listed));
  ASSERT_TRUE(listed_read.ok()) << listed_read.status();
  EXPECT_EQ(listed_read->SerializeAsString(), listed.SerializeAsString());
}

TEST(CurelWireTest, AnErrorAnswerIsItsStatusAndAWrongRootIsNamed) {
  const std::string error = WriteErrorResponse(
      absl::AlreadyExistsError("agent 51824753556 is linked with ABN 53004085616 already"),
      "CMN.ATO.CUREL.EXISTS");
  absl::StatusOr<v1::RelationshipResponse> r = ReadRelationshipResponse(error);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(r.status().message(), HasSubstr("CMN.ATO.CUREL.EXISTS: agent 51824753556"));
  // A request is never an error.
  EXPECT_EQ(ReadSearchRequest(error).status().code(), absl::StatusCode::kInvalidArgument);
  absl::StatusOr<v1::ListRelationshipsResponse> wrong =
      ReadListResponse("<cr:SearchResponse xmlns:cr=\"http://sbrgate.dev/ns/curel\"/>");
  EXPECT_THAT(wrong.status().message(), HasSubstr("the root must be cr:ListResponse"));
}

}  // namespace
}  // namespace sbrgate::relationships
