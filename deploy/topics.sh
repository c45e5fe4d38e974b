#!/usr/bin/env bash
# Prints the kafka-topics.sh commands that create sbrgate's topics on a real
# cluster (the embedded cluster creates them itself), from the topology
# declared in pipeline/topology/topology.cc: changelogs are compacted;
# everything else keeps records long enough to replay lodgments.
#   deploy/topics.sh BOOTSTRAP [REPLICATION]
# SBRGATED names an sbrgated to ask (e.g. /opt/sbrgate/bin/sbrgated); without
# it the one of this checkout is built and asked (tools/sbrgated).
set -euo pipefail
bootstrap=${1:?usage: deploy/topics.sh BOOTSTRAP [REPLICATION]}
replication=${2:-3}
sbrgated=${SBRGATED:-$(dirname "$0")/../tools/sbrgated}
exec "$sbrgated" --print-topology=kafka-topics --kafka-brokers="$bootstrap" \
  --replication="$replication"
