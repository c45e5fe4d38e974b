// The ebMS3 message model shared by the envelope writer and reader: what one
// eb:Messaging header carries (user messages and the three signals), the
// SOAP version around it, and the well-known values of the ATO's SBR2
// profile (shared/reference/sbr-profile.md, among the source documents).
//
//   ebms::Envelope envelope;
//   ebms::UserMessage& m = envelope.messaging.user_messages.emplace_back();
//   m.message_id = ebms::NewMessageId("sbrgate.example.com.au");
//   m.timestamp = clock.Now();
//   m.from = {abn, ebms::kPartyTypeAbn, ebms::kRoleBusiness};
//   m.to = {ebms::kAtoAbn, ebms::kPartyTypeAbn, ebms::kRoleAgency};
//   m.service = ebms::kServicePayevnt;
//   m.action = ebms::kActionPayevntSubmit;
//   m.conversation_id = NewUuid();                    // platform/common/uuid.h
//   std::string xml = ebms::WriteEnvelope(envelope);   // envelope_writer.h
//
// Empty strings mean "absent" for optional values (RefToMessageId, mpc,
// AgreementRef, types, descriptions). The model keeps one PartyId per party:
// SBR uses one, and the reader keeps the first when a message has several.
#ifndef SBRGATE_PIPELINE_EBMS_MESSAGE_H_
#define SBRGATE_PIPELINE_EBMS_MESSAGE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace sbrgate::ebms {

enum class SoapVersion { kSoap11, kSoap12 };

struct Party {
  std::string id;
  std::string type;  // PartyId/@type
  std::string role;
};

// A MessageProperties or PartProperties entry; order is kept.
struct Property {
  std::string name;
  std::string value;
};

struct PartInfo {
  std::string href;  // "cid:..." for an attachment, empty (or "#id") for the SOAP Body
  std::vector<Property> properties;
};

struct UserMessage {
  std::string message_id;
  absl::Time timestamp;
  std::string ref_to_message_id;
  std::string mpc;
  Party from;
  Party to;
  std::string agreement_ref;
  std::string service;
  std::string service_type;
  std::string action;
  std::string conversation_id;
  std::vector<Property> message_properties;
  std::vector<PartInfo> parts;
};

// One ds:Reference of the receipt's ebbp:NonRepudiationInformation: what the
// receiver digested of the message it got.
struct NonRepudiationReference {
  std::string uri;            // "cid:..." or "#id"
  std::string digest_method;  // e.g. http://www.w3.org/2001/04/xmlenc#sha256
  std::string digest_value;   // base64
};

struct Receipt {
  std::string message_id;
  absl::Time timestamp;
  std::string ref_to_message_id;  // the user message being acknowledged
  std::vector<NonRepudiationReference> references;
};

struct Error {
  std::string error_code;  // "EBMS:0006"
  std::string severity;    // "failure" | "warning"
  std::string category;    // "Content", "Packaging", "Unpackaging", "Communication", "Processing"
  std::string ref_to_message_in_error;
  std::string short_description;
  std::string origin;       // "ebMS", "reliability", "security"
  std::string description;  // eb:Description (xml:lang="en")
  std::string detail;       // eb:ErrorDetail
};

struct ErrorSignal {
  std::string message_id;
  absl::Time timestamp;
  std::string ref_to_message_id;
  std::vector<Error> errors;
};

// A pull. The message it asks about, if any, travels as the signal's
// eb:MessageInfo/eb:RefToMessageId (see envelope_writer.h for why).
struct PullRequest {
  std::string message_id;
  absl::Time timestamp;
  std::string mpc;  // empty: the default MPC
  std::string ref_to_message_id;
};

struct Messaging {
  std::vector<UserMessage> user_messages;
  std::vector<Receipt> receipts;
  std::vector<ErrorSignal> errors;
  std::vector<PullRequest> pull_requests;
};

struct Envelope {
  SoapVersion soap_version = SoapVersion::kSoap12;
  Messaging messaging;
  // The SOAP Body's child elements, serialized; empty when the Body is empty
  // (SBR payloads travel as MIME attachments).
  std::string body_xml;
};

// Namespaces.
inline constexpr char kSoap11Namespace[] = "http://schemas.xmlsoap.org/soap/envelope/";
inline constexpr char kSoap12Namespace[] = "http://www.w3.org/2003/05/soap-envelope";
inline constexpr char kEbmsNamespace[] =
    "http://docs.oasis-open.org/ebxml-msg/ebms/v3.0/ns/core/200704/";
inline constexpr char kEbbpSignalsNamespace[] =
    "http://docs.oasis-open.org/ebxml-bp/ebbp-signals-2.0";
inline constexpr char kWsseNamespace[] =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
inline constexpr char kWsuNamespace[] =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";
inline constexpr char kDsNamespace[] = "http://www.w3.org/2000/09/xmldsig#";

// wsu:Id values the writer gives eb:Messaging and the SOAP Body, for the
// WS-Security signer to reference ("#messaging", "#body").
inline constexpr char kMessagingWsuId[] = "messaging";
inline constexpr char kBodyWsuId[] = "body";

inline constexpr char kDefaultMpc[] =
    "http://docs.oasis-open.org/ebxml-msg/ebms/v3.0/ns/core/200704/defaultMPC";

// SBR2 parties.
inline constexpr char kAtoAbn[] = "51824753556";
inline constexpr char kPartyTypeAbn[] = "http://abr.gov.au/PartyIdType/ABN";
inline constexpr char kPartyTypeTan[] = "http://ato.gov.au/PartyIdType/TAN";
inline constexpr char kPartyTypeWpn[] = "http://ato.gov.au/PartyIdType/WPN";
inline constexpr char kRoleBusiness[] = "http://sbr.gov.au/ato/Role/Business";
inline constexpr char kRoleRegisteredAgent[] = "http://sbr.gov.au/ato/Role/Registered Agent";
inline constexpr char kRoleAgency[] = "http://sbr.gov.au/agency";

// SBR2 services and actions.
inline constexpr char kServicePayevnt[] = "http://sbr.gov.au/ato/payevnt/2020";
inline constexpr char kActionPayevntSubmit[] = "Submit.004.00";
inline constexpr char kActionPayevntUpdate[] = "Update.004.00";
inline constexpr char kServiceClntcomm[] = "http://sbr.gov.au/ato/clntcomm/2020";
inline constexpr char kActionClntcommList[] = "List.001.00";
inline constexpr char kActionClntcommGet[] = "Get.001.00";

// SBR2 MessageProperties and PartProperties names.
inline constexpr char kPropertyProductId[] = "ProductID";
inline constexpr char kPropertyBmsVendor[] = "BMS Vendor";
inline constexpr char kPropertyBmsName[] = "BMS Name";
inline constexpr char kPropertyBmsVersion[] = "BMS Version";
inline constexpr char kPartPropertyCompressionType[] = "CompressionType";
inline constexpr char kPartPropertyMimeType[] = "MimeType";
inline constexpr char kPartPropertyDocumentName[] = "DocumentName";
inline constexpr char kPartPropertyDocumentType[] = "DocumentType";

// ebMS3 error codes (OASIS ebMS3 Core, section 6.7, and the AS4 profile).
inline constexpr char kErrorValueNotRecognized[] = "EBMS:0001";
inline constexpr char kErrorFeatureNotSupported[] = "EBMS:0002";
inline constexpr char kErrorValueInconsistent[] = "EBMS:0003";
inline constexpr char kErrorOther[] = "EBMS:0004";
inline constexpr char kErrorConnectionFailure[] = "EBMS:0005";
inline constexpr char kErrorEmptyMessagePartitionChannel[] = "EBMS:0006";
inline constexpr char kErrorMimeInconsistency[] = "EBMS:0007";
inline constexpr char kErrorFeatureNotSupportedInconsistency[] = "EBMS:0008";
inline constexpr char kErrorInvalidHeader[] = "EBMS:0009";
inline constexpr char kErrorProcessingModeMismatch[] = "EBMS:0010";
inline constexpr char kErrorExternalPayloadError[] = "EBMS:0011";
inline constexpr char kErrorFailedAuthentication[] = "EBMS:0101";
inline constexpr char kErrorFailedDecryption[] = "EBMS:0102";
inline constexpr char kErrorPolicyNoncompliance[] = "EBMS:0103";
inline constexpr char kErrorMissingReceipt[] = "EBMS:0301";
inline constexpr char kErrorInvalidReceipt[] = "EBMS:0302";
inline constexpr char kErrorDecompressionFailure[] = "EBMS:0303";

// One row of the OASIS error table.
struct ErrorDefinition {
  const char* code;
  const char* short_description;
  const char* category;
  const char* severity;
  const char* origin;
};

// The row for `code` ("EBMS:0006"), or nullptr for a code not in the table.
const ErrorDefinition* FindErrorDefinition(absl::string_view code);

// An eb:Error for a code of the table, with its short description, category,
// default severity and origin filled in (code only, "failure", if unknown).
Error MakeError(absl::string_view code, absl::string_view ref_to_message_in_error,
                absl::string_view description = "");

// A globally unique ebMS MessageId, "<uuid>@<domain>" (NewUuid, uuid.h).
std::string NewMessageId(absl::string_view domain);

// xsd:dateTime in UTC with millisecond precision: "2024-07-01T13:42:37.429Z".
std::string FormatDateTime(absl::Time t);
// Parses an xsd:dateTime strictly (every field in range, the day present in
// its month; years 0001-9999). A value without a time zone is taken as UTC,
// as ebMS3 timestamps are UTC. Errors name the offending fields.
absl::StatusOr<absl::Time> ParseDateTime(absl::string_view text);

}  // namespace sbrgate::ebms

#endif  // SBRGATE_PIPELINE_EBMS_MESSAGE_H_
