// The XML that CUREL requests and responses travel as between sbrgate and
// the ATO (the simulator stands in for it). The CUREL package is not
// public, so this is sbrgate's vocabulary, in namespace
// http://sbrgate.dev/ns/curel (prefix cr below), written and read only here
// so that both sides agree. Every CUREL action is a Single-sync exchange
// (the request is the signed SOAP Body, the answer comes back at once),
// From the agent as for CLNTCOMM (its TAN).
//
// Service and actions (our reading, after the profile's shapes):
//   http://sbr.gov.au/ato/curel/2018   Search.004.00, Submit.004.00,
//   Validate.004.00, Remove.004.00, ValidateRemove.004.00, List.004.00
//
// Requests:
//   <cr:SearchRequest><cr:Agent abn="..." ran="..."/><cr:Client type="TFN" value="..."/>
//   <cr:RelationshipRequest>         Submit, Validate, Remove, ValidateRemove
//     <cr:Agent .../>
//     <cr:Relationship clientType="ABN" clientValue="..." level="CLIENT|ACCOUNT|ROLE"
//                      account="AS:001" role="BAS_AGENT"/>
//   <cr:ListRequest><cr:Agent .../><cr:Client .../>?</cr:ListRequest>
// Responses:
//   <cr:SearchResponse clientType=".." clientValue=".." name=".." linked="true">
//     <cr:Account id="IT"/>...</cr:SearchResponse>
//   <cr:RelationshipResponse changed="true"><cr:Relationship ... clientName=".."/>
//   <cr:ListResponse><cr:Relationship .../>...</cr:ListResponse>
//   <cr:Error status="NOT_FOUND" code="..." message="..."/>   the request refused
//
//   std::string body = WriteSearchRequest(request);
//   absl::StatusOr<v1::SearchClientResponse> found = ReadSearchResponse(answer_xml);
#ifndef SBRGATE_PIPELINE_CLIENTS_RELATIONSHIPS_WIRE_H_
#define SBRGATE_PIPELINE_CLIENTS_RELATIONSHIPS_WIRE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "proto/relationships.pb.h"

namespace sbrgate::relationships {

inline constexpr char kCurelNamespace[] = "http://sbrgate.dev/ns/curel";
inline constexpr char kServiceCurel[] = "http://sbr.gov.au/ato/curel/2018";
inline constexpr char kActionSearch[] = "Search.004.00";
inline constexpr char kActionSubmit[] = "Submit.004.00";
inline constexpr char kActionValidate[] = "Validate.004.00";
inline constexpr char kActionRemove[] = "Remove.004.00";
inline constexpr char kActionValidateRemove[] = "ValidateRemove.004.00";
inline constexpr char kActionList[] = "List.004.00";
// The PartProperties DocumentName of every CUREL body.
inline constexpr char kCurelDocumentName[] = "CUREL";

std::string WriteSearchRequest(const v1::SearchClientRequest& r);
absl::StatusOr<v1::SearchClientRequest> ReadSearchRequest(absl::string_view xml);
std::string WriteRelationshipRequest(const v1::RelationshipRequest& r);
absl::StatusOr<v1::RelationshipRequest> ReadRelationshipRequest(absl::string_view xml);
std::string WriteListRequest(const v1::ListRelationshipsRequest& r);
absl::StatusOr<v1::ListRelationshipsRequest> ReadListRequest(absl::string_view xml);

// A cr:Error answer is the error these return (its status, "code: message").
std::string WriteSearchResponse(const v1::SearchClientResponse& r);
absl::StatusOr<v1::SearchClientResponse> ReadSearchResponse(absl::string_view xml);
std::string WriteRelationshipResponse(const v1::RelationshipResponse& r);
absl::StatusOr<v1::RelationshipResponse> ReadRelationshipResponse(absl::string_view xml);
std::string WriteListResponse(const v1::ListRelationshipsResponse& r);
absl::StatusOr<v1::ListRelationshipsResponse> ReadListResponse(absl::string_view xml);
std::string WriteErrorResponse(const absl::Status& status, absl::string_view code);

}  // namespace sbrgate::relationships

#endif  // SBRGATE_PIPELINE_CLIENTS_RELATIONSHIPS_WIRE_H_
