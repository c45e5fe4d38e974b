// The XML that ICS client registration (seed 004) travels as between
// sbrgate and the ATO (the SBR2 simulator stands in for it in tests). The
// ATO's CLREG, ERM and CLNTDUP schemas are not public, so this is sbrgate's
// own vocabulary, in namespace http://sbrgate.dev/ns/ics (prefix ics below),
// whose names mirror proto/ics.proto's; the gateway and the simulator both
// read and write it through this file so they cannot drift apart.
//
// How it travels (unverified: inferred from the SBR2 profile and CLNTCOMM):
// one Single-sync exchange (POST .../Single-sync), ebMS3 Service
// kIcsService, Action kIcsActionRegister, From PartyId = the practice (its
// RAN with type http://ato.gov.au/PartyIdType/TAN, else its ABN). The
// request (user message type CLREG) is the signed SOAP Body; the answer
// comes back at once, its Body either
//   - CLRREGR, the registration response carried in an ERM (PartProperties
//     DocumentName CLRREGR, DocumentType ERM): the client registered, or the
//     errors that refused it; or
//   - CLNTDUP (DocumentName and DocumentType CLNTDUP): the request matched
//     existing clients on name and address, each listed.
//
//   <ics:CLREG xmlns:ics="http://sbrgate.dev/ns/ics">
//     <ics:Agent abn="51824753556" ran="12345678"/>
//     <ics:Ccid clientType="IND|ORG">                    exactly one of Ccid and Abn
//       <ics:FamilyName>Nguyen</ics:FamilyName>  <ics:GivenNames>Mei</ics:GivenNames>
//       <ics:OrganisationName>...</ics:OrganisationName>
//       <ics:BusinessAddress type="BUSINESS">   (an ics:Address, below)
//     </ics:Ccid>
//     <ics:Abn abn="53004085616" cac="2"/>               cac absent: the lowest valid
//     <ics:Contact name="Pat" purpose="GENERAL">
//       <ics:Address>02 9000 0000</ics:Address> ...      1..6 data elements
//     </ics:Contact>
//     <ics:RoleName>IMPORTER</ics:RoleName> ...
//   </ics:CLREG>
//
//   An address: <... type="BUSINESS"><ics:Line>1 Wharf St</ics:Line>...
//     <ics:Locality>Sydney</ics:Locality><ics:State>NSW</ics:State>
//     <ics:Postcode>2000</ics:Postcode><ics:Country>AU</ics:Country></...>
//
//   <ics:ERM documentName="CLRREGR" outcome="REGISTERED|REJECTED">
//     <ics:Client id="CC000000001" type="IND|ORG|ABN" status="ACTIVE|CANCELLED"
//                 abn="..." cac="2">                     REGISTERED
//       <ics:Name>Mei Nguyen</ics:Name> <ics:Address type="...">...</ics:Address>
//     </ics:Client>
//     <ics:Error code="CMN.ATO.CLREG.000011" field="abn.abn" message="..."/> ...   REJECTED
//   </ics:ERM>
//   <ics:CLNTDUP>
//     <ics:Client ...>...</ics:Client> ...               every existing client matched
//   </ics:CLNTDUP>
//
// An ERM error's field names the request field as proto/ics.proto does
// ("ccid.family_name", "role_names[1]"); empty when the whole request is
// refused (not the sender, unreadable, a system error).
//
//   std::string body = WriteRequest(request);
//   ... exchange ...
//   absl::StatusOr<v1::RegisterClientResponse> answer = ReadResponse(body_xml);
// and on the answering side:
//   absl::StatusOr<v1::RegisterClientRequest> request = ReadRequest(body_xml);
//   std::string answer = WriteResponse(response);  // ERM or CLNTDUP by its outcome
#ifndef SBRGATE_PIPELINE_CLIENTS_ICS_WIRE_WIRE_H_
#define SBRGATE_PIPELINE_CLIENTS_ICS_WIRE_WIRE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "proto/ics.pb.h"

namespace sbrgate::ics {

inline constexpr char kIcsNamespace[] = "http://sbrgate.dev/ns/ics";
// The ebMS3 Service and Action (unverified).
inline constexpr char kIcsService[] = "http://sbr.gov.au/ato/ics/clreg";
inline constexpr char kIcsActionRegister[] = "Register.001.00";
// User message types and their ICS document types (seed 004's table).
inline constexpr char kClreg[] = "CLREG";      // inbound: document type CLREG
inline constexpr char kClrregr[] = "CLRREGR";  // outbound: document type ERM
inline constexpr char kErm[] = "ERM";
inline constexpr char kClntdup[] = "CLNTDUP";  // outbound: document type CLNTDUP

std::string WriteRequest(const v1::RegisterClientRequest& request);
// Reads a CLREG as it is: the rules (registration_rules.h) judge it.
// InvalidArgument naming the element when it is not CLREG's shape.
absl::StatusOr<v1::RegisterClientRequest> ReadRequest(absl::string_view xml);

// An ERM (REGISTERED, REJECTED) or a CLNTDUP (DUPLICATE); message_id is not
// written.
std::string WriteResponse(const v1::RegisterClientResponse& response);
absl::StatusOr<v1::RegisterClientResponse> ReadResponse(absl::string_view xml);

// The PartProperties DocumentName and DocumentType of `outcome`'s response.
const char* ResponseDocumentName(v1::RegisterClientResponse::Outcome outcome);
const char* ResponseDocumentType(v1::RegisterClientResponse::Outcome outcome);

}  // namespace sbrgate::ics

#endif  // SBRGATE_PIPELINE_CLIENTS_ICS_WIRE_WIRE_H_
