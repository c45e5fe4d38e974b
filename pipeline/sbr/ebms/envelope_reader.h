// Reads ebMS3 SOAP envelopes that come from outside (the agency, the
// simulator, a file an operator inspects) into the model of message.h.
//
// Inspect() reports everything wrong with an envelope and still extracts what
// it can; ReadEnvelope() is the strict form the client uses:
//
//   absl::StatusOr<ebms::Envelope> e = ebms::ReadEnvelope(http_body, "push response");
//   if (!e.ok()) return e.status();            // lists every problem, with lines
//   for (const ebms::Receipt& r : e->messaging.receipts) ...
//
//   ebms::Inspection i = ebms::Inspect(bytes, "response.xml");
//   if (!i.valid) for (const std::string& p : i.problems) ...   // "line 28: ..."
//
// An envelope is valid when it parses under pipeline/platform/xml/document.h (no DTD,
// size and depth limits), validates against schemas/envelope.xsd, and meets
// the rules the schema cannot express:
//   - the root is a SOAP 1.1 or 1.2 Envelope;
//   - its Header holds exactly one eb:Messaging;
//   - eb:Messaging holds at least one eb:UserMessage or eb:SignalMessage;
//   - every eb:MessageInfo has a non-empty eb:MessageId (and a non-empty
//     eb:RefToMessageId when present) and a real eb:Timestamp (the month,
//     day, hour, minute and second in range);
//   - every eb:SignalMessage is exactly one of: a receipt, a pull request, or
//     an error signal (one or more eb:Error).
// Each problem reads "line N: <where>: <what>", sorted by line.
//
// Reading conventions: surrounding whitespace of text values is dropped (the
// OASIS examples wrap values over lines), as is all whitespace inside digest
// values (base64). A timestamp without a time zone is UTC. When a message
// has several PartyIds the first is kept. A pull request whose MessageInfo
// has no RefToMessageId but whose eb:PullRequest has an eb:RefToMessageId
// child (schema-invalid, but what SBR's profile seems to describe) gets that
// id in ref_to_message_id. Body child elements are serialized one after
// another, each carrying the namespace declarations it uses.
//
// The schema is compiled once per process and shared; all functions here are
// thread-safe.
#ifndef SBRGATE_PIPELINE_EBMS_ENVELOPE_READER_H_
#define SBRGATE_PIPELINE_EBMS_ENVELOPE_READER_H_

#include <libxml/tree.h>

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "pipeline/sbr/ebms/message.h"

namespace sbrgate::ebms {

struct Inspection {
  bool valid = false;
  // The envelope's SOAP version; nullopt when the document is not a SOAP
  // envelope (or not XML at all).
  std::optional<SoapVersion> soap_version;
  Messaging messaging;
  std::vector<std::string> problems;  // empty when valid
};

// `source_name` names the document in ReadEnvelope's error message.
Inspection Inspect(absl::string_view xml, absl::string_view source_name);

// The envelope, or InvalidArgument "<source_name>: not a valid ebMS3
// envelope: <problem>; <problem>...".
absl::StatusOr<Envelope> ReadEnvelope(absl::string_view xml, absl::string_view source_name);

// The same for a document the caller parsed already with xml::ParseDocument
// (a receiver that verified its signature on it), so it is not parsed
// twice. Reads the document; changes nothing in it.
absl::StatusOr<Envelope> ReadEnvelope(xmlDoc* parsed, absl::string_view source_name);

}  // namespace sbrgate::ebms

#endif  // SBRGATE_PIPELINE_EBMS_ENVELOPE_READER_H_
