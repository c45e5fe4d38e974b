// IcsRegister: the simulator's ATO side of ICS client registration (seed
// 004): the clients ICS holds (CCID clients, IND and ORG, and registered
// ABNs), the reference list of ABNs they are registered from (each with its
// status and client address codes, CACs) and the practices that may
// register clients (registrants, with the role names they may give).
//
// Register applies every CLREG rule to a request, in this order:
//   1. the rules any side can check (pipeline/clients/ics/rules/registration_rules.h);
//   2. the user's roles: the practice must be a registrant holding every
//      role name asked for ("User does not contain a valid role to
//      create/register this CCID/ABN", field role_names[i]; field
//      agent.agent_abn for a practice that is no registrant);
//   3. an ABN: on the reference list ("Invalid ABN" otherwise), not
//      cancelled, not already registered ("ABN already registered"), and its
//      business address from its lowest-numbered valid CAC, or from the CAC
//      the request names (which must be one of its CACs, and valid);
//      registered with the ABN as its client id;
//   4. a CCID: a 100% match of name and address with clients ICS holds
//      rejects it as a duplicate (CLNTDUP) listing every one matched, except
//      an ABN client whose ABN is cancelled, which never blocks a CCID;
//      otherwise a new CCID ("CC" and 9 digits, numbered from 1).
// A name is an organisation's name, or an individual's given names and
// family name; an address its lines, locality, state, postcode and country
// (not its type). Both compare ignoring case and runs of spaces (inferred:
// the seed says "100% match"). An ABN registration supplies no name or
// address, so rule 4 is for CCIDs only. The role model (registrants by
// agent ABN, roles being the client roles they may give) and the CCID
// format are inferred too.
//
// Every change is handed to the recorder (RecordChangesWith) before the
// register changes, and a request is answered only once it is recorded, so
// a simulator restarted on the same data directory (Restore) holds every
// client it registered.
//
//   IcsRegister ics;
//   ics.RecordChangesWith([&](const state::IcsChange& c) { return store.SaveIcs(c); });
//   absl::StatusOr<state::IcsSeed> seed = ParseIcsSeedJson(json);
//   absl::StatusOr<state::IcsChange> seeded = ics.Seed(*seed);
//   absl::StatusOr<v1::RegisterClientResponse> answer = ics.Register(request);
//
// Seeding (POST /admin/ics/seed, state::IcsSeed in protobuf JSON) adds or
// replaces registrants and ABNs, generates `generate_abns.count` ABNs from
// `generate_abns.seed` (the same seed, the same ABNs: names, statuses, CACs
// and addresses; every fifth cancelled, CAC 1 invalid on every second), and
// adds clients, e.g.
//   {"registrants": [{"agent_abn": "51824753556", "role_names": ["IMPORTER"]}],
//    "abns": [{"abn": "53004085616", "name": "Wattle Freight Pty Ltd",
//              "cancelled": false,
//              "cacs": [{"number": 1, "valid": false, "address": {...}},
//                       {"number": 2, "valid": true, "address": {"type": "BUSINESS",
//                        "lines": ["1 Wharf St"], "locality": "Sydney", "state": "NSW",
//                        "postcode": "2000", "country": "AU"}}]}],
//    "generate_abns": {"count": 10, "seed": 7},
//    "clients": [{"type": "IND", "name": "Mei Nguyen", "address": {...}},
//                {"type": "ABN", "abn": "53004085616"}]}
#ifndef SBRGATE_PIPELINE_SIM_SIMULATOR_ICS_REGISTER_H_
#define SBRGATE_PIPELINE_SIM_SIMULATOR_ICS_REGISTER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "pipeline/sim/simulator/ics_seed.pb.h"
#include "pipeline/sim/simulator/sim_state.pb.h"
#include "proto/ics.pb.h"

namespace sbrgate::sim {

class IcsRegister {
 public:
  // From now on every change is handed to `record` first; an error from it
  // leaves the register as it was and is the change's error.
  using Recorder = std::function<absl::Status(const state::IcsChange& change)>;
  void RecordChangesWith(Recorder record) ABSL_LOCKS_EXCLUDED(mu_);

  // Takes back what a register on the same data directory recorded (every
  // record, and the last next_ccid), before anything else runs.
  absl::Status Restore(const state::IcsChange& saved) ABSL_LOCKS_EXCLUDED(mu_);

  // Adds what `seed` holds; returns every record it added or replaced.
  // InvalidArgument naming the record and field when one is wrong (nothing
  // is added then).
  absl::StatusOr<state::IcsChange> Seed(const state::IcsSeed& seed) ABSL_LOCKS_EXCLUDED(mu_);

  // The agency's answer to `request` (rules above). Errors are the
  // recorder's only: the client is not registered then.
  absl::StatusOr<v1::RegisterClientResponse> Register(const v1::RegisterClientRequest& request)
      ABSL_LOCKS_EXCLUDED(mu_);

  // What the register holds, by client id, ABN and agent ABN.
  std::vector<v1::IcsClient> Clients() const ABSL_LOCKS_EXCLUDED(mu_);
  std::vector<state::IcsAbn> Abns() const ABSL_LOCKS_EXCLUDED(mu_);
  std::vector<state::IcsRegistrant> Registrants() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  // Hands `change` to the recorder, then applies it.
  absl::Status Commit(const state::IcsChange& change) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Apply(const state::IcsChange& change) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // `client` with its status now: an ABN client's is its ABN's.
  v1::IcsClient WithStatus(v1::IcsClient client) const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  // The rules that need the register (2 to 4 above).
  v1::RegisterClientResponse Judge(const v1::RegisterClientRequest& request,
                                   state::IcsChange& change) const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  v1::RegisterClientResponse JudgeAbn(const v1::AbnRegistration& abn,
                                      state::IcsChange& change) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  v1::RegisterClientResponse JudgeCcid(const v1::CcidRegistration& ccid,
                                       state::IcsChange& change) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  Recorder record_ ABSL_GUARDED_BY(mu_);  // empty: changes are not kept
  std::map<std::string, v1::IcsClient> clients_ ABSL_GUARDED_BY(mu_);  // by client id
  std::map<std::string, state::IcsAbn> abns_ ABSL_GUARDED_BY(mu_);     // by ABN
  std::map<std::string, state::IcsRegistrant> registrants_ ABSL_GUARDED_BY(mu_);
  int64_t next_ccid_ ABSL_GUARDED_BY(mu_) = 1;
};

// The address an ABN registration takes: from CAC `cac` (0: the
// lowest-numbered valid one), which must be one of `abn`'s CACs and valid.
// FailedPrecondition saying why not.
absl::StatusOr<state::IcsCac> BusinessAddressCac(const state::IcsAbn& abn, int cac);

// Whether two names, or two addresses, are the same under the comparison
// above.
bool SameName(absl::string_view a, absl::string_view b);
bool SameAddress(const v1::IcsAddress& a, const v1::IcsAddress& b);

// The name ICS holds for a CCID registration: the organisation's name, or
// the individual's given names and family name.
std::string CcidName(const v1::CcidRegistration& ccid);

// Parses POST /admin/ics/seed's JSON; InvalidArgument saying where it is wrong.
absl::StatusOr<state::IcsSeed> ParseIcsSeedJson(absl::string_view json);
// Records as JSON (protobuf's mapping, field names as in the .proto files).
std::string IcsChangeJson(const state::IcsChange& change);

}  // namespace sbrgate::sim

#endif  // SBRGATE_PIPELINE_SIM_SIMULATOR_ICS_REGISTER_H_
