// The XML that CUDEMOGR requests and responses travel as between sbrgate and
// the ATO (the simulator stands in for it). The CUDEMOGR package is not
// public, so this is sbrgate's vocabulary, in namespace
// http://sbrgate.dev/ns/cudemogr (prefix cd below), written and read only
// here so that both sides agree; one vocabulary for the suite's five
// services. Each request is the Body of one Single-sync exchange of its
// service's ebMS Service and its operation's action (catalog.h), From the
// agent as for CLNTCOMM (its TAN).
//
// Request:
//   <cd:Request service="ADDRESSES" operation="SUBMIT" account="AS:001">
//     <cd:Agent abn="..." ran="..."/>
//     <cd:Client type="ABN" value="..."/>
//     <cd:ClientAddress usage="POSTAL" locality="Sydney" state="NSW" postcode="2000">
//       <cd:lines>1 Wharf St</cd:lines>
//     </cd:ClientAddress>
//   </cd:Request>                          (a LIST may say includeHistory="true")
// Responses:
//   <cd:Response service="..." operation="..." clientType="ABN" clientValue="..."
//                clientName="..." account="..." changed="true">records</cd:Response>
//   <cd:Error status="PERMISSION_DENIED" code="..." message="..."/>   refused
//
// Records are written from their messages in proto/demographics.proto,
// whatever their kind: an element named after the message (ClientAddress,
// AuthorisedContact, Associate, ClientDetails, FinancialInstitutionAccount),
// each set field an attribute named by its JSON name (enums by value name,
// booleans "true"), each value of a repeated field a child element of that
// name. Unset fields are left out. Record fields are strings, booleans,
// enums or repeated strings (wire_test checks every record message).
//
//   std::string body = WriteRequest(request);
//   absl::StatusOr<v1::DemographicsResponse> answer = ReadResponse(answer_xml);
#ifndef SBRGATE_PIPELINE_CLIENTS_DEMOGRAPHICS_WIRE_H_
#define SBRGATE_PIPELINE_CLIENTS_DEMOGRAPHICS_WIRE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "proto/demographics.pb.h"

namespace sbrgate::demographics {

inline constexpr char kCudemogrNamespace[] = "http://sbrgate.dev/ns/cudemogr";

std::string WriteRequest(const v1::DemographicsRequest& r);
absl::StatusOr<v1::DemographicsRequest> ReadRequest(absl::string_view xml);

// A cd:Error answer is the error ReadResponse returns (its status,
// "code: message").
std::string WriteResponse(const v1::DemographicsResponse& r);
absl::StatusOr<v1::DemographicsResponse> ReadResponse(absl::string_view xml);
std::string WriteErrorResponse(const absl::Status& status, absl::string_view code);

}  // namespace sbrgate::demographics

#endif  // SBRGATE_PIPELINE_CLIENTS_DEMOGRAPHICS_WIRE_H_
