#!/usr/bin/env bash
# Prints the kafka-topics.sh commands that create sbrgate's topics on a real
# cluster (the embedded cluster creates them itself). Changelogs are
# compacted; everything else keeps records long enough to replay lodgments.
#   deploy/topics.sh BOOTSTRAP [REPLICATION]
set -euo pipefail
bootstrap=${1:?usage: deploy/topics.sh BOOTSTRAP [REPLICATION]}
replication=${2:-3}
partitions=8
for t in sbrgate.lodgments.received sbrgate.lodgments.submitted sbrgate.lodgments.responses \
         sbrgate.lodgments.resubmit sbrgate.lodgments.status sbrgate.deadletter; do
  echo "kafka-topics.sh --bootstrap-server $bootstrap --create --if-not-exists --topic $t" \
       "--partitions $partitions --replication-factor $replication --config retention.ms=-1"
done
for t in sbrgate.poll.pending.changelog sbrgate.resubmit.due.changelog; do
  echo "kafka-topics.sh --bootstrap-server $bootstrap --create --if-not-exists --topic $t" \
       "--partitions $partitions --replication-factor $replication --config cleanup.policy=compact"
done
# Client communications (pipeline/topology/clntcomm_topics.h): few jobs, many documents.
for spec in sbrgate.clntcomm.jobs.requested:2 sbrgate.clntcomm.jobs:2 sbrgate.clntcomm.documents:8; do
  echo "kafka-topics.sh --bootstrap-server $bootstrap --create --if-not-exists --topic ${spec%:*}" \
       "--partitions ${spec#*:} --replication-factor $replication --config retention.ms=-1"
done
for t in sbrgate.comms-jobs.jobs.changelog sbrgate.comms-jobs.checks.changelog; do
  echo "kafka-topics.sh --bootstrap-server $bootstrap --create --if-not-exists --topic $t" \
       "--partitions 2 --replication-factor $replication --config cleanup.policy=compact"
done
