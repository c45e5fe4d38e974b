#include "services/common/executables.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "pipeline/topology/topology.h"

namespace sbrgate {

namespace {

std::vector<StageExecutable> Declare() {
  namespace ls = lodgment::stages;
  namespace cs = comms::stages;
  // The gRPC LodgmentService, answering from the status view it holds in
  // <data-dir>/view (services/common/gateway.cc).
  StageExecutable gateway{"gateway", {ls::kStatusView}};
  gateway.grpc_port = 50051;
  gateway.instance_dirs = {"view"};

  StageExecutable submit{"submit", {ls::kSubmit}};
  submit.talks_to_sbr = true;

  // Stages with stores keep them in <data-dir>/state (KafkaStateDir,
  // services/common/topic_log.h).
  StageExecutable poll{"poll", {ls::kPoll}};
  poll.talks_to_sbr = true;
  poll.instance_dirs = {"state"};

  StageExecutable triage{"triage", {ls::kTriage}};

  StageExecutable resubmit{"resubmit", {ls::kResubmit}};
  resubmit.instance_dirs = {"state"};

  // The gRPC CommunicationService (its default port, 50052, is the one it
  // sets in main.cc), the job view it answers from and the job stage
  // (services/common/clntcomm.cc).
  StageExecutable clntcomm{"clntcomm", {cs::kJobs, cs::kJobView}};
  clntcomm.talks_to_sbr = true;
  clntcomm.grpc_port = 50052;
  clntcomm.comms_permissions = true;
  clntcomm.instance_dirs = {"jobs-view", "state"};
  clntcomm.single_instance_reason =
      "its retrieve-once ledger, <data-dir>/clntcomm-ledger (RocksDB), opens in one process at "
      "a time";

  return {gateway, submit, poll, triage, resubmit, clntcomm};
}

}  // namespace

const std::vector<StageExecutable>& StageExecutables() {
  static const auto* const executables = new std::vector<StageExecutable>(Declare());
  return *executables;
}

absl::Status CheckEveryStageHasAnExecutable(const stage::Topology& topology,
                                            const std::vector<StageExecutable>& executables) {
  std::map<std::string, std::string> executable_of;  // stage -> executable
  for (const StageExecutable& e : executables) {
    for (const std::string& name : e.stages) {
      // An instance of a per-instance stage is found under its stage's name.
      const stage::StageSpec* spec = topology.FindStage(name);
      if (spec == nullptr || spec->name != name) {
        return absl::FailedPreconditionError(absl::StrCat("executable ", e.name, " runs stage ",
                                                          name, ", which the topology lacks"));
      }
      if (auto [it, inserted] = executable_of.emplace(name, e.name); !inserted) {
        return absl::FailedPreconditionError(absl::StrCat(
            "stage ", name, " is run by two executables, ", it->second, " and ", e.name));
      }
    }
  }
  for (const stage::StageSpec& s : topology.stages()) {
    if (executable_of.count(s.name) == 0) {
      return absl::FailedPreconditionError(absl::StrCat(
          "stage ", s.name,
          " has no executable: name the one that runs it in services/common/executables.cc"));
    }
  }
  return absl::OkStatus();
}

}  // namespace sbrgate
