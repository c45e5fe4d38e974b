// The simulator's answer to one CUREL request (seed 001: Client Update
// Relationship): the ATO's checks on who asks (the request's agent is the
// sender, a registered agent with that RAN) and what (the relationship
// rules), then the search, change or list on the CLNTCOMM corpus, whose
// relationships decide what each agent sees of its clients'
// communications. Written in pipeline/clients/relationships/wire.h's
// vocabulary; a refusal is a cr:Error saying why.
//
//   std::string answer = ServeCurel(corpus, um.action, um.from, body_xml);
#ifndef SBRGATE_PIPELINE_SIM_CUREL_SERVE_H_
#define SBRGATE_PIPELINE_SIM_CUREL_SERVE_H_

#include <string>

#include "absl/strings/string_view.h"
#include "pipeline/sbr/ebms/message.h"
#include "pipeline/sim/simulator/clntcomm_corpus.h"

namespace sbrgate::sim {

std::string ServeCurel(ClntcommCorpus& corpus, absl::string_view action, const ebms::Party& from,
                       absl::string_view request_xml);

}  // namespace sbrgate::sim

#endif  // SBRGATE_PIPELINE_SIM_CUREL_SERVE_H_
