// DemographicsRegister: the simulator's ATO side of CUDEMOGR (seed 001,
// Client Update Demographics): what the ATO holds of each client's
// addresses, authorised contacts, associates, details and financial
// institution accounts, for the CLNTCOMM corpus's clients
// (clntcomm_corpus.h), read and changed through Serve.
//
// Until an agent changes them, a client's demographics are generated from
// its key and name, so every client has some and the same ones every time:
// an individual (a TFN client) its names and date of birth, a residential
// and a postal address (and an older postal one, superseded), and a refund
// account; a non-individual its name and indicators, a business and a
// postal address (and an older postal one), a public officer as its
// authorised contact, two directors and the public officer as associates,
// and a refund account. An account holds no addresses or contacts of its
// own until one is submitted for it.
//
// Serve applies the ATO's rules beyond the request's own (rules.h, checked
// before): NOT_FOUND for a client the corpus does not hold;
// PERMISSION_DENIED unless the agent has a relationship with the client
// (CUREL, the corpus's relationships): a client-level relationship reads
// and changes everything of the client, account- and role-level ones only
// their accounts' addresses and contacts; FAILED_PRECONDITION for an
// account that is not the client's, or details of the other kind of entity
// (an individual's for a non-individual). Then:
//   LIST addresses    the level's current addresses (include_history: the
//                     superseded too) and its authorised contacts
//   LIST associates, financial institution accounts: likewise, client level
//   GET details       the profile
//   SUBMIT addresses  each supersedes the level's current address of its
//                     usage (whose end date becomes the new start date)
//   SUBMIT contacts   the level's authorised contacts become those submitted
//   SUBMIT details    the profile becomes the one submitted
//   SUBMIT accounts   each supersedes the current account of its purpose
//   VALIDATE          answers as SUBMIT would and changes nothing
// Records submitted without a start date start today (Sydney, the corpus's
// clock). The whole of a client's demographics is handed to the recorder
// before it changes (RecordChangesWith), so a register restarted on the
// same data directory (Restore) holds every change.
//
//   DemographicsRegister demographics(&corpus);
//   demographics.RecordChangesWith([&](const state::ClientDemographics& c) {
//     return store.SaveDemographics(c);
//   });
//   absl::StatusOr<v1::DemographicsResponse> answer = demographics.Serve(request);
#ifndef SBRGATE_PIPELINE_SIM_SIMULATOR_DEMOGRAPHICS_REGISTER_H_
#define SBRGATE_PIPELINE_SIM_SIMULATOR_DEMOGRAPHICS_REGISTER_H_

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "pipeline/sim/simulator/clntcomm_corpus.h"
#include "pipeline/sim/simulator/sim_state.pb.h"
#include "proto/demographics.pb.h"

namespace sbrgate::sim {

class DemographicsRegister {
 public:
  // The corpus must outlive the register.
  explicit DemographicsRegister(ClntcommCorpus* corpus) : corpus_(corpus) {}

  // From now on every change is handed to `record` first; an error from it
  // leaves the register as it was and is the change's error.
  using Recorder = std::function<absl::Status(const state::ClientDemographics& changed)>;
  void RecordChangesWith(Recorder record) ABSL_LOCKS_EXCLUDED(mu_);

  // Takes back what a register on the same data directory recorded.
  void Restore(const std::vector<state::ClientDemographics>& saved) ABSL_LOCKS_EXCLUDED(mu_);

  // The ATO's answer to `request` (from the agent it names, which must have
  // passed demographics::RequestViolations), or its refusal as above; the
  // recorder's error when a change could not be kept.
  absl::StatusOr<v1::DemographicsResponse> Serve(const v1::DemographicsRequest& request)
      ABSL_LOCKS_EXCLUDED(mu_);

 private:
  // What the register holds for `client`, generated if nothing yet.
  state::ClientDemographics& Held(const v1::ClientId& client, const std::string& name)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  ClntcommCorpus* const corpus_;
  mutable absl::Mutex mu_;
  Recorder record_ ABSL_GUARDED_BY(mu_);  // empty: changes are not kept
  std::map<std::string, state::ClientDemographics> clients_ ABSL_GUARDED_BY(mu_);  // by ClientKey
};

// `client`'s demographics before any change (see above), named `name`.
state::ClientDemographics GeneratedDemographics(const v1::ClientId& client,
                                                const std::string& name);

}  // namespace sbrgate::sim

#endif  // SBRGATE_PIPELINE_SIM_SIMULATOR_DEMOGRAPHICS_REGISTER_H_
