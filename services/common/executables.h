// The executables of services/ that run the topology's stages as processes
// of their own on Kafka, each with the stages it runs and what it needs
// besides Kafka and the data directory: the one place that says which
// process runs which stage (their main()s, services/<name>/main.cc, are the
// facts it restates), from which the deployment files are made
// (manifests.h).
//
//   for (const StageExecutable& e : StageExecutables()) {
//     ... /opt/sbrgate/bin/<e.name> runs e.stages ...
//   }
//   absl::Status s = CheckEveryStageHasAnExecutable(topology::Sbrgate(), StageExecutables());
#ifndef SBRGATE_SERVICES_COMMON_EXECUTABLES_H_
#define SBRGATE_SERVICES_COMMON_EXECUTABLES_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "pipeline/platform/stage/topology.h"

namespace sbrgate {

struct StageExecutable {
  // services/<name>/, installed as /opt/sbrgate/bin/<name>.
  std::string name;
  // The topology stages it runs; every instance runs the per-instance ones
  // (views) whole.
  std::vector<std::string> stages;
  // Pushes to or pulls from SBR: --sbr-endpoint, --cert, --key, --ca.
  bool talks_to_sbr = false;
  // Serves gRPC on this port with mutual TLS (--grpc-listen, --grpc-cert,
  // --grpc-key, --grpc-client-ca, --access, --audit-log); 0: no gRPC.
  int grpc_port = 0;
  // Takes --comms-permissions (CommunicationService).
  bool comms_permissions = false;
  // Directories under --data-dir that each instance must have to itself:
  // RocksDB databases a process opens alone and rebuilds from Kafka when
  // they are gone (views, the stages' state stores).
  std::vector<std::string> instance_dirs;
  // Why no more than one instance may run; empty: any number may.
  std::string single_instance_reason;
};

// In the order deployment files list them.
const std::vector<StageExecutable>& StageExecutables();

// OK when every stage of `topology` is run by exactly one of `executables`,
// and they run no stage the topology lacks; FailedPrecondition naming the
// first stage that breaks this.
absl::Status CheckEveryStageHasAnExecutable(const stage::Topology& topology,
                                            const std::vector<StageExecutable>& executables);

}  // namespace sbrgate

#endif  // SBRGATE_SERVICES_COMMON_EXECUTABLES_H_
