// JSON renderings of CommunicationService messages (proto/
// communications.proto) for `sbrgate comms ... --json`:
//
//   std::cout << JobJson(job).dump() << "\n";
//   // {"job_id", "kind", "state": "SCHEDULED", "not_before", "created_at",
//   //  "finished_at", "detail", "item_count", "document_count",
//   //  "served_from_store", "failed_documents", "items": [...],
//   //  "documents": [...]}
//
// Enums are their proto names ("PAPER", "NOTIFY", "TFN"); times are RFC 3339
// in UTC, null when unset.
#ifndef SBRGATE_SERVICES_CLI_COMMS_JSON_H_
#define SBRGATE_SERVICES_CLI_COMMS_JSON_H_

#include <nlohmann/json.hpp>

#include "proto/communications.pb.h"

namespace sbrgate::cli {

// {"type", "value"}
nlohmann::ordered_json ClientIdJson(const v1::ClientId& id);

// {"document_id", "client", "client_name", "channel", "category", "title",
//  "sent_at", "account"}
nlohmann::ordered_json CommunicationItemJson(const v1::CommunicationItem& item);

// {"item", "sha256", "size", "served_from_store"}
nlohmann::ordered_json CommunicationJson(const v1::Communication& c);

nlohmann::ordered_json JobJson(const v1::Job& job);

}  // namespace sbrgate::cli

#endif  // SBRGATE_SERVICES_CLI_COMMS_JSON_H_
