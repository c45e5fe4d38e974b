// Deployment files made from the topology (pipeline/topology) and the
// executables that run its stages (executables.h), so that what is deployed
// follows what the code declares. `sbrgated --print-topology=strimzi|
// kubernetes|compose` prints them; deploy/generate.sh writes them to
// deploy/, where a test checks they are current.
//
//   absl::StatusOr<std::string> kafka = StrimziResources(topology::Sbrgate(), /*replication=*/3);
//   absl::StatusOr<std::string> k8s = KubernetesManifests(topology::Sbrgate(), StageExecutables());
//   absl::StatusOr<std::string> compose = ComposeFile(topology::Sbrgate(), StageExecutables());
//
// Each is YAML text that opens with a comment saying how it was made.
// Resources are named after the topology's app ("sbrgate"); processes run
// image sbrgate:latest, whose /opt/sbrgate/bin holds the executables, with
// the data directory at /var/lib/sbrgate (shared by every process: the blob
// store) and --admin-listen=0.0.0.0:9090 (/metrics, /healthz, /readyz).
// Kubernetes and Compose give each instance its own copy of the executable's
// instance_dirs, and run an executable with a single_instance_reason as one
// instance. They fail (FailedPrecondition) when a stage of the topology has
// no executable (CheckEveryStageHasAnExecutable).
#ifndef SBRGATE_SERVICES_COMMON_MANIFESTS_H_
#define SBRGATE_SERVICES_COMMON_MANIFESTS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "pipeline/platform/stage/topology.h"
#include "services/common/executables.h"

namespace sbrgate {

// Strimzi (0.40 or later) resources: a Kafka cluster in KRaft mode named
// after the app, of `replication` nodes that are controllers and brokers,
// with one listener, TLS with client certificates, and simple authorization;
// the KafkaUser <app>-app the processes connect as (allowed what they do on
// the topics, consumer groups and transactional ids named <app>.*); and a
// KafkaTopic per topic (Topology::StrimziKafkaTopics). InvalidArgument when
// `replication` is below 1 or a topic lies outside <app>.* (the KafkaUser
// could not use it).
absl::StatusOr<std::string> StrimziResources(const stage::Topology& topology, int replication);

// Kubernetes manifests for the cluster of StrimziResources: a Deployment per
// executable (its replicas are members of each of its stages' consumer
// groups, and its comments say how many are useful), a Service for each
// executable that serves gRPC, a ConfigMap with the librdkafka settings
// (kafka.properties) and the SBR endpoint, the ReadWriteMany
// PersistentVolumeClaim of the data directory, a Service over every pod's
// admin port and a ServiceMonitor scraping /metrics there. They refer to
// what must be made apart: Secrets <app>-m2m (the M2M credential) and
// <app>-grpc (the gRPC server's), ConfigMap <app>-access (the access and
// practice-permissions files).
absl::StatusOr<std::string> KubernetesManifests(const stage::Topology& topology,
                                                const std::vector<StageExecutable>& executables);

// A Docker Compose file for one host: a single Kafka node in KRaft mode
// (apache/kafka), a one-shot service creating every topic
// (Topology::KafkaTopicsCommands) and a service per executable, given the
// host's /etc/sbrgate (credentials named as deploy/sbrgated.service names
// them) and $SBR_ENDPOINT.
absl::StatusOr<std::string> ComposeFile(const stage::Topology& topology,
                                        const std::vector<StageExecutable>& executables);

}  // namespace sbrgate

#endif  // SBRGATE_SERVICES_COMMON_MANIFESTS_H_
