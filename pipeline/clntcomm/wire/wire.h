// The XML that CLNTCOMM requests and responses travel as between sbrgate and
// the ATO (the SBR2 simulator stands in for it in tests). The ATO's own
// CLNTCOMM schema is not public, so this is sbrgate's vocabulary, in
// namespace http://sbrgate.dev/ns/clntcomm (prefix cc below); the gateway
// and the simulator both read and write it through this file so they cannot
// drift apart.
//
// How it travels (ebMS3 UserMessage, Service http://sbr.gov.au/ato/clntcomm/2020,
// Action List.001.00 or Get.001.00, From PartyId = the agent: its ABN with
// type http://abr.gov.au/PartyIdType/ABN, or its RAN with type
// http://ato.gov.au/PartyIdType/TAN):
//   - single (POST .../Single-sync): the request is the SOAP Body, signed;
//     the response comes back at once as a UserMessage (RefToMessageId = the
//     request) whose Body is the response. A single get carries its document
//     base64 in the Body (documents up to 768 KiB: the envelope reader's
//     text limit).
//   - bulk (POST .../BulkBatch-async-push, then .../BulkBatch-async-pull by
//     reference, as for PAYEVNT): the request is the one gzip attachment
//     (PartProperties DocumentName CLNTCOMM, DocumentType ListRequest or
//     GetRequest), so SbrClient::Push works as it is; the pulled response is
//     one gzip attachment (DocumentName CLNTCOMM, DocumentType ListResponse or
//     GetResponse) that SbrClient::Pull decompresses (PullOutcome::response). Read it
//     with ResponseReader: a bulk get response holds many documents.
//
// Requests:
//   <cc:ListRequest xmlns:cc="http://sbrgate.dev/ns/clntcomm">
//     <cc:Agent abn="51824753556" ran="12345678"/>
//     <cc:Client type="TFN" value="123456782"/>        0..20; none: whole practice
//     <cc:DateRange from="2024-07-01" to="2024-07-07"/>
//     <cc:Channel>PAPER</cc:Channel>                   1..6: PAPER MYGOV SMS EMAIL
//                                                       AGENT_DIGITAL ATO_ONLINE
//     <cc:Category>NOTIFY</cc:Category>                0..1 (v1::Category names)
//     <cc:Sort by="SENT_DATE|CLIENT_NAME" order="ascending|descending"/>  optional
//   </cc:ListRequest>
//   <cc:GetRequest xmlns:cc="...">
//     <cc:Agent abn="..." ran="..."/>
//     <cc:Document id="CC0123456789ABCDEF" clientType="TFN" clientValue="123456782"/>
//                                                       single: exactly 1; bulk: 1..n
//   </cc:GetRequest>
// Responses:
//   <cc:ListResponse moreResults="true|false" count="100">
//     <cc:Item id="..." clientType="TFN" clientValue="..." clientName="..."
//              channel="PAPER" category="NOTIFY" account="AS:001"
//              sentAt="2024-07-01T03:12:09.000Z">title</cc:Item>  ...
//   </cc:ListResponse>                  single: at most 100 items; bulk: all
//   <cc:GetResponse>
//     <cc:Document (the Item attributes) title="..." mimeType="application/pdf" size="1234"
//                  sha256="(hex of the bytes)">base64 of the bytes</cc:Document>
//     <cc:Failure id="..." clientType="..." clientValue="..."
//                 status="NOT_FOUND|PERMISSION_DENIED" message="..."/>  (bulk only)
//   </cc:GetResponse>
//   <cc:Error status="PERMISSION_DENIED" code="SBR.GEN.AUTH.006" message="..."/>
//     the whole request was refused (status: an absl/gRPC code name).
//
//   std::string body = WriteListRequest(request);
//   ... exchange ...
//   absl::StatusOr<v1::ListCommunicationsResponse> page = ReadListResponse(body_xml);
//
//   auto reader = ResponseReader::Open(std::move(file_source), "bulk-get.xml");
//   while (true) { auto e = (*reader)->Next(); ... if (!*e) break; (*e)->document ... }
//
// The answering side writes responses to a ByteSink:
//   WriteListResponse(page, sink);
//   GetResponseWriter get(sink);
//   get.AddDocument(doc); get.AddFailure(request, status); ... get.Finish();
//   WriteErrorResponse(absl::PermissionDeniedError("..."), "SBR.GEN.AUTH.006", sink);
#ifndef SBRGATE_PIPELINE_CLNTCOMM_WIRE_H_
#define SBRGATE_PIPELINE_CLNTCOMM_WIRE_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/platform/xml/record_reader.h"
#include "proto/communications.pb.h"

namespace sbrgate::clntcomm {

inline constexpr char kClntcommNamespace[] = "http://sbrgate.dev/ns/clntcomm";
// PartProperties of bulk requests and responses.
inline constexpr char kClntcommDocumentName[] = "CLNTCOMM";
inline constexpr char kClntcommListRequest[] = "ListRequest";
inline constexpr char kClntcommGetRequest[] = "GetRequest";
inline constexpr char kClntcommListResponse[] = "ListResponse";
inline constexpr char kClntcommGetResponse[] = "GetResponse";

// One communication with its bytes.
struct Document {
  v1::CommunicationItem item;
  std::string mime_type;  // application/pdf, or text/plain for SMS
  std::string content;
};

std::string WriteListRequest(const v1::ListCommunicationsRequest& request);
absl::StatusOr<v1::ListCommunicationsRequest> ReadListRequest(absl::string_view xml);
// The agent and every document's (client, document_id); refetch is not sent.
std::string WriteGetRequest(const v1::BulkGetRequest& request);
absl::StatusOr<v1::BulkGetRequest> ReadGetRequest(absl::string_view xml);

// One entry of a response: a listed item, a retrieved document (item,
// mime_type, content) or, in a bulk get, a document that was refused
// (`status` not OK, item holding its id and client).
struct ResponseEntry {
  Document document;
  std::string sha256;  // as the response states it (documents)
  absl::Status status;
};

// Streams a ListResponse or GetResponse. A cc:Error response is the error
// Open returns (its status, "code: message").
class ResponseReader {
 public:
  static absl::StatusOr<std::unique_ptr<ResponseReader>> Open(std::unique_ptr<ByteSource> source,
                                                              absl::string_view source_name);
  bool is_list() const { return is_list_; }
  bool more_results() const { return more_results_; }
  // The next entry, nullopt at the end. A document whose bytes do not match
  // its size or sha256 is DataLoss.
  absl::StatusOr<std::optional<ResponseEntry>> Next();

 private:
  ResponseReader() = default;
  std::unique_ptr<xml::RecordReader> reader_;
  std::string source_name_;
  bool is_list_ = false;
  bool more_results_ = false;
};

// Whole responses held in memory (single requests, tests).
absl::StatusOr<v1::ListCommunicationsResponse> ReadListResponse(absl::string_view xml);
absl::StatusOr<std::vector<ResponseEntry>> ReadGetResponse(absl::string_view xml);

// A cc:ListResponse of `page`'s items and more_results.
absl::Status WriteListResponse(const v1::ListCommunicationsResponse& page, ByteSink& sink);

// Streams a cc:GetResponse one entry at a time, so that a bulk get of many
// documents is never held whole. The opening tag is written with the first
// entry (or by Finish, for an empty response).
class GetResponseWriter {
 public:
  explicit GetResponseWriter(ByteSink& sink) : sink_(sink) {}
  // A retrieved document, with its size and sha256.
  absl::Status AddDocument(const Document& document);
  // A document of a bulk get that was refused; `status` is not OK.
  absl::Status AddFailure(const v1::GetCommunicationRequest& request, const absl::Status& status);
  // Closes the response; nothing may be added after.
  absl::Status Finish();

 private:
  absl::Status Start();
  ByteSink& sink_;
  bool started_ = false;
};

// A cc:Error: the whole request was refused with `status` (not OK) and the
// ATO-style `code`.
absl::Status WriteErrorResponse(const absl::Status& status, absl::string_view code, ByteSink& sink);

}  // namespace sbrgate::clntcomm

#endif  // SBRGATE_PIPELINE_CLNTCOMM_WIRE_H_
